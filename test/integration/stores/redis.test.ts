import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisStores } from '../../../server/stores/redis-store';
import type { RedisStoreOptions } from '../../../server/stores/redis-store';
import { redisAvailable, startRedis } from '../../support/redis-harness';
import type { RedisInstance } from '../../support/redis-harness';
import { sessionRecord } from './fixtures';
import { defineStoreContract } from './store-contract';
import type { TargetOptions } from './store-contract';

const redis = redisAvailable();

describe.skipIf(!redis.ok)(`redis store${redis.ok ? '' : ` (skipped: ${redis.why})`}`, () => {
  /** One redis-server per file; every `openEmpty()` gets its own key prefix instead of a flush. */
  let server: RedisInstance;
  let prefixes = 0;
  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(async () => {
    await server?.[Symbol.asyncDispose]();
  });

  const open = async (keyPrefix: string, options: TargetOptions = {}) => {
    const redisOptions: RedisStoreOptions = { keyPrefix };
    if (options.now !== undefined) redisOptions.now = options.now;
    if (options.maxRequestsPerSession !== undefined) redisOptions.maxRequestsPerSession = options.maxRequestsPerSession;
    const stores = await createRedisStores(server.url, options.limits, redisOptions);
    await stores.sessions.init();
    return { ...stores, requestCap: options.maxRequestsPerSession ?? 1_000 };
  };

  defineStoreContract({
    name: 'redis',
    openEmpty: (options) => {
      prefixes += 1;
      return open(`contract-${prefixes}:`, options);
    },
    openPeer: (options) => open(`contract-${prefixes}:`, options),
  });

  describe('sharing one Redis', () => {
    it('keeps two key prefixes apart, counts included', async () => {
      const a = await open('iso-a:');
      const b = await open('iso-b:');
      try {
        const record = sessionRecord();
        await a.sessions.create(record);
        await a.sessions.create(sessionRecord());
        await b.sessions.create(sessionRecord({ sessionId: record.sessionId, ownerInstance: 'other-deployment' }));
        expect((await a.sessions.counts()).active).toBe(2);
        expect((await b.sessions.counts()).active).toBe(1);
        expect((await a.sessions.get(record.sessionId))?.ownerInstance).toBe('instance-a');
        expect((await b.sessions.get(record.sessionId))?.ownerInstance).toBe('other-deployment');
      } finally {
        await Promise.all([a.sessions.close(), a.events.close(), b.sessions.close(), b.events.close()]);
      }
    });
  });

  describe('options', () => {
    it.each([
      [{ maxRequestsPerSession: 0 }, 'Expected `maxRequestsPerSession` to be a positive integer, got 0'],
      [{ compressAboveBytes: -1 }, 'Expected `compressAboveBytes` to be a non-negative integer, got -1'],
    ])('rejects %o before connecting', async (options, message) => {
      await expect(createRedisStores(server.url, {}, options)).rejects.toThrow(message);
    });
  });

  describe('outage', () => {
    it('fails fast while Redis is down and works again once it is back on the same port', async () => {
      const stores = await open('outage:');
      try {
        await stores.sessions.create(sessionRecord());
        await server.stop();
        const started = Date.now();
        await expect(stores.sessions.ping()).rejects.toThrow();
        await expect(stores.sessions.get('any')).rejects.toThrow();
        expect(Date.now() - started).toBeLessThan(1_000);

        await server.restart();
        const deadline = Date.now() + 5_000;
        let back = false;
        while (!back && Date.now() < deadline) {
          back = await stores.sessions.ping().then(() => true, () => false);
          if (!back) await new Promise((resolve) => setTimeout(resolve, 25));
        }
        expect(back).toBe(true);
        // A fresh server without persistence: the data is gone, the store still answers.
        expect(await stores.sessions.counts()).toEqual({ active: 0, expired: 0, closed: 0, draining: 0 });
        await stores.sessions.create(sessionRecord());
        expect((await stores.sessions.counts()).active).toBe(1);
      } finally {
        await Promise.all([stores.sessions.close(), stores.events.close()]);
      }
    });
  });
});
