/**
 * The durable session writes of the SQL stores, many calls per statement (see `sql-write-batcher.ts`): what
 * every `initialize` (claim the app session, create the session) and every `DELETE` (mark it closed) costs.
 * A short-lived session spent four single-row statements and commits on these; PGlite runs one statement at
 * a time and PostgreSQL waits for every commit, so concurrent sessions now share them.
 * Values go in as placeholders of a multi-row `VALUES` list (`valuesList`), never spliced into the SQL text.
 */
import { valuesList } from './sql-batches';
import type { SqlExecutor } from './sql-client';
import type { AppSessionClaimRequest, AppSessionStatus, SessionRecord, SessionStatus } from './types';

/** The columns of `mcp_sessions`, in the order {@link insertSessions} fills them. */
export const SESSION_COLUMNS = `session_id, app_session_id, principal_hash, initialize_params, protocol_version,
  created_at, last_activity_at, expires_at, status, disconnect_reason, owner_instance, session_state`;

/** Inserts session records, one row each. */
export async function insertSessions(sql: SqlExecutor, records: readonly SessionRecord[]): Promise<undefined[]> {
  await sql.query(
    `INSERT INTO mcp_sessions (${SESSION_COLUMNS}) VALUES ${valuesList(records.length, 12)}`,
    records.flatMap((record) => [
      record.sessionId,
      record.appSessionId,
      record.principalHash,
      JSON.stringify(record.initializeParams),
      record.protocolVersion,
      record.createdAt,
      record.lastActivityAt,
      record.expiresAt,
      record.status,
      record.disconnectReason,
      record.ownerInstance,
      record.state === undefined ? null : JSON.stringify(record.state),
    ]),
  );
  return records.map(() => undefined);
}

/** One `setStatus` call. */
export interface StatusChange {
  sessionId: string;
  status: SessionStatus;
  reason: string | null;
}

/** Sets status and reason of many sessions; of several changes to one session the last call wins. */
export async function updateStatuses(sql: SqlExecutor, changes: readonly StatusChange[]): Promise<undefined[]> {
  const { text, params } = statusUpdate(changes);
  await sql.query(text, params);
  return changes.map(() => undefined);
}

/**
 * The UPDATE of {@link updateStatuses}, its placeholders numbered from `$1`; `sql-session-closes.ts` runs it
 * as a CTE of the statement that also deletes the closed sessions' events.
 */
export function statusUpdate(changes: readonly StatusChange[]): { text: string; params: unknown[] } {
  // UPDATE ... FROM applies one of several matching rows only: keep the last change per session. Sorted, so
  // two instances changing the same sessions lock their rows in the same order.
  const latest = [...new Map(changes.map((change) => [change.sessionId, change])).values()].sort((a, b) =>
    a.sessionId < b.sessionId ? -1 : a.sessionId > b.sessionId ? 1 : 0,
  );
  return {
    text: `UPDATE mcp_sessions AS s SET status = t.status, disconnect_reason = t.reason
     FROM (VALUES ${valuesList(latest.length, 3, ['text', 'text', 'text'])}) AS t(session_id, status, reason)
     WHERE s.session_id = t.session_id`,
    params: latest.flatMap((change) => [change.sessionId, change.status, change.reason]),
  };
}

/** One `claimAppSession` call. */
export type AppSessionClaimInput = AppSessionClaimRequest;

/** An `mcp_app_sessions` row. */
export interface AppSessionRow extends Record<string, unknown> {
  app_session_id: string;
  principal_hash: string | null;
  created_at: unknown;
  last_activity_at: unknown;
  expires_at: unknown;
  status: AppSessionStatus;
}

/** An `mcp_app_sessions` row as a claim returns it; `inserted` marks a row the claim created. */
export interface AppSessionClaimRow extends AppSessionRow {
  inserted: boolean;
}

/** The claim is granted (and extends the expiry) only to the same principal, on a live record. */
const VALID_CLAIM = `mcp_app_sessions.status = 'active' AND mcp_app_sessions.expires_at > EXCLUDED.created_at
  AND mcp_app_sessions.principal_hash IS NOT DISTINCT FROM EXCLUDED.principal_hash`;

/**
 * Claims app sessions, one row each, and returns each claim's row in call order. ON CONFLICT DO UPDATE (not
 * DO NOTHING + SELECT) waits for a concurrent inserter and returns the committed row, which a SELECT in the
 * same statement could not see; `xmax = 0` marks our own insert. Only a still-valid claim by the same
 * principal pushes the expiry out. One statement may not touch a row twice, so claims of one id go in
 * successive statements, in call order; ids are sorted so two instances lock rows in the same order.
 */
export async function claimAppSessions(sql: SqlExecutor, claims: readonly AppSessionClaimInput[]): Promise<AppSessionClaimRow[]> {
  const results: AppSessionClaimRow[] = new Array(claims.length);
  let pending = claims.map((claim, index) => ({ claim, index }));
  while (pending.length > 0) {
    const round = new Map<string, { claim: AppSessionClaimInput; index: number }>();
    const later: typeof pending = [];
    for (const entry of pending) {
      if (round.has(entry.claim.appSessionId)) later.push(entry);
      else round.set(entry.claim.appSessionId, entry);
    }
    const entries = [...round.values()].sort((a, b) => (a.claim.appSessionId < b.claim.appSessionId ? -1 : 1));
    const { rows } = await sql.query<AppSessionClaimRow>(
      `INSERT INTO mcp_app_sessions (app_session_id, principal_hash, created_at, last_activity_at, expires_at, status)
       VALUES ${valuesList(entries.length, 6)}
       ON CONFLICT (app_session_id) DO UPDATE SET
         last_activity_at = CASE WHEN ${VALID_CLAIM} THEN EXCLUDED.last_activity_at ELSE mcp_app_sessions.last_activity_at END,
         expires_at = CASE WHEN ${VALID_CLAIM} THEN GREATEST(mcp_app_sessions.expires_at, EXCLUDED.expires_at) ELSE mcp_app_sessions.expires_at END
       RETURNING app_session_id, principal_hash, created_at, last_activity_at, expires_at, status, (xmax = 0) AS inserted`,
      entries.flatMap(({ claim }) => [claim.appSessionId, claim.principalHash, claim.now, claim.now, claim.expiresAt, 'active']),
    );
    const byId = new Map(rows.map((row) => [row.app_session_id, row]));
    for (const { claim, index } of entries) {
      const row = byId.get(claim.appSessionId);
      if (row === undefined) throw new Error(`claim of app session ${claim.appSessionId} returned no row`);
      results[index] = row;
    }
    pending = later;
  }
  return results;
}
