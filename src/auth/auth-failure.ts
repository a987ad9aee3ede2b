/**
 * How a failed `auth()` run reaches the caller: one function, so every path (401, step-up, early refresh,
 * finishAuth, authorize) answers alike. The authorization server being unreachable is a transport failure
 * (the MCP request was not executed); a refusal or a broken flow is a definite `AuthRequiredError`.
 */
import { AuthRequiredError, isMcpClientError } from '../errors/tree';
import { type AuthRun, RedirectSuppressed } from './auth-run';
import type { OAuthSdk } from './load-oauth-sdk';

/** OAuth error codes are `[\x20-\x21\x23-\x5B\x5D-\x7E]+` (RFC 6749 5.2); anything else is not echoed. */
export function safeOAuthCode(code: unknown): string {
  return typeof code === 'string' && /^[a-z0-9_.-]{1,64}$/i.test(code) ? code : 'unknown_error';
}

/**
 * @example
 * ```ts
 * try { await auth(provider, options); } catch (error) { throw authFailure(error, run, sdk, serverUrl); }
 * ```
 */
export function authFailure(error: unknown, run: AuthRun, sdk: OAuthSdk, serverUrl: string): Error {
  if (error instanceof RedirectSuppressed) return error;
  if (run.failure !== undefined) return run.failure;
  if (isMcpClientError(error)) return error;
  if (error instanceof sdk.OAuthError) {
    const code = safeOAuthCode(error.code);
    return new AuthRequiredError(`The authorization server refused the request for ${serverUrl} (${code}); check the client's credentials and authorize again`, {
      reason: 'rejected',
      serverUrl,
      cause: error,
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new AuthRequiredError(`Authorization for ${serverUrl} failed: ${message.split('\n')[0] ?? message}`, { reason: 'failed', serverUrl, cause: error });
}

/**
 * The error for a redirect the user has to follow.
 *
 * @example
 * ```ts
 * throw redirectRequired(serverUrl, 'https://auth.example.com/authorize?...', false);
 * ```
 */
export function redirectRequired(serverUrl: string, authorizationUrl: string, refreshRejected: boolean): AuthRequiredError {
  const why = refreshRejected ? 'the refresh token was rejected (expired or revoked); ' : '';
  return new AuthRequiredError(
    `Authorization required for ${serverUrl}: ${why}open error.authorizationUrl, then call finishAuth(callbackUrl) (CLI: archon-mcp login ${serverUrl})`,
    { reason: 'redirect', serverUrl, authorizationUrl },
  );
}

/**
 * The access token inside an `authorization` header value (`Bearer abc` or `DPoP abc` -> `abc`).
 *
 * @example
 * ```ts
 * bearerToken('Bearer abc'); // 'abc'
 * ```
 */
export function bearerToken(authorization: string | undefined): string | undefined {
  const match = authorization === undefined ? null : /^\s*(?:bearer|dpop)\s+(\S+)\s*$/i.exec(authorization);
  return match?.[1];
}

/**
 * The parameters of a `WWW-Authenticate` value, read by the SDK's own parser (it takes a Response).
 *
 * @example
 * ```ts
 * const { resourceMetadataUrl, scope, error } = challengeParams(sdk, 401, 'Bearer scope="mcp:read"');
 * ```
 */
export function challengeParams(sdk: OAuthSdk, status: number, wwwAuthenticate: string | null | undefined) {
  if (typeof wwwAuthenticate !== 'string' || wwwAuthenticate === '') return {};
  try {
    return sdk.extractWWWAuthenticateParams(new Response(null, { status, headers: { 'www-authenticate': wwwAuthenticate } }));
  } catch {
    // A header value fetch's Headers refuses (control characters) carries nothing we could use.
    return {};
  }
}
