import type { EventId, EventStore, JSONRPCMessage, StreamId } from '@modelcontextprotocol/server';
import { decodeEventMessage, encodeEventMessage, isPrimingEvent, parseScopedEventId, scopedEventId } from './event-codec';
import type { SqlClient } from './sql-client';
import { sqlNumber } from './sql-client';
import { insertEvents, trimEvents, type EventInsert } from './sql-batches';
import { SqlSessionCloses } from './sql-session-closes';
import { SqlTrimCounter } from './sql-trim-counter';
import { TickBatcher } from './tick-batcher';
import type { EventStoreLimits, SessionEventStore } from './types';

/** Events per INSERT: bounds one statement's parameters (~100 KB each at the compression threshold). */
const MAX_EVENTS_PER_BATCH = 256;
/** A stream is trimmed to its cap every this many inserts (from this process), or every `cap` when smaller. */
const TRIM_EVENTS_EVERY = 32;
/** The SDK's standalone GET stream: one id per session for every GET, unlike a POST stream's fresh UUID. */
const SDK_GET_STREAM_ID = '_GET_stream';
/** The seq of a lazily stored priming event's id: it stands before every event of its stream. */
const STREAM_START_SEQ = 0;
/** Streams whose insert count this process remembers for trimming; the least recently used is forgotten beyond it. */
const TRIM_COUNTERS_KEPT = 10_000;

/**
 * Tuning the SQL event store takes from its factory.
 *
 * @example
 * ```ts
 * const settings: SqlEventStoreSettings = { limits: { ttlMs: 300_000, maxEventsPerStream: 1_000 }, compressAboveBytes: 4_096, now: Date.now };
 * ```
 */
export interface SqlEventStoreSettings {
  limits: EventStoreLimits;
  compressAboveBytes: number;
  now: () => number;
  /** Shared with the session store of the same database, so a `DELETE`'s two writes share a statement. */
  closes?: SqlSessionCloses;
}

/**
 * {@link SessionEventStore} on the `mcp_events` table, shared by pglite and postgres. Event ids are
 * `{sessionId}:{streamId}:{row id}`; the row id is a global bigserial, so order within a stream is
 * insertion order and a resumed stream replays exactly what came after the client's last id.
 * Events stored in one tick go in as one INSERT (`sql-batches.ts`); each call resolves once that
 * statement has committed, so an id is never handed out before its event is durable. A stream is trimmed
 * to `maxEventsPerStream` every few of its inserts, not on each (`sql-trim-counter.ts`); replay reads the
 * newest `maxEventsPerStream` only, so the rows between trims are never seen.
 *
 * A priming event is a cursor without content and needs no wait of its own (`types.ts`). The SDK writes one
 * at the start of every POST stream, whose id is a fresh UUID, and awaits it before it even dispatches the
 * request: so it is queued with the tick's INSERT but not awaited, and its id is `{stream}:0`, "from the
 * start of the stream". Every event stored after it goes into the same or a later INSERT, so the first one
 * a client can resume into makes it durable too; a crash before that leaves an id the restarted server does
 * not know, and the client opens the stream afresh, which is all a stream with nothing in it needs.
 *
 * @example
 * ```ts
 * async function resume(events: SqlEventStore, sessionId: string, lastEventId: string): Promise<string> {
 *   return events.forSession(sessionId).replayEventsAfter(lastEventId, { send: async () => {} });
 * }
 * ```
 */
export class SqlEventStore implements SessionEventStore {
  readonly #sql: SqlClient;
  readonly #settings: SqlEventStoreSettings;
  readonly #inserts: TickBatcher<QueuedEvent, number>;
  readonly #trims: SqlTrimCounter;
  readonly #closes: SqlSessionCloses;
  /** Priming events queued but not yet committed, by stream key: a resume in this process waits for them. */
  readonly #primings = new Map<string, Promise<unknown>>();
  #closed = false;

  constructor(sql: SqlClient, settings: SqlEventStoreSettings) {
    this.#sql = sql;
    this.#settings = settings;
    this.#trims = new SqlTrimCounter(Math.min(TRIM_EVENTS_EVERY, settings.limits.maxEventsPerStream), TRIM_COUNTERS_KEPT);
    this.#inserts = new TickBatcher((events) => this.#insert(events), MAX_EVENTS_PER_BATCH);
    this.#closes = settings.closes ?? new SqlSessionCloses(sql);
  }

  forSession(sessionId: string): EventStore {
    return {
      storeEvent: (streamId, message) => this.#store(sessionId, streamId, message),
      getStreamIdForEventId: async (eventId) => {
        const parsed = parseRowEventId(sessionId, eventId);
        if (parsed === undefined) return undefined;
        return (await this.#streamKnown(sessionId, parsed.streamId)) ? parsed.streamId : undefined;
      },
      replayEventsAfter: (lastEventId, { send }) => this.#replay(sessionId, lastEventId, send),
    };
  }

  /**
   * A queued priming event's row only makes its stream known to a resume that comes before anything else is
   * stored; an event of the same stream in the same INSERT does that too, atomically, so the row is left out.
   */
  async #insert(queued: QueuedEvent[]): Promise<number[]> {
    const keyOf = (item: QueuedEvent): string => streamKey(item.event.sessionId, item.event.streamId);
    const streamsWithContent = new Set(queued.filter((item) => !item.lazyPriming).map(keyOf));
    const kept = queued.filter((item) => !item.lazyPriming || !streamsWithContent.has(keyOf(item)));
    const events = kept.map((item) => item.event);
    const insertedIds = await insertEvents(this.#sql, events);
    const idOf = new Map(kept.map((item, index) => [item, insertedIds[index] ?? STREAM_START_SEQ]));
    const ids = queued.map((item) => idOf.get(item) ?? STREAM_START_SEQ);
    const due = this.#trims.count(events.map((event) => streamKey(event.sessionId, event.streamId)));
    if (due.length > 0) {
      const streams = due.map((key) => {
        const [sessionId, streamId] = JSON.parse(key) as [string, string];
        return { sessionId, streamId };
      });
      // The events are durable already; a failed trim is retried when the stream comes due again.
      await trimEvents(this.#sql, streams, this.#settings.limits.maxEventsPerStream).catch(() => undefined);
    }
    return ids;
  }

  async #store(sessionId: string, streamId: StreamId, message: JSONRPCMessage): Promise<EventId> {
    const payload = await encodeEventMessage(message, { compressAboveBytes: this.#settings.compressAboveBytes });
    const lazyPriming = isPrimingEvent(message) && streamId !== SDK_GET_STREAM_ID;
    const inserted = this.#inserts.add({ event: { sessionId, streamId, payload, createdAt: this.#settings.now() }, lazyPriming });
    if (!lazyPriming) return scopedEventId(sessionId, streamId, await inserted);
    const key = streamKey(sessionId, streamId);
    // A failed insert fails the events queued with it, which their callers see; this one only loses a cursor.
    const settled = inserted.then(
      () => undefined,
      () => undefined,
    );
    this.#primings.set(key, settled);
    void settled.then(() => {
      if (this.#primings.get(key) === settled) this.#primings.delete(key);
    });
    return scopedEventId(sessionId, streamId, STREAM_START_SEQ);
  }

  /** Whether a stream has any event stored (a priming event this process queued counts once committed). */
  async #streamKnown(sessionId: string, streamId: StreamId): Promise<boolean> {
    await this.#primings.get(streamKey(sessionId, streamId));
    const { rows } = await this.#sql.query('SELECT 1 AS found FROM mcp_events WHERE session_id = $1 AND stream_id = $2 LIMIT 1', [
      sessionId,
      streamId,
    ]);
    return rows.length > 0;
  }

  async #replay(
    sessionId: string,
    lastEventId: EventId,
    send: (eventId: EventId, message: JSONRPCMessage) => Promise<void>,
  ): Promise<StreamId> {
    const parsed = parseRowEventId(sessionId, lastEventId);
    if (parsed === undefined) throw new Error(`Unknown event id ${lastEventId}`);
    if (!(await this.#streamKnown(sessionId, parsed.streamId))) throw new Error(`Unknown event id ${lastEventId}`);
    const cutoff = this.#settings.now() - this.#settings.limits.ttlMs;
    // Read the whole tail first: `send` may store new events on this stream while we replay. The
    // newest `cap` only: a stream is trimmed every few inserts, so it may briefly hold more.
    const { rows } = await this.#sql.query<{ id: unknown; payload: string }>(
      `SELECT id, payload FROM (
         SELECT id, payload FROM mcp_events
         WHERE session_id = $1 AND stream_id = $2 AND id > $3 AND created_at >= $4 ORDER BY id DESC LIMIT $5) AS tail
       ORDER BY id`,
      [sessionId, parsed.streamId, parsed.seq, cutoff, this.#settings.limits.maxEventsPerStream],
    );
    for (const row of rows) {
      const message = await decodeEventMessage(row.payload);
      if (isPrimingEvent(message)) continue;
      await send(scopedEventId(sessionId, parsed.streamId, sqlNumber(row.id)), message);
    }
    return parsed.streamId;
  }

  /** The deletions and status changes of one tick share one statement (`sql-session-closes.ts`). */
  deleteSession(sessionId: string): Promise<void> {
    return this.#closes.deleteEvents(sessionId);
  }

  async purgeExpired(now: number, liveSessionIds?: ReadonlySet<string>): Promise<number> {
    const cutoff = now - this.#settings.limits.ttlMs;
    const { rowCount: expired } = await this.#sql.query('DELETE FROM mcp_events WHERE created_at < $1', [cutoff]);
    if (liveSessionIds === undefined) return expired;
    const { rowCount: orphaned } = await this.#sql.query(
      'DELETE FROM mcp_events WHERE NOT (session_id = ANY($1::text[]))',
      [[...liveSessionIds]],
    );
    return expired + orphaned;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#sql.close();
  }
}

/** An event waiting for the tick's INSERT; `lazyPriming`: a POST stream's priming event, not awaited. */
interface QueuedEvent {
  event: EventInsert;
  lazyPriming: boolean;
}

function streamKey(sessionId: string, streamId: StreamId): string {
  return JSON.stringify([sessionId, streamId]);
}

/** A scoped event id whose seq is a row id: digits only, so it can never break the SQL cast. */
function parseRowEventId(sessionId: string, eventId: EventId): { streamId: StreamId; seq: string } | undefined {
  const parsed = parseScopedEventId(sessionId, eventId);
  return parsed !== undefined && /^\d{1,18}$/.test(parsed.seq) ? parsed : undefined;
}
