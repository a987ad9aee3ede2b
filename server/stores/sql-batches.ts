/**
 * The statements the SQL stores send once per batch of calls (see `tick-batcher.ts`): everything the
 * session layer does per request (validate, touch, track, store events) from many concurrent requests
 * in one statement and one commit, instead of one each. PGlite runs one statement at a time (0.3-0.7 ms
 * each, measured), and every PostgreSQL commit waits for its WAL flush, so this is where their time went.
 * Values always go in as parameters, never spliced into the SQL text: as arrays (`unnest`), or, for the
 * writes a client waits for, as a multi-row `VALUES` list of placeholders ({@link valuesList}), which PGlite
 * plans and runs in half the time (an event INSERT of 1 row: 0.26 ms against 0.45 ms; of 6 rows: 0.41 ms
 * against 0.64 ms, measured).
 */
import type { SqlExecutor } from './sql-client';
import { sqlNumber } from './sql-client';
import type { SessionTouch } from './types';

/**
 * The placeholders of a multi-row `VALUES` list: `($1, $2), ($3, $4)` for 2 rows of 2 columns. `casts` type the
 * first row's columns (`['text', 'bigint']`), which types the whole column where no target column does.
 */
export function valuesList(rows: number, columns: number, casts: readonly string[] = []): string {
  const list: string[] = [];
  for (let row = 0; row < rows; row += 1) {
    const cells: string[] = [];
    for (let column = 0; column < columns; column += 1) {
      const cast = row === 0 ? casts[column] : undefined;
      cells.push(`$${row * columns + column + 1}${cast === undefined ? '' : `::${cast}`}`);
    }
    list.push(`(${cells.join(', ')})`);
  }
  return list.join(', ');
}

/** One `storeEvent` call. */
export interface EventInsert {
  sessionId: string;
  streamId: string;
  payload: string;
  createdAt: number;
}

/** Inserts events in call order and returns their row ids in the same order. Trimming is separate ({@link trimEvents}). */
export async function insertEvents(sql: SqlExecutor, events: readonly EventInsert[]): Promise<number[]> {
  const { rows } = await sql.query<{ id: unknown }>(
    `INSERT INTO mcp_events (session_id, stream_id, payload, created_at) VALUES ${valuesList(events.length, 4)} RETURNING id`,
    events.flatMap((event) => [event.sessionId, event.streamId, event.payload, event.createdAt]),
  );
  // Ids come from one sequence, taken row by row in VALUES order, so ascending ids are call order.
  return rows.map((row) => sqlNumber(row.id)).sort((a, b) => a - b);
}

/** Deletes all but the newest `cap` events of each stream given. */
export async function trimEvents(sql: SqlExecutor, streams: ReadonlyArray<{ sessionId: string; streamId: string }>, cap: number): Promise<void> {
  await sql.query(
    `DELETE FROM mcp_events AS e USING unnest($1::text[], $2::text[]) AS s(session_id, stream_id)
     WHERE e.session_id = s.session_id AND e.stream_id = s.stream_id AND e.id <= (
       SELECT x.id FROM mcp_events AS x WHERE x.session_id = s.session_id AND x.stream_id = s.stream_id
       ORDER BY x.id DESC OFFSET $3 LIMIT 1)`,
    [streams.map((stream) => stream.sessionId), streams.map((stream) => stream.streamId), cap],
  );
}

/** Deletes every event of the sessions given. */
export async function deleteSessionEvents(sql: SqlExecutor, sessionIds: readonly string[]): Promise<undefined[]> {
  await sql.query('DELETE FROM mcp_events WHERE session_id = ANY($1::text[])', [[...new Set(sessionIds)]]);
  return sessionIds.map(() => undefined);
}

/** One `trackRequest` call, as stored. */
export interface RequestInsert {
  sessionId: string;
  /** `JSON.stringify` of the JSON-RPC id. */
  requestIdJson: string;
  method: string;
  tool: string | null;
  startedAt: number;
  durationMs: number;
  status: number;
}

/** Inserts request records in call order. */
export async function insertRequests(sql: SqlExecutor, requests: readonly RequestInsert[]): Promise<void> {
  await sql.query(
    `INSERT INTO mcp_requests (session_id, request_id, method, tool, started_at, duration_ms, status)
     SELECT session_id, request_id, method, tool, started_at, duration_ms, status
     FROM unnest($1::text[], $2::jsonb[], $3::text[], $4::text[], $5::bigint[], $6::float8[], $7::int[]) WITH ORDINALITY
       AS t(session_id, request_id, method, tool, started_at, duration_ms, status, ord)
     ORDER BY ord`,
    [
      requests.map((request) => request.sessionId),
      requests.map((request) => request.requestIdJson),
      requests.map((request) => request.method),
      requests.map((request) => request.tool),
      requests.map((request) => request.startedAt),
      requests.map((request) => request.durationMs),
      requests.map((request) => request.status),
    ],
  );
}

/** Deletes all but the newest `cap` request records of each session. */
export async function trimRequests(sql: SqlExecutor, sessionIds: readonly string[], cap: number): Promise<void> {
  await sql.query(
    `DELETE FROM mcp_requests AS r USING unnest($1::text[]) AS s(session_id)
     WHERE r.session_id = s.session_id AND r.id <= (
       SELECT x.id FROM mcp_requests AS x WHERE x.session_id = s.session_id ORDER BY x.id DESC OFFSET $2 LIMIT 1)`,
    [sessionIds, cap],
  );
}

/**
 * Sets activity and expiry of many sessions. `forwardOnly` keeps the later of stored and given times
 * (`touchMany`); otherwise the given times win, and of several touches of one session the last call does.
 */
export async function updateTouches(sql: SqlExecutor, touches: readonly SessionTouch[], forwardOnly: boolean): Promise<void> {
  const merged = new Map<string, SessionTouch>();
  for (const touch of touches) {
    const seen = merged.get(touch.sessionId);
    merged.set(
      touch.sessionId,
      seen === undefined || !forwardOnly
        ? touch
        : {
            sessionId: touch.sessionId,
            lastActivityAt: Math.max(seen.lastActivityAt, touch.lastActivityAt),
            expiresAt: Math.max(seen.expiresAt, touch.expiresAt),
          },
    );
  }
  if (merged.size === 0) return;
  const latest = [...merged.values()];
  // UPDATE ... FROM applies one of several matching rows only: hence the merge above.
  const set = forwardOnly
    ? 'last_activity_at = GREATEST(s.last_activity_at, t.last_activity_at), expires_at = GREATEST(s.expires_at, t.expires_at)'
    : 'last_activity_at = t.last_activity_at, expires_at = t.expires_at';
  await sql.query(
    `UPDATE mcp_sessions AS s SET ${set}
     FROM unnest($1::text[], $2::bigint[], $3::bigint[]) AS t(session_id, last_activity_at, expires_at)
     WHERE s.session_id = t.session_id`,
    [latest.map((touch) => touch.sessionId), latest.map((touch) => touch.lastActivityAt), latest.map((touch) => touch.expiresAt)],
  );
}
