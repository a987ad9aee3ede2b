/**
 * The one abortable wait. Every backoff in the client goes through it, so "no listener and no timer
 * survive a wait" is proven once, here.
 */
import { MAX_TIMER_DELAY_MS } from './retry-options';

/**
 * Resolves after `ms` milliseconds, or rejects with `signal.reason` as soon as `signal` aborts (at once if it
 * already has). Either way the timer is cleared and the abort listener removed. `unref: true` lets the process
 * exit during the wait.
 *
 * @example
 * ```ts
 * const controller = new AbortController();
 * setTimeout(() => controller.abort(new Error('stop')), 10);
 * await sleep(1_000, controller.signal).catch((reason) => console.log(reason.message)); // "stop"
 * ```
 */
export function sleep(ms: number, signal?: AbortSignal, options?: { readonly unref?: boolean }): Promise<void> {
  if (typeof ms !== 'number' || !(ms >= 0 && ms <= MAX_TIMER_DELAY_MS)) {
    return Promise.reject(new TypeError(`Expected \`ms\` to be a number from 0 to ${MAX_TIMER_DELAY_MS}, got ${ms}`));
  }
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    // A background wait (a paced recovery) must not keep the process alive by itself (issue 10).
    if (options?.unref === true) timer.unref?.();
    // `once` removes the listener on the abort path; the timer path removes it explicitly above.
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
