import type { SqlClient } from './sql-client';

/**
 * One forward-only schema step. `version` is its position; never renumber or edit a shipped one.
 *
 * @example
 * ```ts
 * const next: SqlMigration = { version: 2, name: 'sessions.client_ip', sql: 'ALTER TABLE mcp_sessions ADD COLUMN client_ip text' };
 * ```
 */
export interface SqlMigration {
  version: number;
  name: string;
  sql: string;
}

/**
 * The schema of the pglite and postgres stores. Times are epoch milliseconds in `bigint` columns so
 * that the session manager's clock (and the tests' fake clocks) decide expiry, not the database's;
 * only the leader lock uses the database clock, because it must agree across instances.
 * Index layout follows server-anchors.md (`mcp_events (session_id, stream_id, id)`).
 *
 * @example
 * ```ts
 * const latest = SQL_MIGRATIONS.at(-1)?.version; // 2
 * ```
 */
export const SQL_MIGRATIONS: readonly SqlMigration[] = [
  {
    version: 1,
    name: 'sessions, requests, events, locks',
    sql: `
      CREATE TABLE mcp_sessions (
        session_id        text PRIMARY KEY,
        app_session_id    text NOT NULL,
        principal_hash    text,
        initialize_params jsonb NOT NULL,
        protocol_version  text NOT NULL,
        created_at        bigint NOT NULL,
        last_activity_at  bigint NOT NULL,
        expires_at        bigint NOT NULL,
        status            text NOT NULL CHECK (status IN ('active', 'expired', 'closed', 'draining')),
        disconnect_reason text,
        owner_instance    text NOT NULL
      );
      CREATE INDEX mcp_sessions_app_idx ON mcp_sessions (app_session_id, created_at DESC);
      CREATE INDEX mcp_sessions_live_expiry_idx ON mcp_sessions (expires_at) WHERE status IN ('active', 'draining');
      CREATE INDEX mcp_sessions_status_idx ON mcp_sessions (status, last_activity_at);

      CREATE TABLE mcp_requests (
        id          bigserial PRIMARY KEY,
        session_id  text NOT NULL,
        request_id  jsonb,
        method      text NOT NULL,
        tool        text,
        started_at  bigint NOT NULL,
        duration_ms double precision NOT NULL,
        status      integer NOT NULL
      );
      CREATE INDEX mcp_requests_session_idx ON mcp_requests (session_id, id);

      CREATE TABLE mcp_events (
        id         bigserial PRIMARY KEY,
        session_id text NOT NULL,
        stream_id  text NOT NULL,
        payload    text NOT NULL,
        created_at bigint NOT NULL
      );
      CREATE INDEX mcp_events_stream_idx ON mcp_events (session_id, stream_id, id);
      CREATE INDEX mcp_events_created_idx ON mcp_events (created_at);

      CREATE TABLE mcp_locks (
        name       text PRIMARY KEY,
        owner      text NOT NULL,
        expires_at timestamptz NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: 'session state, app sessions, secrets',
    sql: `
      ALTER TABLE mcp_sessions ADD COLUMN session_state jsonb;

      CREATE TABLE mcp_app_sessions (
        app_session_id   text PRIMARY KEY,
        principal_hash   text,
        created_at       bigint NOT NULL,
        last_activity_at bigint NOT NULL,
        expires_at       bigint NOT NULL,
        status           text NOT NULL CHECK (status IN ('active', 'expired'))
      );
      CREATE INDEX mcp_app_sessions_expiry_idx ON mcp_app_sessions (expires_at);

      CREATE TABLE mcp_secrets (
        name  text PRIMARY KEY,
        value text NOT NULL
      );
    `,
  },
];

/**
 * Any 64-bit key works; this one spells "mcp-migr". A transaction-scoped advisory lock (unlike the
 * session-scoped `pg_advisory_lock`) is released by COMMIT, so it is safe on a pooled connection and
 * serialises instances that start at the same moment.
 */
const MIGRATION_LOCK_KEY = '7810994353223037554';

/**
 * Applies every migration newer than the database's `schema_migrations` high-water mark, each in its
 * own transaction. Safe to call concurrently from several instances; returns the versions applied.
 *
 * @example
 * ```ts
 * async function boot(sql: SqlClient): Promise<void> {
 *   const applied = await runSqlMigrations(sql);
 *   console.log(`applied ${applied.length} migrations`);
 * }
 * ```
 */
export async function runSqlMigrations(
  sql: SqlClient,
  migrations: readonly SqlMigration[] = SQL_MIGRATIONS,
): Promise<number[]> {
  const applied: number[] = [];
  for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
    const ran = await sql.transaction(async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`);
      // Under the lock: concurrent CREATE TABLE IF NOT EXISTS races on pg_type and fails with a
      // duplicate key (measured with 4 instances starting on one empty database).
      await tx.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version    integer PRIMARY KEY,
        name       text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
      const { rows } = await tx.query('SELECT 1 AS done FROM schema_migrations WHERE version = $1', [migration.version]);
      if (rows.length > 0) return false;
      for (const statement of splitStatements(migration.sql)) await tx.query(statement);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
      return true;
    });
    if (ran) applied.push(migration.version);
  }
  return applied;
}

/**
 * Parameterised queries take one statement each (extended protocol), so a migration is split on
 * `;` at line ends. Migrations must not put `;` at the end of a line inside a literal or a body.
 */
function splitStatements(script: string): string[] {
  return script
    .split(/;\s*$/m)
    .map((statement) => statement.trim())
    .filter((statement) => statement.length > 0);
}
