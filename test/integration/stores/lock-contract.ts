import { describe, expect, it } from 'vitest';
import type { SessionStore } from '../../../server/stores/types';
import type { StoreTarget } from './store-target';

/** Polls `attempt` every 20 ms for at most `withinMs`; resolves with the elapsed ms, or throws. */
async function eventually(attempt: () => Promise<boolean>, withinMs: number): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < withinMs) {
    if (await attempt()) return Date.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`Condition not met within ${withinMs} ms`);
}

/**
 * The leader lock, between two store instances sharing one backend (two servers) where the backend
 * allows it, else between two owners on one instance.
 *
 * @example
 * ```ts
 * lockContract(trackStores(target));
 * ```
 */
export function lockContract(target: StoreTarget): void {
  const instances = async (): Promise<[SessionStore, SessionStore]> => {
    const a = await target.openEmpty();
    const b = target.openPeer === undefined ? a : await target.openPeer();
    return [a.sessions, b.sessions];
  };
  const where = target.openPeer === undefined ? 'one instance' : 'two instances';

  describe(`leader lock (${where})`, () => {
    it('lets one owner hold it, renew it, and hand it over on release', async () => {
      const [a, b] = await instances();
      expect(await a.tryAcquireLock('cleanup', 'owner-a', 30_000)).toBe(true);
      expect(await b.tryAcquireLock('cleanup', 'owner-b', 30_000)).toBe(false);
      expect(await a.tryAcquireLock('cleanup', 'owner-a', 30_000)).toBe(true);
      expect(await b.tryAcquireLock('other-lock', 'owner-b', 30_000)).toBe(true);
      await a.releaseLock('cleanup', 'owner-a');
      expect(await b.tryAcquireLock('cleanup', 'owner-b', 30_000)).toBe(true);
      expect(await a.tryAcquireLock('cleanup', 'owner-a', 30_000)).toBe(false);
    });

    it('ignores a release by someone who does not hold it', async () => {
      const [a, b] = await instances();
      expect(await a.tryAcquireLock('cleanup', 'owner-a', 30_000)).toBe(true);
      await b.releaseLock('cleanup', 'owner-b');
      expect(await b.tryAcquireLock('cleanup', 'owner-b', 30_000)).toBe(false);
    });

    it('passes to a contender once the holder lets it lapse', async () => {
      const [a, b] = await instances();
      // Timed from before the acquire: a slow backend call on a loaded machine must not eat the margin.
      const acquiredBefore = Date.now();
      expect(await a.tryAcquireLock('cleanup', 'owner-a', 200)).toBe(true);
      expect(await b.tryAcquireLock('cleanup', 'owner-b', 30_000)).toBe(false);
      await eventually(() => b.tryAcquireLock('cleanup', 'owner-b', 30_000), 3_000);
      // Not before the TTL (some slack for clock granularity), and well within 3 s.
      expect(Date.now() - acquiredBefore).toBeGreaterThanOrEqual(180);
      expect(await a.tryAcquireLock('cleanup', 'owner-a', 200)).toBe(false);
    });

    it('lets exactly one of many simultaneous contenders win', async () => {
      const [a, b] = await instances();
      const owners = Array.from({ length: 8 }, (_, n) => `owner-${n}`);
      const won = await Promise.all(owners.map((owner, n) => (n % 2 === 0 ? a : b).tryAcquireLock('race', owner, 30_000)));
      expect(won.filter(Boolean)).toHaveLength(1);
    });
  });
}
