/**
 * The slice of a SQL driver the pglite and postgres stores share: parameterised queries and a
 * transaction. Both backends run the very same SQL through it (`sql-migrations.ts`), so the two
 * adapters (`pglite-store.ts`, `postgres-store.ts`) are the only driver-specific code.
 */

/**
 * Rows plus how many rows the statement touched (pg `rowCount`, pglite `affectedRows`).
 *
 * @example
 * ```ts
 * const result: SqlResult<{ n: number }> = { rows: [{ n: 1 }], rowCount: 1 };
 * ```
 */
export interface SqlResult<Row> {
  rows: Row[];
  rowCount: number;
}

/**
 * Runs one parameterised statement (`$1`, `$2`, ...).
 *
 * @example
 * ```ts
 * async function countSessions(sql: SqlExecutor): Promise<number> {
 *   const { rows } = await sql.query<{ n: number }>('SELECT count(*)::int AS n FROM mcp_sessions');
 *   return rows[0]?.n ?? 0;
 * }
 * ```
 */
export interface SqlExecutor {
  query<Row extends Record<string, unknown> = Record<string, unknown>>(
    text: string,
    params?: unknown[],
  ): Promise<SqlResult<Row>>;
}

/**
 * A connection (pglite) or pool (postgres) the SQL stores run on.
 *
 * @example
 * ```ts
 * async function addTwo(sql: SqlClient): Promise<void> {
 *   await sql.transaction(async (tx) => {
 *     await tx.query('INSERT INTO mcp_locks (name, owner, expires_at) VALUES ($1, $2, now())', ['a', 'me']);
 *     await tx.query('INSERT INTO mcp_locks (name, owner, expires_at) VALUES ($1, $2, now())', ['b', 'me']);
 *   });
 * }
 * ```
 */
export interface SqlClient extends SqlExecutor {
  readonly kind: 'pglite' | 'postgres';
  /** Runs `fn` inside BEGIN/COMMIT on one connection; rolls back when it throws. */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /** Releases the connection or pool. A client shared with the caller may make this a no-op. */
  close(): Promise<void>;
}

/**
 * Reads an int8/numeric column: pg returns int8 as a string (to keep 64-bit precision), pglite as a
 * number. Epoch milliseconds fit a double exactly until the year 287,396.
 *
 * @example
 * ```ts
 * sqlNumber('1700000000000'); // 1700000000000
 * ```
 */
export function sqlNumber(value: unknown): number {
  // Number(null) and Number('') are 0: a missing value must not read as the epoch.
  const parsed = typeof value === 'number' || typeof value === 'bigint' || (typeof value === 'string' && value !== '') ? Number(value) : NaN;
  if (!Number.isFinite(parsed)) throw new TypeError(`Expected a numeric column, got ${String(value)}`);
  return parsed;
}

/**
 * Lets the session store and the event store share one client: each gets a view whose `close()` is
 * idempotent, and the real client closes when both views have.
 *
 * @example
 * ```ts
 * function split(sql: SqlClient): void {
 *   const [forSessions, forEvents] = pairSqlClient(sql);
 *   void forSessions.close(); // sql stays open until forEvents closes too
 * }
 * ```
 */
export function pairSqlClient(client: SqlClient): [SqlClient, SqlClient] {
  let open = 2;
  const view = (): SqlClient => {
    let closed = false;
    return {
      kind: client.kind,
      query: <Row extends Record<string, unknown>>(text: string, params?: unknown[]) => client.query<Row>(text, params),
      transaction: <T>(fn: (tx: SqlExecutor) => Promise<T>) => client.transaction(fn),
      close: async () => {
        if (closed) return;
        closed = true;
        open -= 1;
        if (open === 0) await client.close();
      },
    };
  };
  return [view(), view()];
}
