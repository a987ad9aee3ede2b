import type { SqlClient } from './sql-client';
import { sqlNumber } from './sql-client';
import { runSqlMigrations } from './sql-migrations';
import type { RequestRecord, SessionCounts, SessionRecord, SessionStatus, SessionStore, SessionTouch } from './types';

interface SessionRow extends Record<string, unknown> {
  session_id: string;
  app_session_id: string;
  principal_hash: string | null;
  initialize_params: Record<string, unknown>;
  protocol_version: string;
  created_at: unknown;
  last_activity_at: unknown;
  expires_at: unknown;
  status: SessionStatus;
  disconnect_reason: string | null;
  owner_instance: string;
}

interface RequestRow extends Record<string, unknown> {
  session_id: string;
  request_id: string | number | null;
  method: string;
  tool: string | null;
  started_at: unknown;
  duration_ms: unknown;
  status: number;
}

const SESSION_COLUMNS = `session_id, app_session_id, principal_hash, initialize_params, protocol_version,
  created_at, last_activity_at, expires_at, status, disconnect_reason, owner_instance`;

/** Bounds one `expire()` statement so a backlog never holds row locks on every session at once. */
const EXPIRE_BATCH = 1_000;

/**
 * {@link SessionStore} on SQL shared by pglite and postgres. Every method is one statement (two for
 * `trackRequest`), so it is safe on a pool and across instances.
 *
 * @example
 * ```ts
 * async function open(sql: SqlClient): Promise<SessionStore> {
 *   const sessions = new SqlSessionStore(sql, { maxRequestsPerSession: 1_000 });
 *   await sessions.init();
 *   return sessions;
 * }
 * ```
 */
export class SqlSessionStore implements SessionStore {
  readonly kind: 'pglite' | 'postgres';
  readonly #sql: SqlClient;
  readonly #maxRequestsPerSession: number;
  #ready: Promise<void> | undefined;
  #closed = false;

  constructor(sql: SqlClient, options: { maxRequestsPerSession: number }) {
    this.kind = sql.kind;
    this.#sql = sql;
    this.#maxRequestsPerSession = options.maxRequestsPerSession;
  }

  async init(): Promise<void> {
    this.#ready ??= runSqlMigrations(this.#sql).then(() => undefined);
    try {
      await this.#ready;
    } catch (error) {
      this.#ready = undefined;
      throw error;
    }
  }

  async create(record: SessionRecord): Promise<void> {
    await this.#sql.query(
      `INSERT INTO mcp_sessions (${SESSION_COLUMNS}) VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7, $8, $9, $10, $11)`,
      [
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
      ],
    );
  }

  async get(sessionId: string): Promise<SessionRecord | undefined> {
    const { rows } = await this.#sql.query<SessionRow>(
      `SELECT ${SESSION_COLUMNS} FROM mcp_sessions WHERE session_id = $1`,
      [sessionId],
    );
    return rows[0] && toSessionRecord(rows[0]);
  }

  async getByAppSessionId(appSessionId: string): Promise<SessionRecord | undefined> {
    const { rows } = await this.#sql.query<SessionRow>(
      `SELECT ${SESSION_COLUMNS} FROM mcp_sessions WHERE app_session_id = $1 ORDER BY created_at DESC LIMIT 1`,
      [appSessionId],
    );
    return rows[0] && toSessionRecord(rows[0]);
  }

  async touch(sessionId: string, now: number, expiresAt: number): Promise<void> {
    await this.#sql.query('UPDATE mcp_sessions SET last_activity_at = $2, expires_at = $3 WHERE session_id = $1', [
      sessionId,
      now,
      expiresAt,
    ]);
  }

  async touchMany(touches: readonly SessionTouch[]): Promise<void> {
    const latest = latestTouches(touches);
    if (latest.length === 0) return;
    // One statement for the whole batch; GREATEST so a late batch never shortens a session.
    await this.#sql.query(
      `UPDATE mcp_sessions AS s
       SET last_activity_at = GREATEST(s.last_activity_at, t.last_activity_at), expires_at = GREATEST(s.expires_at, t.expires_at)
       FROM unnest($1::text[], $2::bigint[], $3::bigint[]) AS t(session_id, last_activity_at, expires_at)
       WHERE s.session_id = t.session_id`,
      [latest.map((touch) => touch.sessionId), latest.map((touch) => touch.lastActivityAt), latest.map((touch) => touch.expiresAt)],
    );
  }

  async setStatus(sessionId: string, status: SessionStatus, reason: string | null = null): Promise<void> {
    await this.#sql.query('UPDATE mcp_sessions SET status = $2, disconnect_reason = $3 WHERE session_id = $1', [
      sessionId,
      status,
      reason,
    ]);
  }

  async setOwner(sessionId: string, ownerInstance: string): Promise<void> {
    await this.#sql.query('UPDATE mcp_sessions SET owner_instance = $2 WHERE session_id = $1', [sessionId, ownerInstance]);
  }

  async counts(): Promise<SessionCounts> {
    const { rows } = await this.#sql.query<{ status: SessionStatus; n: unknown }>(
      'SELECT status, count(*) AS n FROM mcp_sessions GROUP BY status',
    );
    const counts: SessionCounts = { active: 0, expired: 0, closed: 0, draining: 0 };
    for (const row of rows) counts[row.status] = sqlNumber(row.n);
    return counts;
  }

  async expire(now: number): Promise<string[]> {
    const expired: string[] = [];
    for (;;) {
      // FOR UPDATE SKIP LOCKED: two instances expiring at once split the work instead of waiting.
      const { rows } = await this.#sql.query<{ session_id: string }>(
        `UPDATE mcp_sessions SET status = 'expired', disconnect_reason = 'ttl'
         WHERE session_id IN (
           SELECT session_id FROM mcp_sessions
           WHERE status IN ('active', 'draining') AND expires_at <= $1
           LIMIT ${EXPIRE_BATCH} FOR UPDATE SKIP LOCKED)
         RETURNING session_id`,
        [now],
      );
      for (const row of rows) expired.push(row.session_id);
      if (rows.length < EXPIRE_BATCH) return expired;
    }
  }

  async purge(before: number): Promise<number> {
    return this.#sql.transaction(async (tx) => {
      const { rows } = await tx.query<{ session_id: string }>(
        `DELETE FROM mcp_sessions WHERE status <> 'active' AND last_activity_at < $1 RETURNING session_id`,
        [before],
      );
      if (rows.length > 0) {
        await tx.query('DELETE FROM mcp_requests WHERE session_id = ANY($1::text[])', [rows.map((row) => row.session_id)]);
      }
      return rows.length;
    });
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

  async tryAcquireLock(name: string, owner: string, ttlMs: number): Promise<boolean> {
    // The database clock, not ours: every instance must agree when a lock has lapsed.
    // pg_try_advisory_lock is tied to one connection and leaks across a pool (server-anchors.md).
    const { rows } = await this.#sql.query<{ owner: string }>(
      `INSERT INTO mcp_locks (name, owner, expires_at)
       VALUES ($1, $2, clock_timestamp() + $3 * interval '1 millisecond')
       ON CONFLICT (name) DO UPDATE SET owner = EXCLUDED.owner, expires_at = EXCLUDED.expires_at
       WHERE mcp_locks.owner = EXCLUDED.owner OR mcp_locks.expires_at <= clock_timestamp()
       RETURNING owner`,
      [name, owner, ttlMs],
    );
    return rows.length === 1;
  }

  async releaseLock(name: string, owner: string): Promise<void> {
    await this.#sql.query('DELETE FROM mcp_locks WHERE name = $1 AND owner = $2', [name, owner]);
  }

  async ping(): Promise<void> {
    await this.#sql.query('SELECT 1');
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#sql.close();
  }
}

/**
 * One touch per session, the latest of each field: UPDATE ... FROM applies only one of several rows that
 * match the same session, so duplicates are merged first.
 */
export function latestTouches(touches: readonly SessionTouch[]): SessionTouch[] {
  const merged = new Map<string, SessionTouch>();
  for (const touch of touches) {
    const seen = merged.get(touch.sessionId);
    merged.set(
      touch.sessionId,
      seen === undefined
        ? { ...touch }
        : {
            sessionId: touch.sessionId,
            lastActivityAt: Math.max(seen.lastActivityAt, touch.lastActivityAt),
            expiresAt: Math.max(seen.expiresAt, touch.expiresAt),
          },
    );
  }
  return [...merged.values()];
}

function toSessionRecord(row: SessionRow): SessionRecord {
  return {
    sessionId: row.session_id,
    appSessionId: row.app_session_id,
    principalHash: row.principal_hash,
    initializeParams: row.initialize_params,
    protocolVersion: row.protocol_version,
    createdAt: sqlNumber(row.created_at),
    lastActivityAt: sqlNumber(row.last_activity_at),
    expiresAt: sqlNumber(row.expires_at),
    status: row.status,
    disconnectReason: row.disconnect_reason,
    ownerInstance: row.owner_instance,
  };
}
