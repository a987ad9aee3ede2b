/**
 * Deadlines on reading a request body (issue 9, case 8): before them a client sending one byte every 200 ms held
 * a slot for 311 s, and 300 stalled POSTs stayed open for as long as their clients wished. A read now stops when
 * the next chunk is late (`bodyReadTimeoutMs`, nginx's `client_body_timeout`), when the whole body is late
 * (`bodyTimeoutMs`), or at shutdown - whichever comes first. Only the request body has deadlines: responses (SSE
 * streams) are long-lived by design.
 */
import { setMaxListeners } from 'node:events';

/**
 * When a body read must stop.
 *
 * @example
 * ```ts
 * const deadlines: BodyDeadlines = { readTimeoutMs: 30_000, totalTimeoutMs: 60_000, signal: shutdown.signal };
 * ```
 */
export interface BodyDeadlines {
  /** Longest wait for the next chunk. */
  readonly readTimeoutMs: number;
  /** Longest time for the whole body. */
  readonly totalTimeoutMs: number;
  /** Aborted at shutdown: the read stops at once. */
  readonly signal?: AbortSignal | undefined;
  /** Called once when a deadline or the signal stops the read (a web stream cancels its reader here). */
  readonly onCut?: (() => void) | undefined;
}

/** Why a read stopped before the body ended: a deadline passed, or the server is shutting down. */
export type BodyCutReason = 'timed-out' | 'cut';

/**
 * Thrown by {@link withinDeadlines}; the body reader turns it into its `BodyRead` kind.
 *
 * @example
 * ```ts
 * if (error instanceof BodyDeadlineError && error.reason === 'timed-out') return { kind: 'timed-out' };
 * ```
 */
export class BodyDeadlineError extends Error {
  override readonly name = 'BodyDeadlineError' as const;
  readonly reason: BodyCutReason;

  constructor(reason: BodyCutReason) {
    super(reason === 'cut' ? 'request body read cut at shutdown' : 'request body deadline passed');
    this.reason = reason;
  }
}

const ignore = (): void => undefined;

/**
 * The chunks of `chunks`, each awaited under the deadlines; throws {@link BodyDeadlineError} when one passes. On a
 * deadline the pending read is abandoned, not destroyed, so a Node response can still answer 408 with
 * `Connection: close` (the socket closes once it is written); any other early stop returns the source as a
 * plain `for await` would.
 *
 * @example
 * ```ts
 * for await (const chunk of withinDeadlines(req, { readTimeoutMs: 30_000, totalTimeoutMs: 60_000 })) size += chunk.length;
 * ```
 */
export async function* withinDeadlines<T>(chunks: AsyncIterable<T>, deadlines: BodyDeadlines): AsyncGenerator<T, void, undefined> {
  const iterator = chunks[Symbol.asyncIterator]();
  let stop: (error: BodyDeadlineError) => void = ignore;
  const stopped = new Promise<never>((_, reject) => {
    stop = reject;
  });
  stopped.catch(ignore);
  const timedOut = (): void => stop(new BodyDeadlineError('timed-out'));
  const onAbort = (): void => stop(new BodyDeadlineError('cut'));
  const total = setTimeout(timedOut, deadlines.totalTimeoutMs);
  const idle = setTimeout(timedOut, Math.min(deadlines.readTimeoutMs, deadlines.totalTimeoutMs));
  const { signal } = deadlines;
  if (signal?.aborted === true) onAbort();
  else signal?.addEventListener('abort', onAbort, { once: true });
  let finished = false;
  try {
    for (;;) {
      const next = iterator.next();
      let result: IteratorResult<T>;
      try {
        result = await Promise.race([next, stopped]);
      } catch (error) {
        if (!(error instanceof BodyDeadlineError)) throw error;
        finished = true;
        next.catch(ignore);
        deadlines.onCut?.();
        throw error;
      }
      if (result.done === true) {
        finished = true;
        return;
      }
      idle.refresh();
      yield result.value;
    }
  } finally {
    clearTimeout(total);
    clearTimeout(idle);
    signal?.removeEventListener('abort', onAbort);
    if (!finished) await iterator.return?.();
  }
}

/**
 * The shutdown signal every body read listens to: `cutAll()` stops the reads in progress, so a graceful shutdown
 * never waits on a stalled body. One listener per read in progress, hence no listener cap.
 *
 * @example
 * ```ts
 * const cutoff = new BodyCutoff();
 * await input.readBody(maxBytes, { readTimeoutMs, totalTimeoutMs, signal: cutoff.signal });
 * cutoff.cutAll(); // on close()
 * ```
 */
export class BodyCutoff {
  readonly #controller = new AbortController();

  constructor() {
    setMaxListeners(0, this.#controller.signal);
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  cutAll(): void {
    this.#controller.abort();
  }
}
