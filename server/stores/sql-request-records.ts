import type { SqlClient } from './sql-client';
import { sqlNumber } from './sql-client';
import { insertRequests, trimRequests, type RequestInsert } from './sql-batches';
import { SqlTrimCounter } from './sql-trim-counter';
import { TickBatcher } from './tick-batcher';
import type { RequestRecord } from './types';

interface RequestRow extends Record<string, unknown> {
  session_id: string;
  request_id: string | number | null;
  method: string;
  tool: string | null;
  started_at: unknown;
  duration_ms: unknown;
  status: number;
}

/** Calls per batched insert. */
const MAX_BATCH = 512;
/** A session's request records are trimmed to the cap every this many inserts (from this process). */
const TRIM_REQUESTS_EVERY = 32;
/** Sessions whose insert count this process remembers for trimming; the oldest is forgotten beyond it. */
const TRIM_COUNTERS_KEPT = 10_000;

/**
 * Request records on SQL (pglite and postgres), capped per session. `trackRequest` calls of one tick share
 * one insert (`sql-batches.ts`), and a write-behind batch (`trackRequests`) is one insert however large.
 * Records are trimmed to the cap every {@link TRIM_REQUESTS_EVERY} inserts of a session rather than on each
 * one; `listRequests` never returns more than the cap.
 *
 * @example
 * ```ts
 * const requests = new SqlRequestRecords(sql, 1_000);
 * await requests.trackRequests(batch);
 * ```
 */
export class SqlRequestRecords {
  readonly #sql: SqlClient;
  readonly #maxRequestsPerSession: number;
  readonly #inserts: TickBatcher<RequestInsert, undefined>;
  readonly #trims = new SqlTrimCounter(TRIM_REQUESTS_EVERY, TRIM_COUNTERS_KEPT);

  constructor(sql: SqlClient, maxRequestsPerSession: number) {
    this.#sql = sql;
    this.#maxRequestsPerSession = maxRequestsPerSession;
    this.#inserts = new TickBatcher(async (records) => {
      await this.#insert(records);
      return records.map(() => undefined);
    }, MAX_BATCH);
  }

  async trackRequest(record: RequestRecord): Promise<void> {
    await this.#inserts.add(toInsert(record));
  }

  async trackRequests(records: readonly RequestRecord[]): Promise<void> {
    for (let start = 0; start < records.length; start += MAX_BATCH) {
      await this.#insert(records.slice(start, start + MAX_BATCH).map(toInsert));
    }
  }

  async listRequests(sessionId: string, limit = 100): Promise<RequestRecord[]> {
    const { rows } = await this.#sql.query<RequestRow>(
      `SELECT session_id, request_id, method, tool, started_at, duration_ms, status
       FROM mcp_requests WHERE session_id = $1 ORDER BY id DESC LIMIT $2`,
      [sessionId, Math.min(limit, this.#maxRequestsPerSession)],
    );
    return rows.map((row) => ({
      sessionId: row.session_id,
      requestId: row.request_id,
      method: row.method,
      tool: row.tool,
      startedAt: sqlNumber(row.started_at),
      durationMs: sqlNumber(row.duration_ms),
      status: row.status,
    }));
  }

  async #insert(records: readonly RequestInsert[]): Promise<void> {
    await insertRequests(this.#sql, records);
    const due = this.#trims.count(records.map((record) => record.sessionId));
    if (due.length > 0) await trimRequests(this.#sql, due, this.#maxRequestsPerSession);
  }
}

function toInsert(record: RequestRecord): RequestInsert {
  const { sessionId, requestId, method, tool, startedAt, durationMs, status } = record;
  return { sessionId, requestIdJson: JSON.stringify(requestId), method, tool, startedAt, durationMs, status };
}
