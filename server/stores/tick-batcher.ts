/**
 * Group commit for the networked stores: calls made in one turn of the event loop (every request the
 * server handled in that turn) go to the backend as one statement or one pipeline, and calls made while
 * a batch is on its way wait for the next one. Each caller gets its own result, and only once its batch
 * is done: batching never acknowledges a write early. At most one batch is in flight, so order between
 * batches is call order.
 */

interface Pending<In, Out> {
  item: In;
  resolve: (value: Out) => void;
  reject: (error: unknown) => void;
}

/**
 * Collects items per tick and hands them to `flush` in batches of at most `maxBatch`.
 *
 * @example
 * ```ts
 * const inserts = new TickBatcher<string, number>(async (names) => names.map((name) => name.length), 500);
 * const length = await inserts.add('abc'); // 3, computed with whatever else was added in this tick
 * ```
 */
export class TickBatcher<In, Out> {
  readonly #flush: (items: In[]) => Promise<Out[]>;
  readonly #maxBatch: number;
  #queue: Pending<In, Out>[] = [];
  #running = false;
  #scheduled = false;

  /** `flush` must return one result per item, in order; a rejection fails the whole batch. */
  constructor(flush: (items: In[]) => Promise<Out[]>, maxBatch: number) {
    this.#flush = flush;
    this.#maxBatch = maxBatch;
  }

  add(item: In): Promise<Out> {
    return new Promise<Out>((resolve, reject) => {
      this.#queue.push({ item, resolve, reject });
      if (this.#running || this.#scheduled) return;
      this.#scheduled = true;
      setImmediate(() => {
        this.#scheduled = false;
        void this.#run();
      });
    });
  }

  async #run(): Promise<void> {
    this.#running = true;
    try {
      while (this.#queue.length > 0) {
        const batch = this.#queue.splice(0, this.#maxBatch);
        try {
          const results = await this.#flush(batch.map((pending) => pending.item));
          if (results.length !== batch.length) {
            throw new Error(`Batch flush returned ${results.length} results for ${batch.length} items`);
          }
          batch.forEach((pending, index) => pending.resolve(results[index] as Out));
        } catch (error) {
          for (const pending of batch) pending.reject(error);
        }
      }
    } finally {
      this.#running = false;
    }
  }
}
