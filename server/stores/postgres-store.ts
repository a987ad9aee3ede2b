import type pg from 'pg';
import { loadDriver } from './load-driver';
import { PostgresEventBus } from './postgres-bus';
import type { StoreEventBus } from './store-bus';
import { resolveEventStoreLimits } from './limits';
import type { SqlClient, SqlExecutor, SqlResult } from './sql-client';
import { pairSqlClient } from './sql-client';
import { SqlEventStore } from './sql-event-store';
import type { SqlStoreOptions } from './sql-options';
import { resolveSqlStoreOptions } from './sql-options';
import { SqlSessionCloses } from './sql-session-closes';
import { SqlSessionStore } from './sql-session-store';
import type { EventStoreLimits, SessionEventStore, SessionStore } from './types';

/**
 * Pool tuning on top of {@link SqlStoreOptions}.
 *
 * @example
 * ```ts
 * const options: PostgresStoreOptions = { maxConnections: 4, connectTimeoutMs: 2_000 };
 * ```
 */
export interface PostgresStoreOptions extends SqlStoreOptions {
  /** Connections in the pool. Every store call is one or two short statements. @default 10 */
  maxConnections?: number;
  /** Fail a connect that takes longer than this, so `/health` answers instead of hanging. @default 5_000 */
  connectTimeoutMs?: number;
  /** Told about change events the bus could not publish or read. @default ignore */
  onBusError?: (error: Error) => void;
}

/**
 * @example
 * ```ts
 * const pool = { max: POSTGRES_STORE_DEFAULTS.maxConnections };
 * ```
 */
export const POSTGRES_STORE_DEFAULTS = {
  maxConnections: 10,
  connectTimeoutMs: 5_000,
} as const satisfies Required<Omit<PostgresStoreOptions, keyof SqlStoreOptions | 'onBusError'>>;

/**
 * Opens the PostgreSQL backend on a `pg` pool: the same SQL and numbered migrations as pglite
 * (`schema_migrations`), applied before this resolves. Several server instances may share the
 * database; cleanup coordinates through the `mcp_locks` table.
 *
 * @example
 * ```ts
 * const { sessions, events } = await createPostgresStores('postgres://mcp@127.0.0.1:5432/mcp');
 * ```
 */
export async function createPostgresStores(
  url: string,
  limits: Partial<EventStoreLimits> = {},
  options: PostgresStoreOptions = {},
): Promise<{ sessions: SessionStore; events: SessionEventStore; bus: StoreEventBus }> {
  const resolvedLimits = resolveEventStoreLimits(limits);
  const settings = resolveSqlStoreOptions(options);
  const { default: driver } = await loadDriver('postgres', () => import('pg'));
  const pool = new driver.Pool({
    connectionString: url,
    max: options.maxConnections ?? POSTGRES_STORE_DEFAULTS.maxConnections,
    connectionTimeoutMillis: options.connectTimeoutMs ?? POSTGRES_STORE_DEFAULTS.connectTimeoutMs,
  });
  // An idle client that loses its server emits 'error' on the pool; unhandled, it would crash the
  // process (node-postgres docs, "Pool" > "error"). The next query reconnects and reports the outage.
  pool.on('error', () => {});
  const [forSessions, forEvents] = pairSqlClient(new PostgresSqlClient(pool));
  const closes = new SqlSessionCloses(forSessions);
  const sessions = new SqlSessionStore(forSessions, { ...settings, closes });
  try {
    await sessions.init();
  } catch (error) {
    await pool.end();
    throw error;
  }
  const events = new SqlEventStore(forEvents, {
    limits: resolvedLimits,
    compressAboveBytes: settings.compressAboveBytes,
    now: settings.now,
    closes,
  });
  const connectTimeoutMillis = options.connectTimeoutMs ?? POSTGRES_STORE_DEFAULTS.connectTimeoutMs;
  const bus = await PostgresEventBus.connect(
    pool,
    () => new driver.Client({ connectionString: url, connectionTimeoutMillis: connectTimeoutMillis }),
    options.onBusError ?? (() => undefined),
  ).catch(async (error: unknown) => {
    await Promise.allSettled([sessions.close(), events.close()]);
    throw error;
  });
  return { sessions, events, bus };
}

/**
 * {@link SqlClient} over a `pg.Pool`: plain queries go to any connection, a transaction pins one.
 *
 * @example
 * ```ts
 * const sql = new PostgresSqlClient(new pg.Pool({ connectionString: 'postgres://127.0.0.1/mcp' }));
 * await sql.query('SELECT 1');
 * ```
 */
export class PostgresSqlClient implements SqlClient {
  readonly kind = 'postgres' as const;
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async query<Row extends Record<string, unknown>>(text: string, params: unknown[] = []): Promise<SqlResult<Row>> {
    const result = await this.#pool.query<Row>(text, params);
    return { rows: result.rows, rowCount: result.rowCount ?? result.rows.length };
  }

  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect();
    const tx: SqlExecutor = {
      query: async <Row extends Record<string, unknown>>(text: string, params: unknown[] = []) => {
        const result = await client.query<Row>(text, params);
        return { rows: result.rows, rowCount: result.rowCount ?? result.rows.length };
      },
    };
    let unusable: Error | undefined;
    try {
      await client.query('BEGIN');
      const value = await fn(tx);
      await client.query('COMMIT');
      return value;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: unknown) => {
        unusable = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
      });
      throw error;
    } finally {
      // A connection that could not roll back is destroyed rather than handed to the next caller.
      client.release(unusable);
    }
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }
}
