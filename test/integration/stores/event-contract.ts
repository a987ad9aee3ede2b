import { describe, expect, it } from 'vitest';
import { notification, PRIMING, replaySink, T0 } from './fixtures';
import type { StoreTarget } from './store-target';

const GET_STREAM = '_GET_stream';

/**
 * The `SessionEventStore` half of the contract: what the SDK transport relies on for resumption,
 * scoped per session, with TTL and cap.
 *
 * @example
 * ```ts
 * eventContract(trackStores(target));
 * ```
 */
export function eventContract(target: StoreTarget): void {
  describe('events', () => {
    it('hands out distinct ids whose stream it can name, for this session only', async () => {
      const { events } = await target.openEmpty();
      const mine = events.forSession('s-a');
      const ids = [
        await mine.storeEvent(GET_STREAM, notification('s-a', 1)),
        await mine.storeEvent('req-stream', notification('s-a', 2)),
        await mine.storeEvent(GET_STREAM, notification('s-a', 3)),
      ];
      expect(new Set(ids).size).toBe(3);
      expect(await mine.getStreamIdForEventId?.(ids[0] ?? '')).toBe(GET_STREAM);
      expect(await mine.getStreamIdForEventId?.(ids[1] ?? '')).toBe('req-stream');
      expect(await events.forSession('s-b').getStreamIdForEventId?.(ids[0] ?? '')).toBeUndefined();
      expect(await mine.getStreamIdForEventId?.('garbage')).toBeUndefined();
      expect(await mine.getStreamIdForEventId?.('')).toBeUndefined();
    });

    it('replays what came after an id, in order, from that stream only, without priming events', async () => {
      const { events } = await target.openEmpty();
      const store = events.forSession('s-a');
      const primingId = await store.storeEvent(GET_STREAM, PRIMING);
      const first = await store.storeEvent(GET_STREAM, notification('s-a', 1));
      await store.storeEvent('req-stream', notification('s-a', 100));
      // The SDK writes a priming event on every new GET connection, so they occur mid-stream too.
      await store.storeEvent(GET_STREAM, PRIMING);
      const second = await store.storeEvent(GET_STREAM, notification('s-a', 2));
      const third = await store.storeEvent(GET_STREAM, notification('s-a', 3));

      const fromPriming = replaySink();
      expect(await store.replayEventsAfter(primingId, fromPriming)).toBe(GET_STREAM);
      expect(fromPriming.sent).toEqual([
        { eventId: first, message: notification('s-a', 1) },
        { eventId: second, message: notification('s-a', 2) },
        { eventId: third, message: notification('s-a', 3) },
      ]);

      const fromSecond = replaySink();
      await store.replayEventsAfter(second, fromSecond);
      expect(fromSecond.sent.map((event) => event.eventId)).toEqual([third]);

      const fromLast = replaySink();
      await store.replayEventsAfter(third, fromLast);
      expect(fromLast.sent).toHaveLength(0);
    });

    it('replays ids it returned during replay, so a client can resume twice', async () => {
      const { events } = await target.openEmpty();
      const store = events.forSession('s-a');
      const start = await store.storeEvent(GET_STREAM, PRIMING);
      await store.storeEvent(GET_STREAM, notification('s-a', 1));
      await store.storeEvent(GET_STREAM, notification('s-a', 2));
      const once = replaySink();
      await store.replayEventsAfter(start, once);
      const twice = replaySink();
      await store.replayEventsAfter(once.sent[0]?.eventId ?? '', twice);
      expect(twice.sent.map((event) => event.message)).toEqual([notification('s-a', 2)]);
    });

    it('never replays another session’s events for that session’s event id', async () => {
      const { events } = await target.openEmpty();
      const theirs = events.forSession('s-b');
      const start = await theirs.storeEvent(GET_STREAM, PRIMING);
      await theirs.storeEvent(GET_STREAM, notification('s-b', 1));
      await theirs.storeEvent(GET_STREAM, notification('s-b', 2));
      await events.forSession('s-a').storeEvent(GET_STREAM, PRIMING);
      await events.forSession('s-a').storeEvent(GET_STREAM, notification('s-a', 1));
      const sink = replaySink();
      // Rejecting is best (the SQL and Redis stores do: the id names its session); the memory store
      // resolves the id against the caller's own stream. Either way nothing of s-b may come out.
      await events.forSession('s-a').replayEventsAfter(start, sink).catch(() => undefined);
      expect(sink.sent.filter((event) => JSON.stringify(event.message).includes('"s-b"'))).toEqual([]);
      const own = replaySink();
      await theirs.replayEventsAfter(start, own);
      expect(own.sent).toHaveLength(2);
    });

    it('gives events stored concurrently on one stream ids in call order, and replays them in that order', async () => {
      const { events } = await target.openEmpty({ limits: { maxEventsPerStream: 30 } });
      const store = events.forSession('s-a');
      const start = await store.storeEvent(GET_STREAM, PRIMING);
      const numbers = Array.from({ length: 40 }, (_, index) => index + 1);
      const ids = await Promise.all(
        numbers.map((n) => (n % 4 === 0 ? events.forSession('s-b') : store).storeEvent(GET_STREAM, notification(n % 4 === 0 ? 's-b' : 's-a', n))),
      );
      const mine = numbers.filter((n) => n % 4 !== 0);
      const sink = replaySink();
      await store.replayEventsAfter(start, sink);
      // s-a has 31 events with the priming one; the cap of 30 drops exactly that one.
      expect(mine).toHaveLength(30);
      expect(sink.sent.map((event) => event.message)).toEqual(mine.map((n) => notification('s-a', n)));
      expect(sink.sent.map((event) => event.eventId)).toEqual(ids.filter((_, index) => (index + 1) % 4 !== 0));
    });

    it('keeps only the newest events up to the cap when they arrive concurrently', async () => {
      const { events } = await target.openEmpty({ limits: { maxEventsPerStream: 5 } });
      const store = events.forSession('s-a');
      const start = await store.storeEvent(GET_STREAM, PRIMING);
      const ids = await Promise.all(Array.from({ length: 12 }, (_, index) => store.storeEvent(GET_STREAM, notification('s-a', index + 1))));
      const sink = replaySink();
      await store.replayEventsAfter(start, sink).catch(() => undefined);
      const fromFirst = replaySink();
      await store.replayEventsAfter(ids[0] ?? '', fromFirst);
      expect(fromFirst.sent.map((event) => event.eventId)).toEqual(ids.slice(7));
      // From the priming id: the same newest five, or an error where that id is gone.
      expect(sink.sent.map((event) => event.eventId)).toEqual(sink.sent.length === 0 ? [] : ids.slice(7));
    });

    it('keeps only the newest events of a stream up to the cap', async () => {
      const { events } = await target.openEmpty({ limits: { maxEventsPerStream: 5 } });
      const store = events.forSession('s-a');
      const ids: string[] = [];
      for (let n = 1; n <= 12; n += 1) ids.push(await store.storeEvent(GET_STREAM, notification('s-a', n)));
      await store.storeEvent('other', notification('s-a', 0));
      const sink = replaySink();
      await store.replayEventsAfter(ids[0] ?? '', sink);
      expect(sink.sent.map((event) => event.eventId)).toEqual(ids.slice(7));
    });

    it('stops replaying events older than the TTL and purges them', async () => {
      let now = T0;
      const { events } = await target.openEmpty({ limits: { ttlMs: 10_000 }, now: () => now });
      const store = events.forSession('s-a');
      const primingId = await store.storeEvent(GET_STREAM, PRIMING);
      await store.storeEvent(GET_STREAM, notification('s-a', 1));
      now = T0 + 6_000;
      const fresh = await store.storeEvent(GET_STREAM, notification('s-a', 2));
      now = T0 + 10_001;

      const sink = replaySink();
      await store.replayEventsAfter(primingId, sink);
      expect(sink.sent.map((event) => event.eventId)).toEqual([fresh]);
      expect(await events.purgeExpired(now)).toBe(2);
      expect(await events.purgeExpired(now)).toBe(0);
      expect(await store.getStreamIdForEventId?.(fresh)).toBe(GET_STREAM);

      now = T0 + 16_001;
      expect(await events.purgeExpired(now)).toBe(1);
      expect(await store.getStreamIdForEventId?.(fresh)).toBeUndefined();
    });

    it('purges the events of sessions that are no longer live, and only those', async () => {
      const { events } = await target.openEmpty();
      for (const sessionId of ['s-a', 's-b', 's-c']) {
        await events.forSession(sessionId).storeEvent(GET_STREAM, notification(sessionId, 1));
        await events.forSession(sessionId).storeEvent('req', notification(sessionId, 2));
      }
      const kept = await events.forSession('s-b').storeEvent(GET_STREAM, notification('s-b', 3));
      expect(await events.purgeExpired(Date.now(), new Set(['s-b']))).toBe(4);
      expect(await events.forSession('s-b').getStreamIdForEventId?.(kept)).toBe(GET_STREAM);
      expect(await events.purgeExpired(Date.now(), new Set(['s-b']))).toBe(0);
    });

    it('deleteSession removes one session’s streams and leaves the same stream ids of others', async () => {
      const { events } = await target.openEmpty();
      const a = await events.forSession('s-a').storeEvent(GET_STREAM, notification('s-a', 1));
      const b = await events.forSession('s-b').storeEvent(GET_STREAM, PRIMING);
      await events.forSession('s-b').storeEvent(GET_STREAM, notification('s-b', 1));
      await events.deleteSession('s-a');
      expect(await events.forSession('s-a').getStreamIdForEventId?.(a)).toBeUndefined();
      const sink = replaySink();
      await events.forSession('s-b').replayEventsAfter(b, sink);
      expect(sink.sent.map((event) => event.message)).toEqual([notification('s-b', 1)]);
    });

    it('round-trips a large message exactly (compressed at rest where the backend does so)', async () => {
      const { events } = await target.openEmpty();
      const store = events.forSession('s-a');
      const start = await store.storeEvent(GET_STREAM, PRIMING);
      const big = notification('s-a', 1, 'ünïcødé '.repeat(20_000));
      await store.storeEvent(GET_STREAM, big);
      const sink = replaySink();
      await store.replayEventsAfter(start, sink);
      expect(sink.sent.map((event) => event.message)).toEqual([big]);
    });
  });
}
