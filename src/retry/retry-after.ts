/**
 * `Retry-After` parsing (RFC 9110 10.2.3): `delay-seconds` or an `HTTP-date`.
 */
import { HttpError } from '../errors/tree';

const DELAY_SECONDS = /^\d+$/;
// Every HTTP-date form (IMF-fixdate, RFC 850, asctime; RFC 9110 5.6.7) names a day or month in letters.
// Requiring one keeps V8's lenient Date.parse from reading "1.5" or "-3" as a calendar date.
const LOOKS_LIKE_DATE = /[a-z]/i;

/**
 * Milliseconds to wait according to a `Retry-After` header value, or `undefined` when there is no usable
 * hint. `now` is the current time in ms since the epoch (pass `Date.now()`; injectable for tests).
 *
 * - `"120"` -> 120_000. Only non-negative integers are `delay-seconds`; `"1.5"` or `"-3"` are invalid.
 * - An HTTP-date -> the time until it; a date in the past -> 0 ("retry now").
 * - Missing, empty or unparseable -> `undefined` (fall back to the backoff schedule).
 *
 * @example
 * ```ts
 * parseRetryAfter('3', Date.now());                              // 3000
 * parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', Date.now());  // 0 (in the past)
 * parseRetryAfter('soon', Date.now());                           // undefined
 * ```
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  if (DELAY_SECONDS.test(trimmed)) {
    const ms = Number(trimmed) * 1000;
    return Number.isSafeInteger(ms) ? ms : undefined;
  }
  if (!LOOKS_LIKE_DATE.test(trimmed)) return undefined;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/**
 * The `Retry-After` hint carried by an error, if it is an {@link HttpError} that has one. Shaped to be passed
 * as `runWithRetry`'s `retryAfterMs` option.
 *
 * @example
 * ```ts
 * await runWithRetry(send, { retry, shouldRetry, retryAfterMs: (error) => retryAfterOf(error, Date.now()) });
 * ```
 */
export function retryAfterOf(error: unknown, now: number): number | undefined {
  if (!(error instanceof HttpError)) return undefined;
  return parseRetryAfter(error.headers['retry-after'], now);
}
