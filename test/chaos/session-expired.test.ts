/**
 * Fault matrix row "session expired by the server". The server drops the protocol session; the next
 * requests get 404 and the client must re-initialize ONCE, shared by every caller waiting on it
 * (DESIGN.md "session lost"). The official SDK client fails 5/5 calls (notes/sdk-baseline.md e2).
 */
import { describe, expect, test } from 'vitest';
import { createChaosClient } from '../support/chaos-client';
import { failuresOf, settle } from '../support/chaos-calls';
import { startChaosServer } from '../support/chaos-server';

const CONCURRENT_CALLERS = 5;

describe('session expired by the server', () => {
  test('five concurrent callers see no failure and share exactly one re-initialize', async () => {
    await using chaos = await startChaosServer();
    await using caller = createChaosClient({ era: 'legacy', url: chaos.url });
    await caller.client.callTool('echo', { text: 'before' });
    const expiredSessionId = caller.client.mcpSessionId;

    expect(await chaos.server.faults.expireSession()).toBe(1);
    const outcomes = await Promise.all(
      Array.from({ length: CONCURRENT_CALLERS }, (_, call) => settle(caller.client.callTool('echo', { text: `after ${call}` }))),
    );

    expect(failuresOf(outcomes)).toEqual([]);
    const stats = await chaos.stats();
    // One initialize at first use, one re-initialize after the expiry.
    expect(stats.initializeCount).toBe(2);
    expect(stats.toolRuns['echo']).toBe(1 + CONCURRENT_CALLERS);
    expect(caller.client.mcpSessionId).not.toBe(expiredSessionId);
    expect(caller.events.recovered).toHaveLength(1);
    expect(caller.client.stats().reinitializations).toBe(1);
  });
});
