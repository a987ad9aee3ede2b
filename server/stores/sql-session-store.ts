import type { SqlClient } from './sql-client';
import { sqlNumber } from './sql-client';
import { insertRequests, trimRequests, updateTouches, type RequestInsert } from './sql-batches';
import { runSqlMigrations } from './sql-migrations';
import { TickBatcher } from './tick-batcher';
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
/** Calls per batched statement (lookups, touches, request records). */
const MAX_BATCH = 512;
/** A session's request records are trimmed to the cap every this many inserts (from this process). */
const TRIM_REQUESTS_EVERY = 32;
/** Sessions whose insert count this process remembers for trimming; the oldest is forgotten beyond it. */
const TRIM_COUNTERS_KEPT = 10_000;

/**
 * {@link SessionStore} on SQL shared by pglite and postgres. Every method is one statement, so it is safe
 * on a pool and across instances. What the session layer calls per request (`get`, `touch`,
 * `trackRequest`) is batched per tick (`sql-batches.ts`): concurrent requests share one statement.
 * Request records are trimmed to the cap every {@link TRIM_REQUESTS_EVERY} inserts of a session rather
 * than on each one; `listRequests` never returns more than the cap.
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
  readonly #lookups: TickBatcher<string, SessionRecord | undefined>;
  readonly #touches: TickBatcher<SessionTouch, undefined>;
  readonly #requests: TickBatcher<RequestInsert, undefined>;
  /** Inserts per session since its last trim, in insertion order of first use (oldest forgotten first). */
  readonly #untrimmed = new Map<string, number>();
  #ready: Promise<void> | undefined;
  #closed = false;

  constructor(sql: SqlClient, options: { maxRequestsPerSession: number }) {
    this.kind = sql.kind;
    this.#sql = sql;
    this.#maxRequestsPerSession = options.maxRequestsPerSession;
    this.#lookups = new TickBatcher((ids) => this.#select(ids), MAX_BATCH);
    this.#touches = new TickBatcher(async (touches) => {
      await updateTouches(sql, touches, false);
      return touches.map(() => undefined);
    }, MAX_BATCH);
    this.#requests = new TickBatcher(async (records) => {
      await insertRequests(sql, records);
      const due = this.#countInserts(records);
      if (due.length > 0) await trimRequests(sql, due, this.#maxRequestsPerSession);
      return records.map(() => undefined);
    }, MAX_BATCH);
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

  get(sessionId: string): Promise<SessionRecord | undefined> {
    return this.#lookups.add(sessionId);
  }

  async getByAppSessionId(appSessionId: string): Promise<SessionRecord | undefined> {
    const { rows } = await this.#sql.query<SessionRow>(
      `SELECT ${SESSION_COLUMNS} FROM mcp_sessions WHERE app_session_id = $1 ORDER BY created_at DESC LIMIT 1`,
      [appSessionId],
    );
    return rows[0] && toSessionRecord(rows[0]);
  }

  async touch(sessionId: string, now: number, expiresAt: number): Promise<void> {
    await this.#touches.add({ sessionId, lastActivityAt: now, expiresAt });
  }

  async touchMany(touches: readonly SessionTouch[]): Promise<void> {
    // GREATEST: a late write-behind batch never shortens a session.
    await updateTouches(this.#sql, touches, true);
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
    const { sessionId, requestId, method, tool, startedAt, durationMs, status } = record;
    await this.#requests.add({ sessionId, requestIdJson: JSON.stringify(requestId), method, tool, startedAt, durationMs, status });
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

  async #select(ids: string[]): Promise<Array<SessionRecord | undefined>> {
    const { rows } = await this.#sql.query<SessionRow>(
      `SELECT ${SESSION_COLUMNS} FROM mcp_sessions WHERE session_id = ANY($1::text[])`,
      [[...new Set(ids)]],
    );
    const byId = new Map(rows.map((row) => [row.session_id, row]));
    // A fresh record per caller: callers may change what they get.
    return ids.map((id) => {
      const row = byId.get(id);
      return row && toSessionRecord(row);
    });
  }

  /** Counts inserts per session; returns the sessions due for a trim and restarts their count. */
  #countInserts(records: readonly RequestInsert[]): string[] {
    const due: string[] = [];
    for (const { sessionId } of records) {
      const count = (this.#untrimmed.get(sessionId) ?? 0) + 1;
      this.#untrimmed.delete(sessionId);
      if (count >= TRIM_REQUESTS_EVERY) due.push(sessionId);
      else this.#untrimmed.set(sessionId, count);
      if (this.#untrimmed.size > TRIM_COUNTERS_KEPT) {
        const oldest = this.#untrimmed.keys().next().value;
        if (oldest !== undefined) this.#untrimmed.delete(oldest);
      }
    }
    return due;
  }
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
