import type { SqlClient } from './sql-client';
import { sqlNumber } from './sql-client';
import { claimAppSessions, type AppSessionClaimInput, type AppSessionClaimRow, type AppSessionRow } from './sql-session-batches';
import { SqlWriteBatcher } from './sql-write-batcher';
import type { AppSessionClaim, AppSessionRecord, SessionTouch } from './types';


const APP_SESSION_COLUMNS = 'app_session_id, principal_hash, created_at, last_activity_at, expires_at, status';

/**
 * App sessions and shared secrets on SQL (pglite and postgres): the atomic claims of the session store, safe
 * on a pool and across instances. The claims of one tick share one statement (`sql-session-batches.ts`).
 *
 * @example
 * ```ts
 * const apps = new SqlAppSessions(sql);
 * const claim = await apps.claimAppSession({ appSessionId: 'app-1', principalHash: null, now, expiresAt });
 * ```
 */
export class SqlAppSessions {
  readonly #sql: SqlClient;
  readonly #claims: SqlWriteBatcher<AppSessionClaimInput, AppSessionClaimRow>;

  constructor(sql: SqlClient) {
    this.#sql = sql;
    this.#claims = new SqlWriteBatcher((claims) => claimAppSessions(sql, claims));
  }

  async claimAppSession(claim: AppSessionClaimInput): Promise<AppSessionClaim> {
    const row = await this.#claims.add(claim);
    const record = toAppSessionRecord(row);
    if (row.inserted) return { outcome: 'created', record };
    if (record.status === 'expired' || record.expiresAt <= claim.now) return { outcome: 'expired', record };
    if (record.principalHash !== claim.principalHash) return { outcome: 'foreign', record };
    return { outcome: 'existing', record };
  }

  async getAppSession(appSessionId: string): Promise<AppSessionRecord | undefined> {
    const { rows } = await this.#sql.query<AppSessionRow>(
      `SELECT ${APP_SESSION_COLUMNS} FROM mcp_app_sessions WHERE app_session_id = $1`,
      [appSessionId],
    );
    return rows[0] && toAppSessionRecord(rows[0]);
  }

  /** The app-session half of `touchMany`: forward only, live records only, one statement. */
  async touchAppSessions(touches: readonly SessionTouch[]): Promise<void> {
    const latest = new Map<string, SessionTouch>();
    for (const touch of touches) {
      const seen = latest.get(touch.sessionId);
      latest.set(touch.sessionId, {
        sessionId: touch.sessionId,
        lastActivityAt: Math.max(seen?.lastActivityAt ?? 0, touch.lastActivityAt),
        expiresAt: Math.max(seen?.expiresAt ?? 0, touch.expiresAt),
      });
    }
    const rows = [...latest.values()];
    // UPDATE ... FROM applies one of several matching rows only: hence the merge above.
    await this.#sql.query(
      `UPDATE mcp_app_sessions AS a SET last_activity_at = GREATEST(a.last_activity_at, v.last_activity_at),
         expires_at = GREATEST(a.expires_at, v.expires_at)
       FROM unnest($1::text[], $2::bigint[], $3::bigint[]) AS v(id, last_activity_at, expires_at)
       WHERE a.app_session_id = v.id AND a.status = 'active'`,
      [rows.map((row) => row.sessionId), rows.map((row) => row.lastActivityAt), rows.map((row) => row.expiresAt)],
    );
  }

  async expireAppSession(appSessionId: string): Promise<void> {
    await this.#sql.query("UPDATE mcp_app_sessions SET status = 'expired' WHERE app_session_id = $1", [appSessionId]);
  }

  async claimSecret(name: string, candidate: string): Promise<string> {
    const { rows } = await this.#sql.query<{ value: string }>(
      `INSERT INTO mcp_secrets (name, value) VALUES ($1, $2)
       ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name
       RETURNING value`,
      [name, candidate],
    );
    const value = rows[0]?.value;
    if (value === undefined) throw new Error(`claim of secret ${name} returned no row`);
    return value;
  }
}

function toAppSessionRecord(row: AppSessionRow): AppSessionRecord {
  return {
    appSessionId: row.app_session_id,
    principalHash: row.principal_hash,
    createdAt: sqlNumber(row.created_at),
    lastActivityAt: sqlNumber(row.last_activity_at),
    expiresAt: sqlNumber(row.expires_at),
    status: row.status,
  };
}
