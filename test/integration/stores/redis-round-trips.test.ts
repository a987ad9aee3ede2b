/**
 * Commands the Redis stores send per operation, counted by Redis itself (MONITOR on a harness Redis): each command
 * sent is one the server parses and answers, so what batching and scripts save shows up here as plain numbers.
 * Commands a script runs inside Redis (`[0 lua]` in the feed) are not counted: they cost no trip.
 */
import { randomUUID } from 'node:crypto';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisStores } from '../../../server/stores/redis-store';
import { redisAvailable, startRedis, waitUntil } from '../../support/redis-harness';
import type { RedisInstance } from '../../support/redis-harness';
import { notification, PRIMING, replaySink, sessionRecord } from './fixtures';

const redis = redisAvailable();

describe.skipIf(!redis.ok)(`redis store round trips${redis.ok ? '' : ` (skipped: ${redis.why})`}`, () => {
  let server: RedisInstance;
  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(async () => {
    await server?.[Symbol.asyncDispose]();
  });

  /** Runs `work` against fresh stores and returns the commands their client sent meanwhile, by name. */
  async function commandsOf(work: (stores: Awaited<ReturnType<typeof createRedisStores>>) => Promise<void>): Promise<string[]> {
    const stores = await createRedisStores(server.url, {}, { keyPrefix: `rt-${randomUUID()}:` });
    const monitor = createClient({ url: server.url });
    const marker = createClient({ url: server.url });
    await Promise.all([monitor.connect(), marker.connect()]);
    const seen: string[] = [];
    const start = `start-${randomUUID()}`;
    const end = `end-${randomUUID()}`;
    let started = false;
    let ended = false;
    try {
      await monitor.monitor((line) => {
        if (String(line).includes(start)) started = true;
        if (String(line).includes(end)) ended = true;
        if (!started || ended) return;
        // `<time> [<db> <address>] "<command>" ...`; `[0 lua]` marks a command run by a script.
        const match = /^\S+ \[\d+ ([^\]]+)\] "([^"]+)"/.exec(String(line));
        if (match?.[1] !== undefined && match[1] !== 'lua' && match[2] !== undefined) seen.push(match[2].toLowerCase());
      });
      // Scripts load on their first use (NOSCRIPT, then EVAL): warm them up outside the count.
      await work(stores);
      await marker.echo(start);
      await work(stores);
      await marker.echo(end);
      await waitUntil(async () => ended, () => false, () => 'the MONITOR feed never showed the end marker');
    } finally {
      await Promise.all([stores.sessions.close(), stores.events.close(), stores.bus.close()]);
      await Promise.all([monitor.close(), marker.close()]);
    }
    return seen.filter((name) => name !== 'echo');
  }

  it('stores the events of 16 concurrent tool calls (a priming cursor and a result each) with one command', async () => {
    const sessionId = randomUUID();
    const commands = await commandsOf(async ({ events }) => {
      const store = events.forSession(sessionId);
      const ids = await Promise.all(
        Array.from({ length: 16 }, async (_, n) => {
          const streamId = randomUUID();
          const primingId = await store.storeEvent(streamId, PRIMING);
          return [primingId, await store.storeEvent(streamId, notification(sessionId, n))];
        }),
      );
      expect(new Set(ids.flat()).size).toBe(32);
    });
    // The cursors ride with the results: one EVALSHA for all 32 events (it was a MULTI of 2 + 5 x 32 commands).
    expect(commands).toEqual(['evalsha']);
  });

  it('resumes a POST stream from its priming cursor, which cost no command of its own', async () => {
    const { events } = await createRedisStores(server.url, {}, { keyPrefix: `rt-${randomUUID()}:` });
    try {
      const sessionId = randomUUID();
      const store = events.forSession(sessionId);
      const streamId = randomUUID();
      const primingId = await store.storeEvent(streamId, PRIMING);
      expect(primingId).toBe(`${sessionId}:${streamId}:0-1`);
      const first = await store.storeEvent(streamId, notification(sessionId, 1));
      const second = await store.storeEvent(streamId, notification(sessionId, 2));
      expect(await store.getStreamIdForEventId?.(primingId)).toBe(streamId);
      const sink = replaySink();
      await store.replayEventsAfter(primingId, { send: sink.send });
      expect(sink.sent.map((event) => event.eventId)).toEqual([first, second]);
    } finally {
      await events.close();
    }
  });

  it('claims an app session, creates a session, saves its state, closes it and deletes its events with one command each', async () => {
    const commands = await commandsOf(async ({ sessions, events }) => {
      const record = sessionRecord();
      const now = Date.now();
      const claim = await sessions.claimAppSession({ appSessionId: record.appSessionId, principalHash: null, now, expiresAt: now + 60_000 });
      expect(claim.outcome).toBe('created');
      await sessions.create(record);
      await sessions.saveSessionState(record.sessionId, { subscriptions: ['archon://status'], loggingLevel: 'info' });
      await events.forSession(record.sessionId).storeEvent('_GET_stream', notification(record.sessionId, 1));
      await sessions.setStatus(record.sessionId, 'closed', 'client-delete');
      await events.deleteSession(record.sessionId);
      expect(await sessions.get(record.sessionId)).toMatchObject({ status: 'closed' });
    });
    // Each by SHA, no script text on the wire; the last one is the `get` that checks the outcome.
    expect(commands).toEqual(['evalsha', 'evalsha', 'evalsha', 'evalsha', 'evalsha', 'evalsha', 'hgetall']);
  });
});
