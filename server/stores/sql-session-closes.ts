/**
 * The two writes of a session the client ended with `DELETE`: its status (`closed`) and the deletion of its
 * events. The session layer issues them together; when they meet in one tick they go to the database as one
 * statement and one commit (the UPDATE as a CTE of the DELETE: different tables, so sharing a snapshot changes
 * nothing). Shared by the SQL session store (`setStatus`) and event store (`deleteSession`) of one database;
 * every other status change rides the same batch.
 */
import { deleteSessionEvents } from './sql-batches';
import type { SqlExecutor } from './sql-client';
import { statusUpdate, updateStatuses, type StatusChange } from './sql-session-batches';
import { SqlWriteBatcher } from './sql-write-batcher';

type CloseWrite = { kind: 'status'; change: StatusChange } | { kind: 'events'; sessionId: string };

/**
 * Batches status changes and event deletions of one tick into one statement.
 *
 * @example
 * ```ts
 * const closes = new SqlSessionCloses(sql);
 * await Promise.all([closes.setStatus({ sessionId, status: 'closed', reason: 'client-delete' }), closes.deleteEvents(sessionId)]);
 * ```
 */
export class SqlSessionCloses {
  readonly #writes: SqlWriteBatcher<CloseWrite, undefined>;

  constructor(sql: SqlExecutor) {
    this.#writes = new SqlWriteBatcher((writes) => writeCloses(sql, writes));
  }

  setStatus(change: StatusChange): Promise<void> {
    return this.#writes.add({ kind: 'status', change });
  }

  deleteEvents(sessionId: string): Promise<void> {
    return this.#writes.add({ kind: 'events', sessionId });
  }
}

async function writeCloses(sql: SqlExecutor, writes: readonly CloseWrite[]): Promise<undefined[]> {
  const changes: StatusChange[] = [];
  const sessionIds: string[] = [];
  for (const write of writes) {
    if (write.kind === 'status') changes.push(write.change);
    else sessionIds.push(write.sessionId);
  }
  if (sessionIds.length === 0) await updateStatuses(sql, changes);
  else if (changes.length === 0) await deleteSessionEvents(sql, sessionIds);
  else {
    const update = statusUpdate(changes);
    await sql.query(
      `WITH statuses AS (${update.text})
       DELETE FROM mcp_events WHERE session_id = ANY($${update.params.length + 1}::text[])`,
      [...update.params, [...new Set(sessionIds)]],
    );
  }
  return writes.map(() => undefined);
}
