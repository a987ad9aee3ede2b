import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { ConnectionError, HttpError, RetryExhaustedError } from '../../src/errors/tree';
import { isUnreachable } from '../../src/retry/classify-failure';
import { resolveRetryOptions } from '../../src/retry/retry-options';
import { runWithRetry } from '../../src/retry/run-with-retry';

const refused = (): ConnectionError =>
  new ConnectionError('refused', { reason: 'refused', requestSent: false, errorCode: 'ECONNREFUSED' });
const reset = (): ConnectionError =>
  new ConnectionError('reset', { reason: 'reset', requestSent: true, errorCode: 'ECONNRESET' });

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('isUnreachable', () => {
  test.each([
    ['connection refused', refused(), true],
    ['host unreachable', new ConnectionError('x', { reason: 'unreachable', requestSent: false }), true],
    ['DNS failure', new ConnectionError('x', { reason: 'dns', requestSent: false }), true],
    ['reset after sending', reset(), false],
    ['connect timeout (a blackhole: each probe costs the whole timeout)', new ConnectionError('x', { reason: 'connect_timeout', requestSent: false }), false],
    ['open circuit breaker', new ConnectionError('x', { reason: 'circuit_open', requestSent: false }), false],
    ['503 from a live server', new HttpError('busy', { status: 503 }), false],
    ['a plain Error', new Error('bug'), false],
  ])('%s -> %s', (_name, error, expected) => {
    expect(isUnreachable(error)).toBe(expected);
  });
});

describe('runWithRetry while nothing listens', () => {
  test('probes every reconnectDelayMs at most and does not use up retries', async () => {
    const calledAt: number[] = [];
    const attempt = vi.fn(async () => {
      calledAt.push(Date.now());
      if (calledAt.length <= 20) throw refused();
      return 'ok';
    });
    const result = runWithRetry(attempt, {
      retry: resolveRetryOptions({ retries: 2 }),
      random: () => 0.999,
      shouldRetry: () => true,
      unreachable: isUnreachable,
    });
    await vi.advanceTimersByTimeAsync(20 * 250);
    await expect(result).resolves.toBe('ok');
    expect(attempt).toHaveBeenCalledTimes(21);
    const gaps = calledAt.slice(1).map((at, index) => at - calledAt[index]!);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(250);
  });

  test('the budget still ends the probing with RetryExhaustedError carrying the last refusal', async () => {
    const attempt = vi.fn(async () => {
      throw refused();
    });
    const result = runWithRetry(attempt, {
      retry: resolveRetryOptions({ maxElapsedMs: 2_000 }),
      random: () => 0.5,
      shouldRetry: () => true,
      unreachable: isUnreachable,
    });
    const settled = Promise.allSettled([result]);
    await vi.advanceTimersByTimeAsync(2_500);
    const [outcome] = await settled;
    expect(outcome?.status).toBe('rejected');
    const error = (outcome as PromiseRejectedResult).reason as RetryExhaustedError;
    expect(error).toBeInstanceOf(RetryExhaustedError);
    expect(error.cause).toBeInstanceOf(ConnectionError);
    expect(error.elapsedMs).toBeLessThanOrEqual(2_000);
    // 125 ms per probe (0.5 x 250) within a 2 s budget: far more attempts than the 6 retries allow.
    expect(error.attempts).toBeGreaterThan(10);
  });

  test('failures of a live server in between still count against retries', async () => {
    let calls = 0;
    const attempt = vi.fn(async () => {
      calls += 1;
      throw calls % 2 === 0 ? new HttpError('busy', { status: 503 }) : refused();
    });
    const result = runWithRetry(attempt, {
      retry: resolveRetryOptions({ retries: 2, maxElapsedMs: 60_000 }),
      random: () => 0.5,
      shouldRetry: () => true,
      unreachable: isUnreachable,
    });
    const settled = Promise.allSettled([result]);
    await vi.advanceTimersByTimeAsync(10_000);
    const [outcome] = await settled;
    const error = (outcome as PromiseRejectedResult).reason as RetryExhaustedError;
    expect(error).toBeInstanceOf(RetryExhaustedError);
    // refused, 503 (retry 1), refused, 503 (retry 2), refused, 503 (retry 3 > 2): six attempts.
    expect(error.attempts).toBe(6);
  });
});

describe('reconnectDelayMs option', () => {
  test('defaults to 250 ms and is validated', () => {
    expect(resolveRetryOptions().reconnectDelayMs).toBe(250);
    expect(() => resolveRetryOptions({ reconnectDelayMs: -1 })).toThrow(
      'Expected `retry.reconnectDelayMs` to be a non-negative number, got -1',
    );
  });
});
