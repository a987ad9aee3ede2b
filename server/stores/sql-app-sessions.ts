import type { SqlClient } from './sql-client';
import { sqlNumber } from './sql-client';
import type { AppSessionClaim, AppSessionRecord, AppSessionStatus, SessionTouch } from './types';

interface AppSessionRow extends Record<string, unknown> {
  app_session_id: string;
  principal_hash: string | null;
  created_at: unknown;
  last_activity_at: unknown;
  expires_at: unknown;
  status: AppSessionStatus;
}

const APP_SESSION_COLUMNS = 'app_session_id, principal_hash, created_at, last_activity_at, expires_at, status';

/** The claim is granted (and extends the expiry) only to the same principal, on a live record. */
const VALID_CLAIM = `mcp_app_sessions.status = 'active' AND mcp_app_sessions.expires_at > EXCLUDED.created_at
  AND mcp_app_sessions.principal_hash IS NOT DISTINCT FROM EXCLUDED.principal_hash`;

/**
 * App sessions and shared secrets on SQL (pglite and postgres): the atomic claims of the session store, one
 * statement each, safe on a pool and across instances.
 *
 * @example
 * ```ts
 * const apps = new SqlAppSessions(sql);
 * const claim = await apps.claimAppSession({ appSessionId: 'app-1', principalHash: null, now, expiresAt });
 * ```
 */
export class SqlAppSessions {
  readonly #sql: SqlClient;

  constructor(sql: SqlClient) {
    this.#sql = sql;
  }

  async claimAppSession(claim: { appSessionId: string; principalHash: string | null; now: number; expiresAt: number }): Promise<AppSessionClaim> {
    // ON CONFLICT DO UPDATE (not DO NOTHING + SELECT): it waits for a concurrent inserter and returns the
    // committed row, which a SELECT in the same statement could not see. `xmax = 0` marks our own insert.
    // Only a still-valid claim by the same principal pushes the expiry out.
    const { rows } = await this.#sql.query<AppSessionRow & { inserted: boolean }>(
      `INSERT INTO mcp_app_sessions (${APP_SESSION_COLUMNS}) VALUES ($1, $2, $3, $3, $4, 'active')
       ON CONFLICT (app_session_id) DO UPDATE SET
         last_activity_at = CASE WHEN ${VALID_CLAIM} THEN EXCLUDED.last_activity_at ELSE mcp_app_sessions.last_activity_at END,
         expires_at = CASE WHEN ${VALID_CLAIM} THEN GREATEST(mcp_app_sessions.expires_at, EXCLUDED.expires_at) ELSE mcp_app_sessions.expires_at END
       RETURNING ${APP_SESSION_COLUMNS}, (xmax = 0) AS inserted`,
      [claim.appSessionId, claim.principalHash, claim.now, claim.expiresAt],
    );
    const row = rows[0];
    if (row === undefined) throw new Error(`claim of app session ${claim.appSessionId} returned no row`);
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
