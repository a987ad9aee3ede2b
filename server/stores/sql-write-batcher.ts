/**
 * A {@link TickBatcher} for the SQL stores' durable single-row writes (session creation, status, app-session
 * claims, event deletion): the calls of one tick go to the database as one statement and one commit, and each
 * caller resolves only once that statement committed, so nothing is acknowledged before it is durable.
 * One bad row must not fail the calls it happened to share a statement with: when the database refuses a
 * batch for its data (SQLSTATE class 22 or 23, e.g. a duplicate key), each call is retried alone. Any other
 * failure (connection lost, database down) fails the whole batch at once, as one statement would have.
 */
import { TickBatcher } from './tick-batcher';

type Outcome<Out> = { ok: true; value: Out } | { ok: false; error: unknown };

/** Calls per batched statement: bounds one statement's parameters. */
const MAX_BATCH = 512;

/**
 * Batches one kind of write per tick, isolating data errors to the call that caused them.
 *
 * @example
 * ```ts
 * const creates = new SqlWriteBatcher<SessionRecord, undefined>((records) => insertSessions(sql, records));
 * await creates.add(record); // resolves once the INSERT it shared committed
 * ```
 */
export class SqlWriteBatcher<In, Out> {
  readonly #batcher: TickBatcher<In, Outcome<Out>>;

  /** `write` must return one result per item, in order. */
  constructor(write: (items: In[]) => Promise<Out[]>) {
    this.#batcher = new TickBatcher(async (items) => {
      try {
        return (await write(items)).map((value): Outcome<Out> => ({ ok: true, value }));
      } catch (error) {
        if (items.length === 1 || !isDataError(error)) throw error;
        const outcomes: Outcome<Out>[] = [];
        for (const item of items) {
          try {
            const [value] = await write([item]);
            outcomes.push({ ok: true, value: value as Out });
          } catch (itemError) {
            outcomes.push({ ok: false, error: itemError });
          }
        }
        return outcomes;
      }
    }, MAX_BATCH);
  }

  async add(item: In): Promise<Out> {
    const outcome = await this.#batcher.add(item);
    if (!outcome.ok) throw outcome.error;
    return outcome.value;
  }
}

/** SQLSTATE class 22 (data exception) or 23 (integrity constraint violation): the rows, not the database. */
function isDataError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^2[23][0-9A-Z]{3}$/.test(code);
}
