import { mkdirSync } from 'node:fs';
import type { PGlite, Results, Transaction } from '@electric-sql/pglite';
import { loadDriver } from './load-driver';
import { resolveEventStoreLimits } from './limits';
import type { SqlClient, SqlExecutor, SqlResult } from './sql-client';
import { pairSqlClient } from './sql-client';
import { SqlEventStore } from './sql-event-store';
import type { SqlStoreOptions } from './sql-options';
import { resolveSqlStoreOptions } from './sql-options';
import { SqlSessionCloses } from './sql-session-closes';
import { SqlSessionStore } from './sql-session-store';
import { InProcessEventBus, type StoreEventBus } from './store-bus';
import type { EventStoreLimits, SessionEventStore, SessionStore } from './types';

/**
 * Opens the embedded Postgres backend: sessions and events persist in `dir` (`memory://` keeps them in
 * RAM), with the same SQL and migrations as the postgres backend. Pass an open `PGlite` instead of a
 * directory to share one database between several store pairs (e.g. two reference servers in one
 * test); the stores then leave closing it to you. PGlite is one connection per process: two
 * processes must not open the same directory.
 *
 * Startup costs 2-3.5 s on this machine (WASM compile + initdb of a fresh directory, measured), so
 * open it once and keep it.
 *
 * @example
 * ```ts
 * const { sessions, events } = await createPgliteStores('.mcp-data', { ttlMs: 60_000 });
 * await sessions.init();
 * ```
 */
export async function createPgliteStores(
  dir: string | PGlite,
  limits: Partial<EventStoreLimits> = {},
  options: SqlStoreOptions = {},
): Promise<{ sessions: SessionStore; events: SessionEventStore; bus: StoreEventBus }> {
  const resolvedLimits = resolveEventStoreLimits(limits);
  const settings = resolveSqlStoreOptions(options);
  const owned = typeof dir === 'string';
  const db = typeof dir === 'string' ? await openPglite(prepareDataDir(dir)) : dir;
  const [forSessions, forEvents] = pairSqlClient(new PgliteSqlClient(db, owned));
  const closes = new SqlSessionCloses(forSessions);
  const sessions = new SqlSessionStore(forSessions, { ...settings, closes });
  // Migrations first: the event table must exist even if the caller only ever uses `events`.
  await sessions.init();
  const events = new SqlEventStore(forEvents, {
    limits: resolvedLimits,
    compressAboveBytes: settings.compressAboveBytes,
    now: settings.now,
    closes,
  });
  // One process owns a pglite directory: its events never need to leave it.
  return { sessions, events, bus: new InProcessEventBus() };
}

/** The driver is an optional package, loaded only when this store is chosen. */
async function openPglite(dataDir: string): Promise<PGlite> {
  const { PGlite: Driver } = await loadDriver('pglite', () => import('@electric-sql/pglite'));
  return Driver.create(dataDir);
}

/** PGlite creates only the last directory of the path itself (nodefs `mkdirSync` without recursive). */
function prepareDataDir(dir: string): string {
  if (dir === '') throw new TypeError("Expected a pglite data directory or 'memory://', got ''");
  if (!dir.includes('://')) mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * {@link SqlClient} over one PGlite instance. PGlite serialises queries itself, and its
 * `transaction()` holds the connection for the callback, so nothing here needs a queue.
 *
 * @example
 * ```ts
 * const sql = new PgliteSqlClient(await PGlite.create('memory://'), true);
 * await sql.query('SELECT 1');
 * ```
 */
export class PgliteSqlClient implements SqlClient {
  readonly kind = 'pglite' as const;
  readonly #db: PGlite;
  readonly #owned: boolean;

  constructor(db: PGlite, owned: boolean) {
    this.#db = db;
    this.#owned = owned;
  }

  async query<Row extends Record<string, unknown>>(text: string, params: unknown[] = []): Promise<SqlResult<Row>> {
    return toSqlResult(await this.#db.query<Row>(text, params));
  }

  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.#db.transaction((tx) => fn(wrapTransaction(tx)));
  }

  async close(): Promise<void> {
    if (this.#owned && !this.#db.closed) await this.#db.close();
  }
}

function wrapTransaction(tx: Transaction): SqlExecutor {
  return {
    query: async <Row extends Record<string, unknown>>(text: string, params: unknown[] = []) =>
      toSqlResult(await tx.query<Row>(text, params)),
  };
}

function toSqlResult<Row>(result: Results<Row>): SqlResult<Row> {
  return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length };
}
