/**
 * Waiting on shared work (the first tools/list, a handler) with one caller's signal: the caller leaves at once
 * when its signal aborts, the work goes on for whoever else waits on it, and no listener outlives the wait.
 */
import { AbortError, isMcpClientError } from '../errors';

function reasonOf(signal: AbortSignal): Error {
  // A call scope aborts with its own typed error (TimeoutError, ClosedError): pass that on.
  return isMcpClientError(signal.reason) ? signal.reason : new AbortError(undefined, { cause: signal.reason });
}

/**
 * Settles with `work`, or rejects as soon as `signal` aborts.
 *
 * @example
 * ```ts
 * await untilAborted(directory.learn(), options.signal);
 * ```
 */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return work;
  if (signal.aborted) {
    work.catch(() => {}); // the others waiting on it handle its outcome; this caller has left
    return Promise.reject(reasonOf(signal));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(reasonOf(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
