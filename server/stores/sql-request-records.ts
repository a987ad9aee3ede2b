import type { SqlClient } from './sql-client';
import { sqlNumber } from './sql-client';
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

/**
 * Request records on SQL (pglite and postgres), capped per session: one insert-and-trim statement per record,
 * two statements per write-behind batch however large.
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

  constructor(sql: SqlClient, maxRequestsPerSession: number) {
    this.#sql = sql;
    this.#maxRequestsPerSession = maxRequestsPerSession;
  }

  async trackRequest(record: RequestRecord): Promise<void> {
    // Insert and trim in one statement (see SqlEventStore: the DELETE does not see the new row, so it
    // keeps the newest `cap - 1` older ones). Ids grow monotonically, so "older" is one index range.
    await this.#sql.query(
      `WITH inserted AS (
         INSERT INTO mcp_requests (session_id, request_id, method, tool, started_at, duration_ms, status)
         VALUES ($1, $2::jsonb, $3, $4, $5, $6, $7)
       )
       DELETE FROM mcp_requests WHERE session_id = $1 AND id <= (
         SELECT id FROM mcp_requests WHERE session_id = $1 ORDER BY id DESC OFFSET $8 LIMIT 1)`,
      [
        record.sessionId,
        JSON.stringify(record.requestId),
        record.method,
        record.tool,
        record.startedAt,
        record.durationMs,
        record.status,
        this.#maxRequestsPerSession - 1,
      ],
    );
  }

  async trackRequests(records: readonly RequestRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.#sql.query(
      `INSERT INTO mcp_requests (session_id, request_id, method, tool, started_at, duration_ms, status)
       SELECT s, r::jsonb, m, t, st, d, code
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::float8[], $7::int[]) AS v(s, r, m, t, st, d, code)`,
      [
        records.map((record) => record.sessionId),
        records.map((record) => JSON.stringify(record.requestId)),
        records.map((record) => record.method),
        records.map((record) => record.tool),
        records.map((record) => record.startedAt),
        records.map((record) => record.durationMs),
        records.map((record) => record.status),
      ],
    );
    // Trim every session of the batch to its newest `cap` records in one statement.
    await this.#sql.query(
      `DELETE FROM mcp_requests WHERE id IN (
         SELECT id FROM (
           SELECT id, row_number() OVER (PARTITION BY session_id ORDER BY id DESC) AS n
           FROM mcp_requests WHERE session_id = ANY($1::text[])) ranked
         WHERE n > $2)`,
      [[...new Set(records.map((record) => record.sessionId))], this.#maxRequestsPerSession],
    );
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
}
