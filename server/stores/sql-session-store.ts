import type { SqlClient } from './sql-client';
import { sqlNumber } from './sql-client';
import { SqlAppSessions } from './sql-app-sessions';
import { updateTouches } from './sql-batches';
import { runSqlMigrations } from './sql-migrations';
import { SqlRequestRecords } from './sql-request-records';
import { insertSessions, SESSION_COLUMNS } from './sql-session-batches';
import { SqlSessionCloses } from './sql-session-closes';
import { SqlWriteBatcher } from './sql-write-batcher';
import { TickBatcher } from './tick-batcher';
import type {
  AppSessionClaim,
  AppSessionClaimRequest,
  AppSessionRecord,
  RequestRecord,
  SessionCounts,
  SessionRecord,
  SessionState,
  SessionStatus,
  SessionStore,
  SessionTouch,
} from './types';

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
  session_state: SessionState | null;
}

/** Bounds one `expire()` statement so a backlog never holds row locks on every session at once. */
const EXPIRE_BATCH = 1_000;
/** Calls per batched statement (lookups, touches). */
const MAX_BATCH = 512;

/**
 * {@link SessionStore} on SQL shared by pglite and postgres. Every method is one statement, so it is safe
 * on a pool and across instances. What the session layer calls per request (`get`, `touch`,
 * `trackRequest`) is batched per tick (`sql-batches.ts`): concurrent requests share one statement. So are
 * `create` and `setStatus` (`sql-session-batches.ts`), each call resolving once its statement committed.
 * App sessions and request records live in their own modules (`sql-app-sessions.ts`, `sql-request-records.ts`).
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
  readonly #apps: SqlAppSessions;
  readonly #requests: SqlRequestRecords;
  readonly #lookups: TickBatcher<string, SessionRecord | undefined>;
  readonly #touches: TickBatcher<SessionTouch, undefined>;
  readonly #creates: SqlWriteBatcher<SessionRecord, undefined>;
  readonly #closes: SqlSessionCloses;
  #ready: Promise<void> | undefined;
  #closed = false;

  /** `closes`: shared with the event store of the same database, so a `DELETE`'s two writes share a statement. */
  constructor(sql: SqlClient, options: { maxRequestsPerSession: number; closes?: SqlSessionCloses }) {
    this.kind = sql.kind;
    this.#sql = sql;
    this.#apps = new SqlAppSessions(sql);
    this.#requests = new SqlRequestRecords(sql, options.maxRequestsPerSession);
    this.#lookups = new TickBatcher((ids) => this.#select(ids), MAX_BATCH);
    this.#touches = new TickBatcher(async (touches) => {
      await updateTouches(sql, touches, false);
      return touches.map(() => undefined);
    }, MAX_BATCH);
    this.#creates = new SqlWriteBatcher((records) => insertSessions(sql, records));
    this.#closes = options.closes ?? new SqlSessionCloses(sql);
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

  create(record: SessionRecord): Promise<void> {
    return this.#creates.add(record);
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
    // GREATEST: a late write-behind batch never shortens a session. One statement per table.
    const sessions = touches.filter((touch) => (touch.kind ?? 'session') === 'session');
    const apps = touches.filter((touch) => touch.kind === 'app');
    if (sessions.length > 0) await updateTouches(this.#sql, sessions, true);
    if (apps.length > 0) await this.#apps.touchAppSessions(apps);
  }

  async saveSessionState(sessionId: string, state: SessionState): Promise<void> {
    await this.#sql.query('UPDATE mcp_sessions SET session_state = $2::jsonb WHERE session_id = $1', [sessionId, JSON.stringify(state)]);
  }

  claimAppSession(claim: AppSessionClaimRequest): Promise<AppSessionClaim> {
    return this.#apps.claimAppSession(claim);
  }

  getAppSession(appSessionId: string): Promise<AppSessionRecord | undefined> {
    return this.#apps.getAppSession(appSessionId);
  }

  expireAppSession(appSessionId: string): Promise<void> {
    return this.#apps.expireAppSession(appSessionId);
  }

  claimSecret(name: string, candidate: string): Promise<string> {
    return this.#apps.claimSecret(name, candidate);
  }

  setStatus(sessionId: string, status: SessionStatus, reason: string | null = null): Promise<void> {
    return this.#closes.setStatus({ sessionId, status, reason });
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
      const apps = await tx.query<{ app_session_id: string }>(
        `DELETE FROM mcp_app_sessions WHERE expires_at < $1 OR (status = 'expired' AND last_activity_at < $1)
         RETURNING app_session_id`,
        [before],
      );
      const owners = [...rows.map((row) => row.session_id), ...apps.rows.map((row) => row.app_session_id)];
      if (owners.length > 0) await tx.query('DELETE FROM mcp_requests WHERE session_id = ANY($1::text[])', [owners]);
      return rows.length;
    });
  }

  trackRequest(record: RequestRecord): Promise<void> {
    return this.#requests.trackRequest(record);
  }

  trackRequests(records: readonly RequestRecord[]): Promise<void> {
    return this.#requests.trackRequests(records);
  }

  listRequests(sessionId: string, limit = 100): Promise<RequestRecord[]> {
    return this.#requests.listRequests(sessionId, limit);
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
    ...(row.session_state === null ? {} : { state: row.session_state }),
  };
}
