import { describe, expect, test } from 'vitest';
import { RETRY_DEFAULTS, resolveRetryOptions, type RetryOptions } from '../../src/retry/retry-options';

describe('resolveRetryOptions', () => {
  test('no input gives the issue 3 defaults', () => {
    expect(resolveRetryOptions()).toEqual({
      retries: 6,
      minDelayMs: 100,
      maxDelayMs: 5_000,
      maxElapsedMs: 30_000,
      factor: 2,
      maxRetryAfterMs: 30_000,
      reconnectDelayMs: 250,
    });
  });

  test('false turns retrying off and keeps every other default', () => {
    expect(resolveRetryOptions(false)).toEqual({ ...RETRY_DEFAULTS, retries: 0 });
  });

  test('given fields override the defaults, undefined fields do not', () => {
    const resolved = resolveRetryOptions({ retries: 2, maxDelayMs: undefined, factor: 3 });
    expect(resolved).toEqual({ ...RETRY_DEFAULTS, retries: 2, factor: 3 });
  });

  test('the result is frozen so a shared instance cannot be changed by one caller', () => {
    expect(Object.isFrozen(resolveRetryOptions({ retries: 1 }))).toBe(true);
  });

  test('an infinite budget is allowed', () => {
    expect(resolveRetryOptions({ maxElapsedMs: Number.POSITIVE_INFINITY }).maxElapsedMs).toBe(Number.POSITIVE_INFINITY);
  });

  test.each<[RetryOptions, string]>([
    [{ retries: -1 }, 'Expected `retry.retries` to be a non-negative integer, got -1'],
    [{ retries: 1.5 }, 'Expected `retry.retries` to be a non-negative integer, got 1.5'],
    [{ retries: Number.NaN }, 'Expected `retry.retries` to be a non-negative integer, got NaN'],
    [{ retries: Number.POSITIVE_INFINITY }, 'Expected `retry.retries` to be a non-negative integer, got Infinity'],
    [{ minDelayMs: -5 }, 'Expected `retry.minDelayMs` to be a non-negative number, got -5'],
    [{ maxDelayMs: Number.POSITIVE_INFINITY }, 'Expected `retry.maxDelayMs` to be a finite number, got Infinity'],
    [{ maxElapsedMs: -1 }, 'Expected `retry.maxElapsedMs` to be a non-negative number, got -1'],
    [{ factor: 0.5 }, 'Expected `retry.factor` to be a number >= 1, got 0.5'],
    [{ maxRetryAfterMs: Number.NaN }, 'Expected `retry.maxRetryAfterMs` to be a non-negative number, got NaN'],
    [{ minDelayMs: 200, maxDelayMs: 100 }, 'Expected `retry.maxDelayMs` (100) to be at least `retry.minDelayMs` (200)'],
  ])('rejects %o with a message naming field, expectation and value', (input, message) => {
    expect(() => resolveRetryOptions(input)).toThrow(new TypeError(message));
  });

  test('a string where a number belongs is reported with its type', () => {
    const input = JSON.parse('{"retries":"3"}') as RetryOptions;
    expect(() => resolveRetryOptions(input)).toThrow('Expected `retry.retries` to be a non-negative integer, got string "3"');
  });

  test('a non-object is rejected', () => {
    const input = JSON.parse('7') as RetryOptions;
    expect(() => resolveRetryOptions(input)).toThrow('Expected `retry` to be an object or false, got number');
  });
});
