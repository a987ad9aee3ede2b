/**
 * When to refresh an access token early: pure functions of the token's lifetime, the options and one random
 * draw, so the schedule is tested without clocks.
 */

/** `expires_in` values above ten years are treated as ten years (a number from the wire is clamped). */
const MAX_TOKEN_LIFETIME_SECONDS = 315_360_000;

/**
 * The expiry instant (epoch ms) of a token obtained at `obtainedAtMs` with this `expires_in`, or `undefined`
 * when the server did not say (or said something that is not a positive number of seconds).
 *
 * @example
 * ```ts
 * tokenExpiresAt(3600, 1_000); // 3_601_000
 * tokenExpiresAt('soon', 1_000); // undefined
 * ```
 */
export function tokenExpiresAt(expiresIn: unknown, obtainedAtMs: number): number | undefined {
  const seconds = typeof expiresIn === 'number' ? expiresIn : typeof expiresIn === 'string' && expiresIn.trim() !== '' ? Number(expiresIn) : Number.NaN;
  if (!Number.isFinite(seconds) || seconds <= 0) return undefined;
  return obtainedAtMs + Math.round(Math.min(seconds, MAX_TOKEN_LIFETIME_SECONDS) * 1000);
}

/** What the schedule needs to know about one token. */
export interface TokenLifetime {
  /** Epoch ms; unknown for tokens found in storage without a record of when they were obtained. */
  readonly obtainedAtMs: number | undefined;
  readonly expiresAtMs: number;
}

/** The knobs from `AuthCoordinatorOptions`. */
export interface RefreshPolicy {
  readonly refreshAheadMs: number;
  readonly refreshJitterMs: number;
}

/**
 * The instant (epoch ms) from which the token should be replaced: `refreshAheadMs` plus up to
 * `refreshJitterMs` (scaled by `random` in [0, 1)) before expiry, but never earlier than half-way through the
 * token's life, so a short-lived token is not refreshed on every request.
 *
 * @example
 * ```ts
 * refreshDueAt({ obtainedAtMs: 0, expiresAtMs: 3_600_000 }, { refreshAheadMs: 60_000, refreshJitterMs: 30_000 }, 0.5); // 3_525_000
 * refreshDueAt({ obtainedAtMs: 0, expiresAtMs: 60_000 }, { refreshAheadMs: 60_000, refreshJitterMs: 30_000 }, 0); // 30_000
 * ```
 */
export function refreshDueAt(token: TokenLifetime, policy: RefreshPolicy, random: number): number {
  const draw = Number.isFinite(random) ? Math.min(Math.max(random, 0), 1) : 0;
  let aheadMs = policy.refreshAheadMs + draw * policy.refreshJitterMs;
  if (token.obtainedAtMs !== undefined) aheadMs = Math.min(aheadMs, Math.max(0, token.expiresAtMs - token.obtainedAtMs) / 2);
  return token.expiresAtMs - aheadMs;
}
