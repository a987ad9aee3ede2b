import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { computeDelay } from '../../src/retry/compute-delay';
import { MAX_TIMER_DELAY_MS, resolveRetryOptions } from '../../src/retry/retry-options';

const defaults = resolveRetryOptions();
const half = (): number => 0.5;
const almostOne = (): number => 0.999_999;

describe('computeDelay', () => {
  test.each([
    [1, 50],
    [2, 100],
    [3, 200],
    [4, 400],
    [6, 1_600],
    [7, 2_500], // bound capped at maxDelayMs 5_000
    [50, 2_500],
  ])('attempt %i with random 0.5 waits %i ms (half the exponential bound)', (attempt, expected) => {
    expect(computeDelay(attempt, defaults, half)).toBe(expected);
  });

  test('full jitter has no floor: random 0 means retry at once', () => {
    expect(computeDelay(5, defaults, () => 0)).toBe(0);
  });

  test('the top of the range approaches the bound but stays within it', () => {
    expect(computeDelay(3, defaults, almostOne)).toBe(400);
    expect(computeDelay(30, defaults, almostOne)).toBe(5_000);
  });

  test('a server hint replaces the jittered delay, even when shorter', () => {
    expect(computeDelay(6, defaults, almostOne, 250)).toBe(250);
    expect(computeDelay(1, defaults, () => 0, 2_000)).toBe(2_000);
  });

  test('a server hint is capped at maxRetryAfterMs', () => {
    expect(computeDelay(1, defaults, half, 3_600_000)).toBe(30_000);
  });

  test('a negative or non-finite hint is ignored', () => {
    expect(computeDelay(2, defaults, half, -1)).toBe(100);
    expect(computeDelay(2, defaults, half, Number.NaN)).toBe(100);
  });

  test('everything is capped at the setTimeout limit', () => {
    const huge = resolveRetryOptions({ minDelayMs: 1e12, maxDelayMs: 1e13, maxRetryAfterMs: 1e13 });
    expect(computeDelay(3, huge, almostOne)).toBe(MAX_TIMER_DELAY_MS);
    expect(computeDelay(1, huge, half, 1e12)).toBe(MAX_TIMER_DELAY_MS);
  });

  test('a broken random source waits the full bound instead of spinning', () => {
    expect(computeDelay(2, defaults, () => Number.NaN)).toBe(200);
    expect(computeDelay(2, defaults, () => 7)).toBe(200);
    expect(computeDelay(2, defaults, () => -3)).toBe(0);
  });

  test('a zero minimum delay never yields NaN, even when the growth overflows', () => {
    const zero = resolveRetryOptions({ minDelayMs: 0, maxDelayMs: 0 });
    expect(computeDelay(2_000, zero, half)).toBe(0);
  });

  test.each([0, -1, 1.5, Number.NaN])('rejects attempt %s', (attempt) => {
    expect(() => computeDelay(attempt, defaults, half)).toThrow(TypeError);
  });

  test('property: any attempt and options give an integer within [0, min(maxDelayMs, 2^31-1)]', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: 0, max: 100_000 }),
        fc.double({ min: 1, max: 10, noNaN: true }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, minDelayMs, extra, factor, sample) => {
          const options = resolveRetryOptions({ minDelayMs, maxDelayMs: minDelayMs + extra, factor });
          const delay = computeDelay(attempt, options, () => sample);
          return Number.isInteger(delay) && delay >= 0 && delay <= options.maxDelayMs;
        },
      ),
      { numRuns: 500 },
    );
  });

  test('property: the bound never shrinks as attempts grow (same random)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (attempt, sample) => {
        const random = (): number => sample;
        return computeDelay(attempt + 1, defaults, random) >= computeDelay(attempt, defaults, random);
      }),
      { numRuns: 300 },
    );
  });
});
