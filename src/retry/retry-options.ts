/**
 * Retry options: the type, its defaults (declared once, here) and their validation.
 */

/**
 * How failed attempts are retried. Every field is optional; omitted fields take {@link RETRY_DEFAULTS}.
 *
 * @example
 * ```ts
 * const retry: RetryOptions = { retries: 3, maxDelayMs: 2_000 };
 * ```
 */
export interface RetryOptions {
  /**
   * Retries after the first attempt when a live server failed it (503, 429, a reset...). Probes of a
   * restarting server (see `reconnectDelayMs`) do not count; the budget bounds them. `0` disables retrying.
   * @default 6
   */
  retries?: number;
  /**
   * Upper bound of the first retry's jittered delay; later bounds grow by `factor`.
   * @default 100
   */
  minDelayMs?: number;
  /**
   * Largest backoff bound. Retry-After hints are capped by `maxRetryAfterMs` instead.
   * @default 5_000
   */
  maxDelayMs?: number;
  /**
   * Total budget for one call, attempts and waits included. No wait starts that would end past it.
   * @default 30_000
   */
  maxElapsedMs?: number;
  /**
   * Growth of the backoff bound per retry.
   * @default 2
   */
  factor?: number;
  /**
   * Ceiling for a server's `Retry-After` hint, so a misconfigured server cannot park a call for an hour.
   * @default 30_000
   */
  maxRetryAfterMs?: number;
  /**
   * Cap on the wait after an attempt found nothing listening (connection refused, host unreachable, DNS)
   * at an address the client has reached before, i.e. a restarting server. Such a probe costs the server
   * nothing, so the client looks again often and finds the server within this bound; these attempts count
   * against `maxElapsedMs` only, not against `retries`. (Before the first successful connect a refusal
   * more likely means a wrong URL, and uses up `retries` like any failure, so it fails in seconds.)
   * @default 250
   */
  reconnectDelayMs?: number;
}

/**
 * Issue 3 defaults. With full jitter the expected total wait over the 6 retries is about 3.2 s (at most
 * 6.3 s): enough for a rate-limit burst or a flaky proxy. Outages where nothing listens do not use up
 * `retries`: the client probes every `reconnectDelayMs` (jittered) until `maxElapsedMs`, so a 10 s
 * restart is ridden out and the first call lands within ~250 ms of the server accepting again.
 *
 * @example
 * ```ts
 * console.log(`up to ${RETRY_DEFAULTS.retries} retries within ${RETRY_DEFAULTS.maxElapsedMs} ms`);
 * ```
 */
export const RETRY_DEFAULTS = {
  retries: 6,
  minDelayMs: 100,
  maxDelayMs: 5_000,
  maxElapsedMs: 30_000,
  factor: 2,
  maxRetryAfterMs: 30_000,
  reconnectDelayMs: 250,
} as const satisfies Required<RetryOptions>;

/**
 * Retry options with every field present and validated.
 *
 * @example
 * ```ts
 * const resolved: ResolvedRetryOptions = resolveRetryOptions({ retries: 2 });
 * ```
 */
export type ResolvedRetryOptions = Readonly<Required<RetryOptions>>;

/**
 * setTimeout's ceiling (a signed 32-bit millisecond count); Node fires larger values after 1 ms with a
 * TimeoutOverflowWarning, which would turn a long backoff into a tight loop.
 *
 * @example
 * ```ts
 * const delayMs = Math.min(requestedMs, MAX_TIMER_DELAY_MS);
 * ```
 */
export const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

type NumberRule = 'non-negative integer' | 'non-negative number' | 'number >= 1';

function checkNumber(field: keyof RetryOptions, value: number, rule: NumberRule): void {
  const valid =
    typeof value === 'number' &&
    !Number.isNaN(value) &&
    (rule === 'non-negative integer'
      ? Number.isInteger(value) && value >= 0
      : rule === 'non-negative number'
        ? value >= 0
        : Number.isFinite(value) && value >= 1);
  if (!valid) {
    const got = typeof value === 'number' ? String(value) : `${typeof value} ${JSON.stringify(value)}`;
    throw new TypeError(`Expected \`retry.${field}\` to be a ${rule}, got ${got}`);
  }
}

/**
 * Fills in defaults and validates. `false` turns retrying off (`retries: 0`); `undefined` means all defaults.
 * Throws `TypeError` naming the field, what was expected and what came.
 *
 * @example
 * ```ts
 * resolveRetryOptions({ retries: 3 }).maxDelayMs; // 5_000
 * resolveRetryOptions(false).retries;              // 0
 * resolveRetryOptions({ retries: -1 });            // TypeError: Expected `retry.retries` to be a non-negative integer, got -1
 * ```
 */
export function resolveRetryOptions(input?: RetryOptions | false): ResolvedRetryOptions {
  if (input === false) return Object.freeze({ ...RETRY_DEFAULTS, retries: 0 });
  if (input !== undefined && (typeof input !== 'object' || input === null)) {
    throw new TypeError(`Expected \`retry\` to be an object or false, got ${input === null ? 'null' : typeof input}`);
  }
  const defined = Object.fromEntries(
    Object.entries(input ?? {}).filter(([, value]) => value !== undefined),
  ) as RetryOptions;
  const resolved: Required<RetryOptions> = { ...RETRY_DEFAULTS, ...defined };

  checkNumber('retries', resolved.retries, 'non-negative integer');
  checkNumber('minDelayMs', resolved.minDelayMs, 'non-negative number');
  checkNumber('maxDelayMs', resolved.maxDelayMs, 'non-negative number');
  // Infinity is allowed for the budget only: "retry until `retries` runs out, however long it takes".
  checkNumber('maxElapsedMs', resolved.maxElapsedMs, 'non-negative number');
  checkNumber('factor', resolved.factor, 'number >= 1');
  checkNumber('maxRetryAfterMs', resolved.maxRetryAfterMs, 'non-negative number');
  checkNumber('reconnectDelayMs', resolved.reconnectDelayMs, 'non-negative number');
  for (const field of ['minDelayMs', 'maxDelayMs', 'maxRetryAfterMs', 'reconnectDelayMs'] as const) {
    if (!Number.isFinite(resolved[field])) {
      throw new TypeError(`Expected \`retry.${field}\` to be a finite number, got ${resolved[field]}`);
    }
  }
  if (resolved.maxDelayMs < resolved.minDelayMs) {
    throw new TypeError(
      `Expected \`retry.maxDelayMs\` (${resolved.maxDelayMs}) to be at least \`retry.minDelayMs\` (${resolved.minDelayMs})`,
    );
  }
  return Object.freeze(resolved);
}
