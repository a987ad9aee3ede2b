/**
 * The retry loop around one request: attempt, classify (through `shouldRetry`), wait, repeat.
 *
 * Written as a small loop rather than on p-retry 7.1 because p-retry's contract differs on points this client
 * promises (read in node_modules/p-retry/index.js):
 * - `onFailedAttempt` runs before `shouldRetry` and the retries-left check, so a Retry-After-aware wait placed
 *   there would sleep before knowing whether a retry follows;
 * - running out of retries and "not retryable" both rethrow the bare last error, so `RetryExhaustedError`
 *   would need side-channel state;
 * - a thrown non-Error is replaced by a new `TypeError`, breaking "a non-retryable error is rethrown unchanged";
 * - `maxRetryTime` clips the last wait to the budget and then attempts once more past it, on
 *   `performance.now()` rather than an injectable clock;
 * - an attempt in flight is not raced with the signal, and abort rejects with the bare `signal.reason`.
 */
import { describeFailure } from '../errors/describe-failure';
import { AbortError, RetryExhaustedError } from '../errors/tree';
import { computeDelay } from './compute-delay';
import type { ResolvedRetryOptions } from './retry-options';
import { sleep } from './sleep';

/**
 * What `onRetry` is told before each wait.
 *
 * @example
 * ```ts
 * const onRetry = (info: RetryInfo) => console.log(`attempt ${info.attempt} failed, waiting ${info.delayMs} ms`);
 * ```
 */
export interface RetryInfo {
  /** The number of the attempt that just failed (1 = the first attempt). */
  readonly attempt: number;
  /** The wait before the next attempt. */
  readonly delayMs: number;
  readonly error: unknown;
}

/**
 * How {@link runWithRetry} decides and waits.
 *
 * @example
 * ```ts
 * const options: RunWithRetryOptions = { retry: resolveRetryOptions(), shouldRetry: () => false };
 * ```
 */
export interface RunWithRetryOptions {
  readonly retry: ResolvedRetryOptions;
  /** Aborts the current attempt's wait and any backoff; the loop then rejects with `AbortError`. */
  readonly signal?: AbortSignal | undefined;
  /**
   * Instead of `signal`: a scope whose signal is only built when needed (a wait between attempts, an abort),
   * so a call that succeeds at once costs no AbortSignal (the client's call scope, `Attempt`).
   */
  readonly scope?: { readonly aborted: boolean; readonly signal: AbortSignal } | undefined;
  /**
   * Race each attempt with the abort (default). `false` when the attempt observes the abort itself (the
   * client's attempts hang on the call scope), saving a promise and a listener per attempt.
   * @default true
   */
  readonly raceAttempts?: boolean | undefined;
  /** Jitter source in [0, 1). @default Math.random */
  readonly random?: (() => number) | undefined;
  /** Clock in ms for the `maxElapsedMs` budget. @default Date.now */
  readonly now?: (() => number) | undefined;
  /** Whether this failure may be retried at all (classification + replay safety live in the caller). */
  readonly shouldRetry: (error: unknown, attemptNumber: number) => boolean | Promise<boolean>;
  /** A server hint in ms for this failure (see `retryAfterOf`); replaces the jittered delay when defined. */
  readonly retryAfterMs?: ((error: unknown) => number | undefined) | undefined;
  /** Called before each wait, e.g. to emit the client's `retry` event. */
  readonly onRetry?: ((info: RetryInfo) => void) | undefined;
  /**
   * True when the failure found nothing listening (see `isUnreachable`): the wait is capped at
   * `retry.reconnectDelayMs` and the attempt does not use up `retry.retries`, only the budget.
   */
  readonly unreachable?: ((error: unknown) => boolean) | undefined;
  /**
   * Instead of the jittered wait after an `unreachable` failure: wait here, at most `maxMs` (what is left of the
   * budget), e.g. on a probe shared by every waiting call (the client's reachability gate). Rejects on abort.
   */
  readonly waitUnreachable?: ((signal: AbortSignal | undefined, maxMs: number) => Promise<void>) | undefined;
  /**
   * What is being retried, for the `RetryExhaustedError` message (called only then): `() => 'tools/call to http://host/mcp'` gives
   * "Gave up on tools/call to http://host/mcp after 7 attempts in 2593 ms (...): connection refused (ECONNREFUSED)".
   */
  readonly operation?: (() => string) | undefined;
}

function abortError(signal: AbortSignal): AbortError {
  return new AbortError(undefined, { cause: signal.reason });
}

/** Settles with the attempt, or rejects as soon as `signal` aborts; the listener is removed either way. */
async function raceWithAbort<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return work;
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
  });
  // The losing attempt settles later; its rejection must not surface as an unhandled one.
  work.catch(() => {});
  try {
    return await Promise.race([work, aborted]);
  } finally {
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
}

/**
 * Runs `attempt` until it succeeds, `shouldRetry` says no, retries or the `maxElapsedMs` budget run out, or
 * `signal` aborts.
 *
 * - A non-retryable error is rethrown unchanged. So is any error when `retry.retries` is 0: no retry layer.
 * - Out of retries, or the next wait would end past the budget: `RetryExhaustedError` (`attempts`,
 *   `elapsedMs`, `cause` = the last error). The loop never sleeps into a budget it cannot use.
 * - Abort: `AbortError` with `cause` = `signal.reason`, at once, even mid-attempt; no listener or timer stays.
 * - The wait is `computeDelay(attempt, retry, random, retryAfterMs(error))`: full jitter, or the server's hint.
 * - A failure `unreachable` says found nothing listening waits at most `retry.reconnectDelayMs` and does not
 *   use up `retry.retries`: only the budget bounds how long the client looks for a restarting server.
 *
 * @example
 * ```ts
 * const result = await runWithRetry((attempt) => send(request, attempt), {
 *   retry: resolveRetryOptions(),
 *   signal,
 *   shouldRetry: (error) => classifyFailure(error) === 'not_delivered',
 *   retryAfterMs: (error) => retryAfterOf(error, Date.now()),
 *   onRetry: ({ attempt, delayMs }) => console.log(`retry ${attempt} in ${delayMs} ms`),
 * });
 * ```
 */
export async function runWithRetry<T>(
  attempt: (attemptNumber: number) => Promise<T>,
  options: RunWithRetryOptions,
): Promise<T> {
  const { retry, scope, shouldRetry, retryAfterMs, onRetry, unreachable, waitUnreachable } = options;
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  const raceAttempts = options.raceAttempts ?? true;
  const aborted = (): boolean => (scope === undefined ? options.signal?.aborted === true : scope.aborted);
  // Read only when needed: building a scope's signal is what `scope` exists to avoid.
  const signalOf = (): AbortSignal | undefined => scope?.signal ?? options.signal;
  if (aborted()) throw abortError(signalOf() as AbortSignal);
  const startedAt = now();
  /** Retries used by failures of a live server; probes of an absent one are paid for by the budget. */
  let retriesUsed = 0;

  for (let attemptNumber = 1; ; attemptNumber++) {
    let error: unknown;
    try {
      return raceAttempts ? await raceWithAbort(attempt(attemptNumber), signalOf()) : await attempt(attemptNumber);
    } catch (caught) {
      if (aborted()) throw caught instanceof AbortError ? caught : abortError(signalOf() as AbortSignal);
      error = caught;
    }

    if (!(await shouldRetry(error, attemptNumber))) throw error;
    if (aborted()) throw abortError(signalOf() as AbortSignal);
    if (retry.retries === 0) throw error;

    const elapsedMs = now() - startedAt;
    // The message says where, how long, why the loop stopped, and what the last attempt saw (its cause).
    const exhausted = (why: string): RetryExhaustedError =>
      new RetryExhaustedError(
        `Gave up${options.operation === undefined ? '' : ` on ${options.operation()}`} after ${attemptNumber} attempts in ${elapsedMs} ms ` +
          `(${why}): ${describeFailure(error)}`,
        { attempts: attemptNumber, elapsedMs, cause: error },
      );
    const probing = unreachable?.(error) === true;
    if (!probing && ++retriesUsed > retry.retries) throw exhausted(`all ${retry.retries} retries used`);
    if (probing && waitUnreachable !== undefined) {
      // A shared probe decides when to look again; this call only keeps its own budget and signal.
      const leftMs = retry.maxElapsedMs - elapsedMs;
      if (leftMs <= 0) throw exhausted(`the ${retry.maxElapsedMs} ms budget \`retry.maxElapsedMs\` ran out`);
      onRetry?.({ attempt: attemptNumber, delayMs: Math.min(leftMs, retry.reconnectDelayMs), error });
      const signal = signalOf();
      try {
        await waitUnreachable(signal, leftMs);
      } catch (waitError) {
        throw signal?.aborted ? abortError(signal) : waitError;
      }
      continue;
    }
    // Full jitter under a flat cap while probing: nothing listens, so there is no load to back off from.
    const delayMs = probing
      ? Math.floor(random() * retry.reconnectDelayMs)
      : computeDelay(retriesUsed, retry, random, retryAfterMs?.(error));
    if (elapsedMs + delayMs > retry.maxElapsedMs) {
      throw exhausted(`waiting ${delayMs} ms more would pass the ${retry.maxElapsedMs} ms budget \`retry.maxElapsedMs\``);
    }

    onRetry?.({ attempt: attemptNumber, delayMs, error });
    const signal = signalOf();
    try {
      await sleep(delayMs, signal);
    } catch (sleepError) {
      // sleep rejects only on abort: delays are valid by construction (computeDelay caps them).
      throw signal ? abortError(signal) : sleepError;
    }
  }
}
