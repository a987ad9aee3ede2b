import type { EventId, EventStore, JSONRPCMessage, StreamId } from '@modelcontextprotocol/server';
import { decodeEventMessage, encodeEventMessage, isPrimingEvent, parseScopedEventId, scopedEventId } from './event-codec';
import type { RedisKeys } from './redis-keys';
import { DELETE_SESSION_EVENTS, STORE_EVENTS } from './redis-event-scripts';
import { runScript } from './redis-run-script';
import type { RedisClient } from './redis-session-store';
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
/** Events written per script call. */
const MAX_EVENTS_PER_BATCH = 256;
/** The SDK's stream id for the standalone (GET) stream: the one stream a priming event may find not empty. */
const STANDALONE_STREAM_ID = '_GET_stream';
/** Entry id of the cursor that opens a fresh stream: before every id Redis generates (`0-0` is not allowed). */
const FRESH_STREAM_CURSOR = '0-1';

interface EventWrite {
  sessionId: string;
  streamId: StreamId;
  payload: string;
  storedAt: number;
  /** `*`, or {@link FRESH_STREAM_CURSOR}. */
  id: string;
  /** Absent for a cursor nobody waits for. */
  resolve?: (id: string) => void;
  reject?: (error: unknown) => void;
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
 * Events stored in one tick go in one script call (`redis-event-scripts.ts`: one XADD each, one PEXPIRE/SADD/ZADD
 * per stream), and each call resolves once Redis has applied it: as durable as Redis's own persistence is configured.
 *
 * The priming event of a POST stream (a bare cursor, on a stream id the SDK draws at random for that request) gets
 * the id `0-1` without a round trip: it is written with the next batch, ahead of the stream's first real event, and
 * nobody waits for it. That event makes it exist too; a crash before leaves an id the server does not know, and the
 * client opens the stream afresh, which is all a stream with nothing after its cursor needs (as in the file store).
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
  #queue: EventWrite[] = [];
  #scheduled = false;
  #running = false;
  #closed = false;

  constructor(client: RedisClient, keys: RedisKeys, settings: RedisEventStoreSettings) {
    this.#client = client;
    this.#keys = keys;
    this.#settings = settings;
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
    const storedAt = this.#settings.now();
    if (streamId !== STANDALONE_STREAM_ID && isPrimingEvent(message)) {
      this.#enqueue({ sessionId, streamId, payload, storedAt, id: FRESH_STREAM_CURSOR });
      return scopedEventId(sessionId, streamId, FRESH_STREAM_CURSOR);
    }
    const entryId = await new Promise<string>((resolve, reject) => {
      this.#enqueue({ sessionId, streamId, payload, storedAt, id: '*', resolve, reject });
    });
    return scopedEventId(sessionId, streamId, entryId);
  }

  #enqueue(write: EventWrite): void {
    this.#queue.push(write);
    if (this.#running || this.#scheduled) return;
    this.#scheduled = true;
    // One turn of the event loop: every request handled in this turn joins the batch.
    setImmediate(() => {
      this.#scheduled = false;
      void this.#drain();
    });
  }

  /**
   * One batch in flight at a time, so batches apply in call order even when Redis answers NOSCRIPT and the text
   * follows (a later EVALSHA must not overtake it); writes made meanwhile form the next batch.
   */
  async #drain(): Promise<void> {
    this.#running = true;
    try {
      while (this.#queue.length > 0) await this.#write(this.#queue.splice(0, MAX_EVENTS_PER_BATCH));
    } finally {
      this.#running = false;
    }
  }

  /** One script call for a batch; settles each write with its entry id. */
  async #write(writes: readonly EventWrite[]): Promise<void> {
    const { ttlMs, maxEventsPerStream } = this.#settings.limits;
    const args = [this.#keys.prefix, String(ttlMs), String(maxEventsPerStream)];
    for (const write of writes) args.push(write.sessionId, write.streamId, write.payload, String(write.storedAt), write.id);
    try {
      const reply = await runScript(this.#client, STORE_EVENTS, { arguments: args });
      if (!Array.isArray(reply) || reply.length !== writes.length) throw new TypeError(`Expected ${writes.length} entry ids, got ${String(reply)}`);
      writes.forEach((write, index) => write.resolve?.(String(reply[index])));
    } catch (error) {
      for (const write of writes) write.reject?.(error);
    }
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
    await runScript(this.#client, DELETE_SESSION_EVENTS, { arguments: [this.#keys.prefix, sessionId] });
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

/** `ev-index` members are `{sessionId}\0{streamId}`: NUL cannot occur in header values, so it separates them safely. */
function parseIndexMember(member: string): [string, StreamId] {
  const at = member.indexOf('\u0000');
  return [member.slice(0, at), member.slice(at + 1)];
}
