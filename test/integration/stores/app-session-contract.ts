import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { AppSessionClaim } from '../../../server/stores/types';
import { requestRecord, sessionRecord, T0 } from './fixtures';
import type { OpenedStores, StoreTarget } from './store-target';

/** Claimants racing for one id: spread over several store instances where the backend has them. */
const CLAIMANTS = 12;

function principal(n: number): string {
  return String(n).padStart(64, 'p');
}

/** Up to 4 instances over one namespace (separate connections/clients), or just the one where nothing is shared. */
async function instances(target: StoreTarget): Promise<OpenedStores[]> {
  const first = await target.openEmpty();
  const peers = target.openPeer === undefined ? [] : await Promise.all([1, 2, 3].map(() => target.openPeer?.() as Promise<OpenedStores>));
  return [first, ...peers];
}

/**
 * App sessions (`X-Archon-Session-Id`), the write-behind batches, saved session state and shared secrets.
 * The claim is the one that matters most: atomic on every backend, proven by racing claimants.
 *
 * @example
 * ```ts
 * appSessionContract(trackStores(target));
 * ```
 */
export function appSessionContract(target: StoreTarget): void {
  describe('app sessions', () => {
    it('a free id is created for its first claimant, kept for it, refused to another principal', async () => {
      const { sessions } = await target.openEmpty();
      const claim = { appSessionId: 'app-claimed', principalHash: principal(1), now: T0, expiresAt: T0 + 1_000 };
      expect(await sessions.claimAppSession(claim)).toEqual({
        outcome: 'created',
        record: {
          appSessionId: 'app-claimed',
          principalHash: principal(1),
          createdAt: T0,
          lastActivityAt: T0,
          expiresAt: T0 + 1_000,
          status: 'active',
        },
      });
      const again = await sessions.claimAppSession({ ...claim, now: T0 + 10, expiresAt: T0 + 2_000 });
      expect(again).toMatchObject({ outcome: 'existing', record: { expiresAt: T0 + 2_000, lastActivityAt: T0 + 10 } });
      const stolen = await sessions.claimAppSession({ ...claim, principalHash: principal(2), now: T0 + 20, expiresAt: T0 + 9_000 });
      expect(stolen).toMatchObject({ outcome: 'foreign', record: { principalHash: principal(1), expiresAt: T0 + 2_000 } });
      expect(await sessions.getAppSession('app-claimed')).toMatchObject({ principalHash: principal(1), expiresAt: T0 + 2_000 });
    });

    it('a null principal is a principal: an authenticated claimant cannot take an anonymous id, nor the reverse', async () => {
      const { sessions } = await target.openEmpty();
      await sessions.claimAppSession({ appSessionId: 'app-anon', principalHash: null, now: T0, expiresAt: T0 + 1_000 });
      await sessions.claimAppSession({ appSessionId: 'app-owned', principalHash: principal(1), now: T0, expiresAt: T0 + 1_000 });
      expect(
        (await sessions.claimAppSession({ appSessionId: 'app-anon', principalHash: principal(1), now: T0, expiresAt: T0 + 1_000 })).outcome,
      ).toBe('foreign');
      expect(
        (await sessions.claimAppSession({ appSessionId: 'app-owned', principalHash: null, now: T0, expiresAt: T0 + 1_000 })).outcome,
      ).toBe('foreign');
      expect(
        (await sessions.claimAppSession({ appSessionId: 'app-anon', principalHash: null, now: T0, expiresAt: T0 + 1_000 })).outcome,
      ).toBe('existing');
    });

    it('an id past its expiry, or expired by force, is not granted again', async () => {
      const { sessions } = await target.openEmpty();
      await sessions.claimAppSession({ appSessionId: 'app-old', principalHash: null, now: T0, expiresAt: T0 + 100 });
      expect(
        (await sessions.claimAppSession({ appSessionId: 'app-old', principalHash: null, now: T0 + 100, expiresAt: T0 + 1_000 })).outcome,
      ).toBe('expired');
      await sessions.claimAppSession({ appSessionId: 'app-forced', principalHash: null, now: T0, expiresAt: T0 + 1_000 });
      await sessions.expireAppSession('app-forced');
      expect(
        (await sessions.claimAppSession({ appSessionId: 'app-forced', principalHash: null, now: T0 + 1, expiresAt: T0 + 1_000 })).outcome,
      ).toBe('expired');
      expect(await sessions.getAppSession('app-forced')).toMatchObject({ status: 'expired' });
      expect(await sessions.getAppSession('no-such-app')).toBeUndefined();
    });

    it(`is atomic: of ${CLAIMANTS} concurrent claims of one free id by different principals exactly one wins`, async () => {
      const stores = await instances(target);
      for (let round = 0; round < 3; round += 1) {
        const appSessionId = `race-${randomUUID()}`;
        const claims: AppSessionClaim[] = await Promise.all(
          Array.from({ length: CLAIMANTS }, (_, n) =>
            (stores[n % stores.length] as OpenedStores).sessions.claimAppSession({
              appSessionId,
              principalHash: principal(n),
              now: T0,
              expiresAt: T0 + 60_000,
            }),
          ),
        );
        const winners = claims.filter((claim) => claim.outcome === 'created');
        expect(winners).toHaveLength(1);
        expect(claims.filter((claim) => claim.outcome === 'foreign')).toHaveLength(CLAIMANTS - 1);
        // Every loser was told who holds it, and the store agrees.
        const owner = winners[0]?.record.principalHash;
        expect(new Set(claims.map((claim) => claim.record.principalHash))).toEqual(new Set([owner]));
        expect((await stores[0]?.sessions.getAppSession(appSessionId))?.principalHash).toBe(owner);
      }
    });

    it('is atomic for one principal too: one concurrent claim creates, the others find it existing', async () => {
      const stores = await instances(target);
      const appSessionId = `race-same-${randomUUID()}`;
      const claims = await Promise.all(
        Array.from({ length: CLAIMANTS }, (_, n) =>
          (stores[n % stores.length] as OpenedStores).sessions.claimAppSession({
            appSessionId,
            principalHash: null,
            now: T0,
            expiresAt: T0 + 60_000,
          }),
        ),
      );
      expect(claims.filter((claim) => claim.outcome === 'created')).toHaveLength(1);
      expect(claims.filter((claim) => claim.outcome === 'existing')).toHaveLength(CLAIMANTS - 1);
    });

    it('the deep purge drops app sessions that expired before the cut-off, with their request records', async () => {
      const { sessions } = await target.openEmpty();
      await sessions.claimAppSession({ appSessionId: 'app-stale', principalHash: null, now: T0, expiresAt: T0 + 100 });
      await sessions.claimAppSession({ appSessionId: 'app-fresh', principalHash: null, now: T0, expiresAt: T0 + 10_000 });
      await sessions.trackRequests([requestRecord('app-stale', 1), requestRecord('app-fresh', 2)]);
      await sessions.purge(T0 + 1_000);
      expect(await sessions.getAppSession('app-stale')).toBeUndefined();
      expect(await sessions.listRequests('app-stale')).toEqual([]);
      expect(await sessions.getAppSession('app-fresh')).toBeDefined();
      expect(await sessions.listRequests('app-fresh')).toHaveLength(1);
    });
  });

  describe('write-behind batches and saved state', () => {
    it('touchMany moves protocol and app sessions in one call, skipping unknown ids and expired app sessions', async () => {
      const { sessions } = await target.openEmpty();
      const record = sessionRecord();
      await sessions.create(record);
      await sessions.claimAppSession({ appSessionId: 'app-touched', principalHash: null, now: T0, expiresAt: T0 + 1_000 });
      await sessions.claimAppSession({ appSessionId: 'app-gone', principalHash: null, now: T0, expiresAt: T0 + 1_000 });
      await sessions.expireAppSession('app-gone');
      await sessions.touchMany([
        { kind: 'session', sessionId: record.sessionId, lastActivityAt: T0 + 50, expiresAt: T0 + 90_000 },
        { kind: 'app', sessionId: 'app-touched', lastActivityAt: T0 + 50, expiresAt: T0 + 90_000 },
        { kind: 'app', sessionId: 'app-gone', lastActivityAt: T0 + 50, expiresAt: T0 + 90_000 },
        { kind: 'session', sessionId: 'no-such-session', lastActivityAt: T0 + 50, expiresAt: T0 + 90_000 },
      ]);
      expect(await sessions.get(record.sessionId)).toMatchObject({ lastActivityAt: T0 + 50, expiresAt: T0 + 90_000 });
      expect(await sessions.getAppSession('app-touched')).toMatchObject({ lastActivityAt: T0 + 50, expiresAt: T0 + 90_000 });
      expect(await sessions.getAppSession('app-gone')).toMatchObject({ expiresAt: T0 + 1_000, status: 'expired' });
      expect(await sessions.get('no-such-session')).toBeUndefined();
    });

    it('trackRequests writes a batch in order and keeps each session at its cap', async () => {
      const { sessions, requestCap } = await target.openEmpty({ maxRequestsPerSession: 3 });
      const batch = [1, 2, 3, 4].map((n) => requestRecord('batched', n));
      await sessions.trackRequests([...batch, requestRecord('other', 9)]);
      // Newest first; a backend that lets us choose keeps 3, the memory store keeps its fixed 1,000.
      expect(await sessions.listRequests('batched')).toEqual(batch.slice(-Math.min(requestCap, 4)).reverse());
      expect(await sessions.listRequests('other')).toEqual([requestRecord('other', 9)]);
      await sessions.trackRequests([]);
    });

    it('saves a session state with the record and returns it with every read', async () => {
      const { sessions } = await target.openEmpty();
      const record = sessionRecord();
      await sessions.create(record);
      expect((await sessions.get(record.sessionId))?.state).toBeUndefined();
      const state = { subscriptions: ['archon://status', 'archon://projects/billing'], loggingLevel: 'warning' };
      await sessions.saveSessionState(record.sessionId, state);
      expect((await sessions.get(record.sessionId))?.state).toEqual(state);
      await sessions.saveSessionState('no-such-session', state);
      expect(await sessions.get('no-such-session')).toBeUndefined();
    });

    it('claimSecret hands every instance the value the first one stored', async () => {
      const stores = await instances(target);
      const values = await Promise.all(stores.map((store, n) => store.sessions.claimSecret('shared-key', `candidate-${n}`)));
      expect(new Set(values).size).toBe(1);
      expect(values[0]).toMatch(/^candidate-\d$/);
      expect(await stores[0]?.sessions.claimSecret('shared-key', 'late')).toBe(values[0]);
    });
  });
}
