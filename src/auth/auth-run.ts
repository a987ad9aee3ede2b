/**
 * What one `auth()` run observed, beyond its return value: the redirect it asked for, the issuer it resolved,
 * whether the refresh token was refused, and a transport failure at the authorization server. The SDK folds
 * some of these into other outcomes (a failed refresh becomes a new authorization request); the coordinator
 * reads them here to answer with the right typed error instead.
 */
import type { McpClientError } from '../errors/tree';

/** One `auth()` run's observations. */
export interface AuthRun {
  /** `proactive`: an early refresh, which must never ask a user (a redirect aborts it). */
  readonly mode: 'proactive' | 'interactive';
  /** Ignore the cached discovery (after a 401: the server may have moved to another authorization server). */
  readonly rediscover: boolean;
  /** The issuer `auth()` passed to the provider. */
  issuer: string | undefined;
  /** Where `auth()` sent the user, if it did. */
  authorizationUrl: URL | undefined;
  /** The OAuth `state` this run put on the authorization URL. */
  state: string | undefined;
  /** `invalid_grant` (or `invalid_client`) made the SDK invalidate the tokens. */
  refreshRejected: boolean;
  /** The authorization server could not be reached or answered 429/5xx; the stored credentials are untouched. */
  failure: McpClientError | undefined;
}

/**
 * @example
 * ```ts
 * const run = newAuthRun('interactive', true);
 * ```
 */
export function newAuthRun(mode: AuthRun['mode'], rediscover: boolean): AuthRun {
  return { mode, rediscover, issuer: undefined, authorizationUrl: undefined, state: undefined, refreshRejected: false, failure: undefined };
}

/**
 * Thrown inside an early refresh when `auth()` would need a user: the run stops before any redirect, verifier
 * or state is produced, and the caller keeps the current token.
 */
export class RedirectSuppressed extends Error {
  override readonly name = 'RedirectSuppressed';
  constructor() {
    super('An early refresh needs a new authorization; left to the next 401');
  }
}
