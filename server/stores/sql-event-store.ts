import type { EventId, EventStore, JSONRPCMessage, StreamId } from '@modelcontextprotocol/server';
import { decodeEventMessage, encodeEventMessage, isPrimingEvent, parseScopedEventId, scopedEventId } from './event-codec';
import type { SqlClient } from './sql-client';
import { sqlNumber } from './sql-client';
import { deleteSessionEvents, insertEvents, trimEvents, type EventInsert } from './sql-batches';
import { SqlTrimCounter } from './sql-trim-counter';
import { SqlWriteBatcher } from './sql-write-batcher';
import { TickBatcher } from './tick-batcher';
import type { EventStoreLimits, SessionEventStore } from './types';

/** Events per INSERT: bounds one statement's parameters (~100 KB each at the compression threshold). */
const MAX_EVENTS_PER_BATCH = 256;
/** A stream is trimmed to its cap every this many inserts (from this process), or every `cap` when smaller. */
const TRIM_EVENTS_EVERY = 32;
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
  readonly #inserts: TickBatcher<EventInsert, number>;
  readonly #trims: SqlTrimCounter;
  readonly #deletes: SqlWriteBatcher<string, undefined>;
  #closed = false;

  constructor(sql: SqlClient, settings: SqlEventStoreSettings) {
    this.#sql = sql;
    this.#settings = settings;
    this.#trims = new SqlTrimCounter(Math.min(TRIM_EVENTS_EVERY, settings.limits.maxEventsPerStream), TRIM_COUNTERS_KEPT);
    this.#inserts = new TickBatcher((events) => this.#insert(events), MAX_EVENTS_PER_BATCH);
    this.#deletes = new SqlWriteBatcher((sessionIds) => deleteSessionEvents(sql, sessionIds));
  }

  forSession(sessionId: string): EventStore {
    return {
      storeEvent: (streamId, message) => this.#store(sessionId, streamId, message),
      getStreamIdForEventId: async (eventId) => {
        const parsed = parseRowEventId(sessionId, eventId);
        if (parsed === undefined) return undefined;
        const { rows } = await this.#sql.query(
          'SELECT 1 AS found FROM mcp_events WHERE session_id = $1 AND stream_id = $2 LIMIT 1',
          [sessionId, parsed.streamId],
        );
        return rows.length > 0 ? parsed.streamId : undefined;
      },
      replayEventsAfter: (lastEventId, { send }) => this.#replay(sessionId, lastEventId, send),
    };
  }

  async #insert(events: EventInsert[]): Promise<number[]> {
    const ids = await insertEvents(this.#sql, events);
    const due = this.#trims.count(events.map((event) => JSON.stringify([event.sessionId, event.streamId])));
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
    const id = await this.#inserts.add({ sessionId, streamId, payload, createdAt: this.#settings.now() });
    return scopedEventId(sessionId, streamId, id);
  }

  async #replay(
    sessionId: string,
    lastEventId: EventId,
    send: (eventId: EventId, message: JSONRPCMessage) => Promise<void>,
  ): Promise<StreamId> {
    const parsed = parseRowEventId(sessionId, lastEventId);
    if (parsed === undefined) throw new Error(`Unknown event id ${lastEventId}`);
    const { rows: known } = await this.#sql.query(
      'SELECT 1 AS found FROM mcp_events WHERE session_id = $1 AND stream_id = $2 LIMIT 1',
      [sessionId, parsed.streamId],
    );
    if (known.length === 0) throw new Error(`Unknown event id ${lastEventId}`);
    const cutoff = this.#settings.now() - this.#settings.limits.ttlMs;
    // Read the whole tail first: `send` may store new events on this stream while we replay. The
    // newest `cap` only: a batch may leave a stream briefly over its cap (`insertEvents`).
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

  /** The deletions of one tick share one statement. */
  deleteSession(sessionId: string): Promise<void> {
    return this.#deletes.add(sessionId);
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

/** A scoped event id whose seq is a row id: digits only, so it can never break the SQL cast. */
function parseRowEventId(sessionId: string, eventId: EventId): { streamId: StreamId; seq: string } | undefined {
  const parsed = parseScopedEventId(sessionId, eventId);
  return parsed !== undefined && /^\d{1,18}$/.test(parsed.seq) ? parsed : undefined;
}
