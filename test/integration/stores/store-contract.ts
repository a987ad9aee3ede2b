/**
 * The one contract every store backend passes: memory, pglite, postgres and redis run the same
 * tests through `defineStoreContract`, so a behaviour difference between backends is a failing test,
 * not a surprise in production.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { eventContract } from './event-contract';
import { notification, PRIMING, replaySink, requestRecord, sessionRecord, T0 } from './fixtures';
import { isolationProperty } from './isolation-property';
import { lockContract } from './lock-contract';
import { sessionContract } from './session-contract';
import type { StoreTarget } from './store-target';
import { trackStores } from './store-target';

export type { OpenedStores, StoreTarget, TargetOptions } from './store-target';

/** How hard the contract pushes a backend. */
export interface ContractOptions {
  /** fast-check runs of the isolation property. @default 25 */
  numRuns?: number;
}

/**
 * Defines the whole store contract for `target` inside the current `describe`.
 *
 * @example
 * ```ts
 * describe('memory store', () => {
 *   defineStoreContract({ name: 'memory', openEmpty: async () => ({ ...(await createMemoryStores()), requestCap: 1_000 }) });
 * });
 * ```
 */
export function defineStoreContract(target: StoreTarget, options: ContractOptions = {}): void {
  const tracked = trackStores(target);
  afterEach(() => tracked.closeAll());

  sessionContract(tracked);
  lockContract(tracked);
  eventContract(tracked);
  persistenceContract(tracked);
  isolationProperty(tracked, options.numRuns ?? 25);
}

function persistenceContract(target: StoreTarget): void {
  const openPeer = target.reopen?.bind(target) ?? target.openPeer?.bind(target);
  describe.skipIf(openPeer === undefined)(
    `persistence${openPeer === undefined ? ' (skipped: this backend keeps nothing beyond its instance)' : ''}`,
    () => {
      it('shows sessions, requests and events to a new instance after the first one closed', async () => {
        if (openPeer === undefined) throw new Error('unreachable: skipped without openPeer or reopen');
        const first = await target.openEmpty();
        const record = sessionRecord({ principalHash: 'b'.repeat(64) });
        await first.sessions.create(record);
        // Activity may be written behind (types.ts): closing must still write it down.
        await first.sessions.touch(record.sessionId, T0 + 5, T0 + 60_005);
        await first.sessions.trackRequest(requestRecord(record.sessionId, 1));
        const start = await first.events.forSession(record.sessionId).storeEvent('_GET_stream', PRIMING);
        await first.events.forSession(record.sessionId).storeEvent('_GET_stream', notification(record.sessionId, 1));
        await first.events.close();
        await first.sessions.close();

        const second = await openPeer();
        expect(await second.sessions.get(record.sessionId)).toEqual({ ...record, lastActivityAt: T0 + 5, expiresAt: T0 + 60_005 });
        expect(await second.sessions.listRequests(record.sessionId)).toEqual([requestRecord(record.sessionId, 1)]);
        const sink = replaySink();
        await second.events.forSession(record.sessionId).replayEventsAfter(start, sink);
        expect(sink.sent.map((event) => event.message)).toEqual([notification(record.sessionId, 1)]);
      });
    },
  );
}
