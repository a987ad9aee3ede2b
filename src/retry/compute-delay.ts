/**
 * Backoff as a pure function of (attempt, options, random): no clock, no timers, no state.
 */
import { MAX_TIMER_DELAY_MS, type ResolvedRetryOptions } from './retry-options';

/**
 * How long to wait before retry number `attempt` (1 = the first retry, after the first attempt failed).
 *
 * - Exponential backoff with FULL jitter: `random() * min(maxDelayMs, minDelayMs * factor ** (attempt - 1))`.
 *   No floor: AWS measured full jitter as the schedule with the least total work and the fastest completion
 *   under contention ("Exponential Backoff And Jitter", AWS Architecture Blog, 2015); a floor only
 *   re-synchronises clients that a restart knocked off at the same moment.
 * - A server hint (`retryAfterMs`, parsed from `Retry-After`) replaces the jittered delay, capped at
 *   `maxRetryAfterMs`: the server knows when it will be back, our schedule only guesses (RFC 9110 10.2.3).
 * - The result is capped at 2^31-1 ms, setTimeout's limit (beyond it Node fires after 1 ms).
 *
 * `random` must return a number in [0, 1) like `Math.random`; values outside are clamped, and a non-number
 * counts as 1 (the full bound): a broken random source must not turn backoff into a tight loop.
 *
 * @example
 * ```ts
 * const options = resolveRetryOptions();
 * computeDelay(1, options, () => 0.5);          // 50   (half of the 100 ms bound)
 * computeDelay(4, options, () => 0.5);          // 400  (half of 100 * 2^3)
 * computeDelay(1, options, Math.random, 2_000); // 2000 (Retry-After wins)
 * ```
 */
export function computeDelay(
  attempt: number,
  options: ResolvedRetryOptions,
  random: () => number,
  retryAfterMs?: number,
): number {
  if (!Number.isInteger(attempt) || attempt < 1) {
    throw new TypeError(`Expected \`attempt\` to be a positive integer, got ${attempt}`);
  }
  if (retryAfterMs !== undefined && Number.isFinite(retryAfterMs) && retryAfterMs >= 0) {
    return Math.min(retryAfterMs, options.maxRetryAfterMs, MAX_TIMER_DELAY_MS);
  }
  // factor ** (attempt - 1) overflows to Infinity for large attempts; min() keeps the bound finite
  // (and 0 * Infinity would be NaN, hence the explicit zero case).
  const grown = options.minDelayMs === 0 ? 0 : options.minDelayMs * options.factor ** (attempt - 1);
  const bound = Math.min(options.maxDelayMs, grown);
  const sample = random();
  const jitter = Number.isFinite(sample) ? Math.min(Math.max(sample, 0), 1) : 1;
  return Math.min(Math.round(jitter * bound), MAX_TIMER_DELAY_MS);
}

/**
 * The shortest wait of a background loop, whatever the options and the random source say: 20 steps a second at
 * most, even with `minDelayMs: 0` (issue 9 case 2: a loop without one ran 1,700 re-initializes a second).
 *
 * @example
 * ```ts
 * console.log(`a recovery loop runs at most ${1_000 / LOOP_FLOOR_MS} times a second`);
 * ```
 */
export const LOOP_FLOOR_MS = 50;

/**
 * How long a loop that nobody waits on with a budget waits before step `attempt` (1 = after the first failure):
 * a recovery after a session that did not hold, a notification stream that failed or ended at once. The bound
 * grows like {@link computeDelay}'s, but with EQUAL jitter (`bound / 2 + random() * bound / 2`) and a floor of
 * {@link LOOP_FLOOR_MS}: full jitter can draw 0 again and again, and a hostile peer that fails every step at
 * once would then drive the loop as fast as the network allows. Half the bound is guaranteed, so the loop's
 * rate is bounded by the options alone. A server hint (`retryAfterMs`) replaces the delay, capped, floored.
 *
 * @example
 * ```ts
 * const options = resolveRetryOptions();
 * computeLoopDelay(1, options, () => 0);   // 50   (the floor; half of the 100 ms bound is 50 too)
 * computeLoopDelay(4, options, () => 0);   // 400  (half of 100 * 2^3)
 * computeLoopDelay(4, options, () => 0.5); // 600
 * ```
 */
export function computeLoopDelay(attempt: number, options: ResolvedRetryOptions, random: () => number, retryAfterMs?: number): number {
  if (!Number.isInteger(attempt) || attempt < 1) {
    throw new TypeError(`Expected \`attempt\` to be a positive integer, got ${attempt}`);
  }
  if (retryAfterMs !== undefined && Number.isFinite(retryAfterMs) && retryAfterMs >= 0) {
    return Math.min(Math.max(retryAfterMs, LOOP_FLOOR_MS), Math.max(options.maxRetryAfterMs, LOOP_FLOOR_MS), MAX_TIMER_DELAY_MS);
  }
  const grown = options.minDelayMs === 0 ? 0 : options.minDelayMs * options.factor ** (attempt - 1);
  const half = Math.min(options.maxDelayMs, grown) / 2;
  const sample = random();
  const jitter = Number.isFinite(sample) ? Math.min(Math.max(sample, 0), 1) : 1;
  return Math.min(Math.max(Math.round(half + jitter * half), LOOP_FLOOR_MS), MAX_TIMER_DELAY_MS);
}
