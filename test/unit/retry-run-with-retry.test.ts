import { getEventListeners } from 'node:events';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { AbortError, HttpError, RetryExhaustedError } from '../../src/errors/tree';
import { computeDelay } from '../../src/retry/compute-delay';
import { type RetryOptions, resolveRetryOptions } from '../../src/retry/retry-options';
import { type RetryInfo, type RunWithRetryOptions, runWithRetry } from '../../src/retry/run-with-retry';

/** mulberry32: a tiny seeded PRNG so jitter is reproducible. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const busy = (): HttpError => new HttpError('busy', { status: 503 });
const half = (): number => 0.5;

/** An attempt function that fails `failures` times with `makeError`, then returns 'ok'; records call times. */
function flaky(failures: number, makeError: () => unknown = busy) {
  const calledAt: number[] = [];
  const attempt = vi.fn(async (_attemptNumber: number) => {
    calledAt.push(Date.now());
    if (calledAt.length <= failures) throw makeError();
    return 'ok';
  });
  return { attempt, calledAt };
}

function options(retry: RetryOptions = {}, extra: Partial<RunWithRetryOptions> = {}): RunWithRetryOptions {
  return { retry: resolveRetryOptions(retry), random: half, shouldRetry: () => true, ...extra };
}

/** Settles `promise` while advancing fake time in bounded steps. */
async function settle<T>(promise: Promise<T>, maxMs = 120_000): Promise<PromiseSettledResult<T>> {
  const outcome = Promise.allSettled([promise]).then(([result]) => result!);
  let done = false;
  void outcome.then(() => (done = true));
  for (let elapsed = 0; !done && elapsed < maxMs; elapsed += 50) await vi.advanceTimersByTimeAsync(50);
  return outcome;
}

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('runWithRetry', () => {
  test('returns the first success without waiting', async () => {
    const { attempt } = flaky(0);
    await expect(runWithRetry(attempt, options())).resolves.toBe('ok');
    expect(attempt).toHaveBeenCalledTimes(1);
    expect(attempt).toHaveBeenCalledWith(1);
  });

  test('retries a retryable failure after the jittered delays, then succeeds', async () => {
    const { attempt, calledAt } = flaky(2);
    const result = runWithRetry(attempt, options());
    await vi.advanceTimersByTimeAsync(49);
    expect(attempt).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1); // 0.5 * 100 ms
    expect(attempt).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(100); // 0.5 * 200 ms
    await expect(result).resolves.toBe('ok');
    expect(calledAt.map((at) => at - 1_000_000)).toEqual([0, 50, 150]);
    expect(attempt.mock.calls.map(([n]) => n)).toEqual([1, 2, 3]);
  });

  test('waits exactly what computeDelay gives for a seeded random', async () => {
    const { attempt, calledAt } = flaky(4);
    const retry = resolveRetryOptions();
    const expectedRandom = seededRandom(42);
    const expectedGaps = [1, 2, 3, 4].map((n) => computeDelay(n, retry, expectedRandom));
    const outcome = await settle(runWithRetry(attempt, { retry, random: seededRandom(42), shouldRetry: () => true }));
    expect(outcome.status).toBe('fulfilled');
    const gaps = calledAt.slice(1).map((at, index) => at - calledAt[index]!);
    expect(gaps).toEqual(expectedGaps);
  });

  test('rethrows a non-retryable error unchanged after one attempt', async () => {
    const error = new HttpError('forbidden', { status: 403 });
    const shouldRetry = vi.fn(() => false);
    const attempt = vi.fn(async () => Promise.reject(error));
    await expect(runWithRetry(attempt, options({}, { shouldRetry }))).rejects.toBe(error);
    expect(attempt).toHaveBeenCalledTimes(1);
    expect(shouldRetry).toHaveBeenCalledWith(error, 1);
  });

  test('awaits an async shouldRetry', async () => {
    const { attempt } = flaky(1);
    const shouldRetry = vi.fn(async () => Promise.resolve(true));
    const outcome = await settle(runWithRetry(attempt, options({}, { shouldRetry })));
    expect(outcome).toEqual({ status: 'fulfilled', value: 'ok' });
    expect(shouldRetry).toHaveBeenCalledTimes(1);
  });

  test('a thrown non-Error is rethrown as is (p-retry would wrap it in a TypeError)', async () => {
    const attempt = vi.fn(async () => Promise.reject('plain string'));
    await expect(runWithRetry(attempt, options({}, { shouldRetry: () => false }))).rejects.toBe('plain string');
  });

  test('a synchronous throw from the attempt is handled like a rejection', async () => {
    const error = new Error('sync');
    const attempt = vi.fn((): Promise<string> => {
      throw error;
    });
    await expect(runWithRetry(attempt, options({}, { shouldRetry: () => false }))).rejects.toBe(error);
  });

  test('out of retries: RetryExhaustedError with attempts, elapsed time and the last error as cause', async () => {
    const errors: HttpError[] = [];
    const { attempt } = flaky(Number.POSITIVE_INFINITY, () => {
      const error = busy();
      errors.push(error);
      return error;
    });
    const outcome = await settle(runWithRetry(attempt, options({ retries: 3 })));
    expect(attempt).toHaveBeenCalledTimes(4);
    expect(outcome.status).toBe('rejected');
    const reason = (outcome as PromiseRejectedResult).reason as RetryExhaustedError;
    expect(reason).toBeInstanceOf(RetryExhaustedError);
    expect(reason.attempts).toBe(4);
    expect(reason.elapsedMs).toBe(50 + 100 + 200);
    expect(reason.cause).toBe(errors[3]);
    expect(vi.getTimerCount()).toBe(0);
  });

  test('retries 0 (retry: false) rethrows even a retryable error unchanged', async () => {
    const error = busy();
    const attempt = vi.fn(async () => Promise.reject(error));
    await expect(runWithRetry(attempt, { retry: resolveRetryOptions(false), shouldRetry: () => true })).rejects.toBe(error);
    expect(attempt).toHaveBeenCalledTimes(1);
  });

  test('stops early, without sleeping, when the next wait would cross the budget', async () => {
    // Delays with random 0.5: 50, 100, 200, 400 -> cumulative 50, 150, 350, 750. Budget 400: the 4th wait
    // (ending at 750) is never started.
    const { attempt } = flaky(Number.POSITIVE_INFINITY);
    const outcome = await settle(runWithRetry(attempt, options({ retries: 10, maxElapsedMs: 400 })));
    expect(attempt).toHaveBeenCalledTimes(4);
    const reason = (outcome as PromiseRejectedResult).reason as RetryExhaustedError;
    expect(reason).toBeInstanceOf(RetryExhaustedError);
    expect(reason.elapsedMs).toBe(350);
    expect(reason.message).toContain('400 ms budget');
    expect(vi.getTimerCount()).toBe(0);
  });

  test('time spent inside attempts counts against the budget', async () => {
    const attempt = vi.fn(async () => {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      throw busy();
    });
    const outcome = await settle(runWithRetry(attempt, options({ retries: 10, maxElapsedMs: 2_500 })));
    // Attempts end at 1000, 2050 (+50 wait), 3150 (+100 wait). A wait may start at 2050 (2050 + 100 <= 2500),
    // none after 3150: an attempt cannot be cut short by the budget, only the waits are.
    expect(attempt).toHaveBeenCalledTimes(3);
    expect(((outcome as PromiseRejectedResult).reason as RetryExhaustedError).elapsedMs).toBe(3_150);
  });

  test('honours a Retry-After hint instead of the jittered delay', async () => {
    const { attempt, calledAt } = flaky(1);
    const outcome = await settle(runWithRetry(attempt, options({}, { retryAfterMs: () => 2_000 })));
    expect(outcome.status).toBe('fulfilled');
    expect(calledAt[1]! - calledAt[0]!).toBe(2_000);
  });

  test('caps a Retry-After hint at maxRetryAfterMs', async () => {
    const { attempt, calledAt } = flaky(1);
    const outcome = await settle(runWithRetry(attempt, options({ maxRetryAfterMs: 1_000 }, { retryAfterMs: () => 3_600_000 })));
    expect(outcome.status).toBe('fulfilled');
    expect(calledAt[1]! - calledAt[0]!).toBe(1_000);
  });

  test('a Retry-After longer than the remaining budget ends the loop at once', async () => {
    const { attempt } = flaky(1);
    const outcome = await settle(runWithRetry(attempt, options({ maxElapsedMs: 5_000 }, { retryAfterMs: () => 10_000 })));
    expect(attempt).toHaveBeenCalledTimes(1);
    expect((outcome as PromiseRejectedResult).reason).toBeInstanceOf(RetryExhaustedError);
  });

  test('tells onRetry about each wait before it starts', async () => {
    const errors: HttpError[] = [];
    const { attempt } = flaky(2, () => {
      const error = busy();
      errors.push(error);
      return error;
    });
    const seen: RetryInfo[] = [];
    await settle(runWithRetry(attempt, options({}, { onRetry: (info) => seen.push(info) })));
    expect(seen).toEqual([
      { attempt: 1, delayMs: 50, error: errors[0] },
      { attempt: 2, delayMs: 100, error: errors[1] },
    ]);
  });

  test('abort during a wait rejects at once with AbortError(cause = reason) and leaves nothing behind', async () => {
    const controller = new AbortController();
    const { attempt } = flaky(Number.POSITIVE_INFINITY);
    const result = runWithRetry(attempt, options({}, { signal: controller.signal, retryAfterMs: () => 10_000 }));
    const assertion = expect(result).rejects.toSatisfy(
      (error: unknown) => error instanceof AbortError && error.cause === reason,
    );
    await vi.advanceTimersByTimeAsync(100);
    const reason = new Error('user cancelled');
    controller.abort(reason);
    await assertion;
    expect(attempt).toHaveBeenCalledTimes(1);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  test('abort during an attempt that never settles rejects promptly and removes the listener', async () => {
    const controller = new AbortController();
    const attempt = vi.fn(async () => new Promise<string>(() => {}));
    const result = runWithRetry(attempt, options({}, { signal: controller.signal }));
    await vi.advanceTimersByTimeAsync(10);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    controller.abort('stop');
    await expect(result).rejects.toSatisfy((error: unknown) => error instanceof AbortError && error.cause === 'stop');
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  test('an attempt that rejects because of the abort still yields AbortError, not its own error', async () => {
    const controller = new AbortController();
    const attempt = vi.fn(async () => {
      controller.abort('why');
      throw new Error('request aborted');
    });
    await expect(runWithRetry(attempt, options({}, { signal: controller.signal }))).rejects.toSatisfy(
      (error: unknown) => error instanceof AbortError && error.cause === 'why',
    );
  });

  test('an already aborted signal rejects without calling the attempt', async () => {
    const attempt = vi.fn(async () => 'ok');
    const signal = AbortSignal.abort('early');
    await expect(runWithRetry(attempt, options({}, { signal }))).rejects.toBeInstanceOf(AbortError);
    expect(attempt).not.toHaveBeenCalled();
  });

  test('a hundred successful runs on one signal leave no listener behind', async () => {
    const controller = new AbortController();
    for (let index = 0; index < 100; index++) {
      await runWithRetry(async () => index, options({}, { signal: controller.signal }));
    }
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });
});
