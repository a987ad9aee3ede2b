import { describe, expect, it } from 'vitest';
import type { SessionRecord } from '../../../server/stores/types';
import { requestRecord, sessionRecord, T0 } from './fixtures';
import type { StoreTarget } from './store-target';

/**
 * The `SessionStore` half of the contract: records, indexes, expiry, purge, request tracking.
 *
 * @example
 * ```ts
 * sessionContract(trackStores(target));
 * ```
 */
export function sessionContract(target: StoreTarget): void {
  describe('sessions', () => {
    it('returns a created record unchanged, nulls included, and undefined for unknown ids', async () => {
      const { sessions } = await target.openEmpty();
      const record = sessionRecord({ principalHash: 'a'.repeat(64), disconnectReason: null });
      await sessions.create(record);
      expect(await sessions.get(record.sessionId)).toEqual(record);
      expect(await sessions.get('no-such-session')).toBeUndefined();
      expect(await sessions.counts()).toEqual({ active: 1, expired: 0, closed: 0, draining: 0 });
    });

    it('rejects a second create with the same id and keeps the first record', async () => {
      const { sessions } = await target.openEmpty();
      const record = sessionRecord();
      await sessions.create(record);
      await expect(sessions.create({ ...record, ownerInstance: 'intruder' })).rejects.toThrow();
      expect((await sessions.get(record.sessionId))?.ownerInstance).toBe('instance-a');
      expect((await sessions.counts()).active).toBe(1);
    });

    it('finds the newest session of an application session id', async () => {
      const { sessions } = await target.openEmpty();
      const older = sessionRecord({ appSessionId: 'app-1', createdAt: T0 });
      const newer = sessionRecord({ appSessionId: 'app-1', createdAt: T0 + 5 });
      const other = sessionRecord({ appSessionId: 'app-2', createdAt: T0 + 10 });
      for (const record of [newer, older, other]) await sessions.create(record);
      expect((await sessions.getByAppSessionId('app-1'))?.sessionId).toBe(newer.sessionId);
      expect((await sessions.getByAppSessionId('app-2'))?.sessionId).toBe(other.sessionId);
      expect(await sessions.getByAppSessionId('app-3')).toBeUndefined();
    });

    it('touch moves activity and expiry only, and ignores unknown ids', async () => {
      const { sessions } = await target.openEmpty();
      const record = sessionRecord();
      await sessions.create(record);
      await sessions.touch(record.sessionId, T0 + 1_000, T0 + 90_000);
      await sessions.touch('no-such-session', T0 + 1_000, T0 + 90_000);
      expect(await sessions.get(record.sessionId)).toEqual({ ...record, lastActivityAt: T0 + 1_000, expiresAt: T0 + 90_000 });
      expect(await sessions.get('no-such-session')).toBeUndefined();
      expect((await sessions.counts()).active).toBe(1);
    });

    it('answers concurrent lookups and touches each with its own result, the last touch of a session winning', async () => {
      const { sessions } = await target.openEmpty();
      const records = Array.from({ length: 12 }, (_, index) => sessionRecord({ createdAt: T0 + index }));
      await Promise.all(records.map((record) => sessions.create(record)));
      const found = await Promise.all([...records.map((record) => sessions.get(record.sessionId)), sessions.get('no-such-session')]);
      expect(found).toEqual([...records, undefined]);
      const [a, b] = records as [SessionRecord, SessionRecord];
      await Promise.all([
        sessions.touch(a.sessionId, T0 + 100, T0 + 90_000),
        sessions.touch(b.sessionId, T0 + 50, T0 + 70_000),
        sessions.touch(a.sessionId, T0 + 90, T0 + 80_000),
      ]);
      expect(await sessions.get(a.sessionId)).toEqual({ ...a, lastActivityAt: T0 + 90, expiresAt: T0 + 80_000 });
      expect(await sessions.get(b.sessionId)).toEqual({ ...b, lastActivityAt: T0 + 50, expiresAt: T0 + 70_000 });
      // Each caller gets a record of its own.
      const [first, second] = await Promise.all([sessions.get(a.sessionId), sessions.get(a.sessionId)]);
      expect(first).not.toBe(second);
    });

    it('keeps request records tracked concurrently, newest first, up to the cap', async () => {
      const { sessions, requestCap } = await target.openEmpty({ maxRequestsPerSession: 20 });
      const numbers = Array.from({ length: requestCap + 10 }, (_, index) => index + 1);
      await Promise.all(numbers.map((n) => sessions.trackRequest(requestRecord(n % 5 === 0 ? 's-b' : 's-a', n))));
      const expected = numbers.filter((n) => n % 5 !== 0).reverse().slice(0, requestCap).map((n) => requestRecord('s-a', n));
      expect(await sessions.listRequests('s-a', requestCap + 100)).toEqual(expected);
      const newestOfB = numbers.filter((n) => n % 5 === 0).reverse().slice(0, 3);
      expect(await sessions.listRequests('s-b', 3)).toEqual(newestOfB.map((n) => requestRecord('s-b', n)));
    });

    it('touchMany moves activity and expiry forward only, merges duplicates, and ignores unknown ids', async () => {
      const { sessions } = await target.openEmpty();
      const [a, b, c] = [sessionRecord(), sessionRecord({ lastActivityAt: T0 + 500, expiresAt: T0 + 90_000 }), sessionRecord()];
      for (const record of [a, b, c]) await sessions.create(record);
      await sessions.touchMany([
        { sessionId: a.sessionId, lastActivityAt: T0 + 100, expiresAt: T0 + 70_000 },
        { sessionId: b.sessionId, lastActivityAt: T0 + 200, expiresAt: T0 + 80_000 },
        { sessionId: 'no-such-session', lastActivityAt: T0 + 100, expiresAt: T0 + 70_000 },
        { sessionId: a.sessionId, lastActivityAt: T0 + 300, expiresAt: T0 + 65_000 },
      ]);
      await sessions.touchMany([]);
      expect(await sessions.get(a.sessionId)).toEqual({ ...a, lastActivityAt: T0 + 300, expiresAt: T0 + 70_000 });
      expect(await sessions.get(b.sessionId)).toEqual(b);
      expect(await sessions.get(c.sessionId)).toEqual(c);
      expect(await sessions.get('no-such-session')).toBeUndefined();
      // The expiry index follows: only `c` is due at its original expiry.
      expect(await sessions.expire(T0 + 60_000)).toEqual([c.sessionId]);
    });

    it('setStatus records the reason (null when omitted) and moves the counts', async () => {
      const { sessions } = await target.openEmpty();
      const [a, b, c] = [sessionRecord(), sessionRecord(), sessionRecord()];
      for (const record of [a, b, c]) await sessions.create(record);
      await sessions.setStatus(a.sessionId, 'closed', 'client DELETE');
      await sessions.setStatus(b.sessionId, 'draining');
      await sessions.setStatus('no-such-session', 'closed', 'x');
      expect(await sessions.get(a.sessionId)).toMatchObject({ status: 'closed', disconnectReason: 'client DELETE' });
      expect(await sessions.get(b.sessionId)).toMatchObject({ status: 'draining', disconnectReason: null });
      expect(await sessions.counts()).toEqual({ active: 1, expired: 0, closed: 1, draining: 1 });
      await sessions.setStatus(a.sessionId, 'active');
      expect(await sessions.get(a.sessionId)).toMatchObject({ status: 'active', disconnectReason: null });
      expect(await sessions.counts()).toEqual({ active: 2, expired: 0, closed: 0, draining: 1 });
    });

    it('setOwner changes the owner and nothing else', async () => {
      const { sessions } = await target.openEmpty();
      const record = sessionRecord();
      await sessions.create(record);
      await sessions.setOwner(record.sessionId, 'instance-b');
      expect(await sessions.get(record.sessionId)).toEqual({ ...record, ownerInstance: 'instance-b' });
    });

    it('expire marks exactly the live sessions due by now, once', async () => {
      const { sessions } = await target.openEmpty();
      const due = sessionRecord({ expiresAt: T0 + 100 });
      const dueDraining = sessionRecord({ expiresAt: T0 + 200, status: 'draining' });
      const exactlyNow = sessionRecord({ expiresAt: T0 + 300 });
      const later = sessionRecord({ expiresAt: T0 + 301 });
      const closed = sessionRecord({ expiresAt: T0 + 100, status: 'closed', disconnectReason: 'bye' });
      const touchedAway = sessionRecord({ expiresAt: T0 + 100 });
      for (const record of [due, dueDraining, exactlyNow, later, closed, touchedAway]) await sessions.create(record);
      await sessions.touch(touchedAway.sessionId, T0 + 50, T0 + 10_000);

      const expired = await sessions.expire(T0 + 300);
      expect(expired.sort()).toEqual([due.sessionId, dueDraining.sessionId, exactlyNow.sessionId].sort());
      expect(await sessions.get(due.sessionId)).toMatchObject({ status: 'expired', disconnectReason: 'ttl' });
      expect(await sessions.get(closed.sessionId)).toMatchObject({ status: 'closed', disconnectReason: 'bye' });
      expect(await sessions.counts()).toEqual({ active: 2, expired: 3, closed: 1, draining: 0 });
      expect(await sessions.expire(T0 + 300)).toEqual([]);
    });

    it('purge deletes non-active sessions idle before the cut-off, with their requests', async () => {
      const { sessions } = await target.openEmpty();
      const oldClosed = sessionRecord({ lastActivityAt: T0, status: 'closed' });
      const oldExpired = sessionRecord({ lastActivityAt: T0 + 10, status: 'expired' });
      const oldActive = sessionRecord({ lastActivityAt: T0 });
      const recentClosed = sessionRecord({ lastActivityAt: T0 + 1_000, status: 'closed' });
      for (const record of [oldClosed, oldExpired, oldActive, recentClosed]) await sessions.create(record);
      await sessions.trackRequest(requestRecord(oldClosed.sessionId, 1));
      await sessions.trackRequest(requestRecord(oldActive.sessionId, 2));

      expect(await sessions.purge(T0 + 1_000)).toBe(2);
      expect(await sessions.get(oldClosed.sessionId)).toBeUndefined();
      expect(await sessions.get(oldExpired.sessionId)).toBeUndefined();
      expect(await sessions.listRequests(oldClosed.sessionId)).toEqual([]);
      expect(await sessions.listRequests(oldActive.sessionId)).toHaveLength(1);
      expect(await sessions.counts()).toEqual({ active: 1, expired: 0, closed: 1, draining: 0 });
      expect(await sessions.purge(T0 + 1_000)).toBe(0);
    });

    it('purge also takes sessions that expired through expire()', async () => {
      const { sessions } = await target.openEmpty();
      const record = sessionRecord({ lastActivityAt: T0, expiresAt: T0 + 10 });
      await sessions.create(record);
      await sessions.expire(T0 + 10);
      expect(await sessions.purge(T0 + 1)).toBe(1);
      expect(await sessions.counts()).toEqual({ active: 0, expired: 0, closed: 0, draining: 0 });
    });

    it('lists a session’s requests newest first, limited, and never another session’s', async () => {
      const { sessions } = await target.openEmpty();
      for (let n = 1; n <= 5; n += 1) await sessions.trackRequest(requestRecord('s-a', n));
      await sessions.trackRequest(requestRecord('s-b', 99));
      const all = await sessions.listRequests('s-a');
      expect(all).toEqual([5, 4, 3, 2, 1].map((n) => requestRecord('s-a', n)));
      expect(await sessions.listRequests('s-a', 2)).toEqual([5, 4].map((n) => requestRecord('s-a', n)));
      expect(await sessions.listRequests('s-b')).toEqual([requestRecord('s-b', 99)]);
      expect(await sessions.listRequests('s-c')).toEqual([]);
    });

    it('keeps only the newest requests up to the per-session cap', async () => {
      const { sessions, requestCap } = await target.openEmpty({ maxRequestsPerSession: 20 });
      for (let n = 1; n <= requestCap + 3; n += 1) await sessions.trackRequest(requestRecord('s-a', n));
      const kept = await sessions.listRequests('s-a', requestCap + 100);
      expect(kept).toHaveLength(requestCap);
      expect(kept[0]).toEqual(requestRecord('s-a', requestCap + 3));
      expect(kept.at(-1)).toEqual(requestRecord('s-a', 4));
    });

    it('ping resolves while the backend is up', async () => {
      const { sessions } = await target.openEmpty();
      await expect(sessions.ping()).resolves.toBeUndefined();
    });
  });
}
