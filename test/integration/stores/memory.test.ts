import { describe } from 'vitest';
import { MemoryEventStore } from '../../../server/stores/memory-event-store';
import { MemorySessionStore } from '../../../server/stores/memory-store';
import { defineStoreContract } from './store-contract';

describe('memory store', () => {
  defineStoreContract({
    name: 'memory',
    // The memory store's request cap is a fixed 1,000 (memory-store.ts); it has no peers.
    openEmpty: async (options = {}) => {
      const sessions = new MemorySessionStore();
      await sessions.init();
      return { sessions, events: new MemoryEventStore(options.limits, options.now), requestCap: 1_000 };
    },
  });
});
