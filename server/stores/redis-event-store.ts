import type { EventId, EventStore, StreamId } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { decodeEventMessage, encodeEventMessage, isPrimingEvent, parseScopedEventId, scopedEventId } from './event-codec';
import type { RedisKeys } from './redis-keys';
import type { RedisClient } from './redis-session-store';
import { TickBatcher } from './tick-batcher';
import type { EventStoreLimits, SessionEventStore } from './types';

/**
 * Tuning the Redis event store takes from its factory.
 *
 * @example
 * ```ts
 * const settings: RedisEventStoreSettings = { limits: { ttlMs: 300_000, maxEventsPerStream: 1_000 }, compressAboveBytes: 4_096, now: Date.now, close: async () => {} };
 * ```
 */
export interface RedisEventStoreSettings {
  limits: EventStoreLimits;
  compressAboveBytes: number;
  now: () => number;
  close: () => Promise<void>;
}

/** Entries read per XRANGE while trimming a stream by age in `purgeExpired`. */
const TRIM_SCAN_BATCH = 100;
/** Events written per MULTI. */
const MAX_EVENTS_PER_BATCH = 256;

interface EventWrite {
  sessionId: string;
  streamId: StreamId;
  payload: string;
  storedAt: number;
}

/**
 * {@link SessionEventStore} on Redis streams: one stream per (session, SSE stream) at
 * `ev:{sessionId}:{streamId}`, entries `{ m: encoded message, t: stored-at ms }`, event ids
 * `{sessionId}:{streamId}:{entryId}` (server-anchors.md). Each write trims to the cap and pushes the
 * key's PEXPIRE to the TTL, so an abandoned stream disappears on its own; `purgeExpired` trims
 * single old entries of streams that are still written to.
 *
 * The cap is exact (`MAXLEN =`), not `~`: approximate trimming only drops whole macro nodes
 * (`stream-node-max-entries`, 100 by default), so a cap below ~100 would never be applied. Exact
 * trimming removes at most one entry per XADD here, which costs next to nothing.
 *
 * Events stored in one tick go in one MULTI (one XADD each, one PEXPIRE/SADD/ZADD per stream), and each
 * call resolves once Redis has applied it: as durable as Redis's own persistence is configured.
 *
 * @example
 * ```ts
 * async function resume(events: RedisEventStore, sessionId: string, lastEventId: string): Promise<string> {
 *   return events.forSession(sessionId).replayEventsAfter(lastEventId, { send: async () => {} });
 * }
 * ```
 */
export class RedisEventStore implements SessionEventStore {
  readonly #client: RedisClient;
  readonly #keys: RedisKeys;
  readonly #settings: RedisEventStoreSettings;
  readonly #writes: TickBatcher<EventWrite, string>;
  #closed = false;

  constructor(client: RedisClient, keys: RedisKeys, settings: RedisEventStoreSettings) {
    this.#client = client;
    this.#keys = keys;
    this.#settings = settings;
    this.#writes = new TickBatcher((writes) => this.#write(writes), MAX_EVENTS_PER_BATCH);
  }

  forSession(sessionId: string): EventStore {
    return {
      storeEvent: (streamId, message) => this.#store(sessionId, streamId, message),
      getStreamIdForEventId: async (eventId) => {
        const parsed = parseEntryEventId(sessionId, eventId);
        if (parsed === undefined) return undefined;
        const exists = await this.#client.exists(this.#keys.stream(sessionId, parsed.streamId));
        return exists === 1 ? parsed.streamId : undefined;
      },
      replayEventsAfter: (lastEventId, { send }) => this.#replay(sessionId, lastEventId, send),
    };
  }

  async #store(sessionId: string, streamId: StreamId, message: JSONRPCMessage): Promise<EventId> {
    const payload = await encodeEventMessage(message, { compressAboveBytes: this.#settings.compressAboveBytes });
    const entryId = await this.#writes.add({ sessionId, streamId, payload, storedAt: this.#settings.now() });
    return scopedEventId(sessionId, streamId, entryId);
  }

  /** One MULTI for a batch; returns the entry ids in call order (XADDs run in order on one connection). */
  async #write(writes: readonly EventWrite[]): Promise<string[]> {
    const { ttlMs, maxEventsPerStream } = this.#settings.limits;
    const multi = this.#client.multi();
    const newest = new Map<string, EventWrite>();
    for (const write of writes) {
      multi.xAdd(this.#keys.stream(write.sessionId, write.streamId), '*', { m: write.payload, t: String(write.storedAt) }, {
        TRIM: { strategy: 'MAXLEN', strategyModifier: '=', threshold: maxEventsPerStream },
      });
      newest.set(indexMember(write.sessionId, write.streamId), write);
    }
    for (const [member, write] of newest) {
      const streams = this.#keys.sessionStreams(write.sessionId);
      multi
        .pExpire(this.#keys.stream(write.sessionId, write.streamId), ttlMs)
        .sAdd(streams, write.streamId)
        .pExpire(streams, ttlMs)
        .zAdd(this.#keys.streamIndex, { score: write.storedAt, value: member });
    }
    const replies = await multi.exec();
    return writes.map((_, index) => String(replies[index]));
  }

  async #replay(
    sessionId: string,
    lastEventId: EventId,
    send: (eventId: EventId, message: JSONRPCMessage) => Promise<void>,
  ): Promise<StreamId> {
    const parsed = parseEntryEventId(sessionId, lastEventId);
    const key = parsed && this.#keys.stream(sessionId, parsed.streamId);
    if (parsed === undefined || key === undefined || (await this.#client.exists(key)) === 0) {
      throw new Error(`Unknown event id ${lastEventId}`);
    }
    const cutoff = this.#settings.now() - this.#settings.limits.ttlMs;
    // Read the whole tail first (bounded by the cap): `send` may add events to this stream meanwhile.
    const entries = (await this.#client.xRange(key, `(${parsed.seq}`, '+')) ?? [];
    for (const entry of entries) {
      const { m: payload, t: storedAt } = entry.message;
      if (payload === undefined || Number(storedAt) < cutoff) continue;
      const message = await decodeEventMessage(payload);
      if (isPrimingEvent(message)) continue;
      await send(scopedEventId(sessionId, parsed.streamId, entry.id), message);
    }
    return parsed.streamId;
  }

  async deleteSession(sessionId: string): Promise<void> {
    const streamIds = await this.#client.sMembers(this.#keys.sessionStreams(sessionId));
    const multi = this.#client.multi().del(this.#keys.sessionStreams(sessionId));
    for (const streamId of streamIds) {
      multi.del(this.#keys.stream(sessionId, streamId));
      multi.zRem(this.#keys.streamIndex, indexMember(sessionId, streamId));
    }
    await multi.exec();
  }

  async purgeExpired(now: number, liveSessionIds?: ReadonlySet<string>): Promise<number> {
    const cutoff = now - this.#settings.limits.ttlMs;
    let purged = 0;
    for (const member of await this.#client.zRangeWithScores(this.#keys.streamIndex, 0, -1)) {
      const [sessionId, streamId] = parseIndexMember(member.value);
      const key = this.#keys.stream(sessionId, streamId);
      const orphaned = liveSessionIds !== undefined && !liveSessionIds.has(sessionId);
      if (orphaned || member.score < cutoff) {
        // Every entry is older than the newest, so the whole stream goes.
        const [length] = await this.#client
          .multi()
          .xLen(key)
          .del(key)
          .zRem(this.#keys.streamIndex, member.value)
          .sRem(this.#keys.sessionStreams(sessionId), streamId)
          .exec();
        purged += Number(length);
      } else {
        purged += await this.#trimOlderThan(key, cutoff);
      }
    }
    return purged;
  }

  /** Drops the entries stored before `cutoff` from the head of a stream; returns how many. */
  async #trimOlderThan(key: string, cutoff: number): Promise<number> {
    let start = '-';
    let old = 0;
    for (;;) {
      const entries = (await this.#client.xRange(key, start, '+', { COUNT: TRIM_SCAN_BATCH })) ?? [];
      const firstKept = entries.find((entry) => !(Number(entry.message.t) < cutoff));
      if (firstKept !== undefined) {
        old += entries.indexOf(firstKept);
        if (old > 0) await this.#client.xTrim(key, 'MINID', firstKept.id);
        return old;
      }
      old += entries.length;
      const last = entries.at(-1);
      if (last === undefined || entries.length < TRIM_SCAN_BATCH) {
        if (old > 0) await this.#client.del(key);
        return old;
      }
      start = `(${last.id}`;
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#settings.close();
  }
}

/** A scoped event id whose seq is a Redis entry id (`<ms>-<seq>`). */
function parseEntryEventId(sessionId: string, eventId: EventId): { streamId: StreamId; seq: string } | undefined {
  const parsed = parseScopedEventId(sessionId, eventId);
  return parsed !== undefined && /^\d+-\d+$/.test(parsed.seq) ? parsed : undefined;
}

/** NUL cannot occur in session or stream ids (they are header values), so it separates them safely. */
function indexMember(sessionId: string, streamId: StreamId): string {
  return `${sessionId}\u0000${streamId}`;
}

function parseIndexMember(member: string): [string, StreamId] {
  const at = member.indexOf('\u0000');
  return [member.slice(0, at), member.slice(at + 1)];
}
