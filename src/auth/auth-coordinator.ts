/**
 * The seam between the request path and authorization. MCPClient holds one `AuthCoordinator` (built by
 * `createAuthCoordinator` from the `authProvider` option) and talks to it through these three calls only;
 * everything OAuth (discovery, registration, PKCE, refresh, step-up) stays behind them, in the official SDK's
 * `auth()`.
 *
 * The call sequence for one request (what the client core does):
 *
 * ```
 * const rounds = { 401: 0, 403: 0 };                          // per request
 * for (;;) {
 *   const auth = await coordinator.headers({ method, url });   // before EVERY send, re-initialize included
 *   const response = await send({ ...headers, ...auth });
 *   await coordinator.observe({ url, dpopNonce });             // RFC 9449 8.2: a nonce may ride on any answer
 *   if (!isAuthChallenge(response.status, wwwAuthenticate)) break; // 401, or 403 error="insufficient_scope"
 *   await coordinator.handleUnauthorized({ status, wwwAuthenticate, url, authorization: auth.authorization, attempt: rounds[status]++ });
 *   // resolved 'retry': resend the SAME request (same JSON-RPC id), without spending a retry
 * }
 * ```
 *
 * Rules the client core must keep:
 * - A 401/403 means the server did not execute the request: the resend after `'retry'` is always safe, is not
 *   a retry in the backoff sense (no wait, no budget), and needs no replay-safety check.
 * - 401 and 403 are NEVER evidence about the protocol era or about a lost session: do not fall back to the
 *   legacy era, re-initialize, or drop `Mcp-Session-Id` because of them (DESIGN.md "Speaking both eras";
 *   adcp-client PR #2434 is the field bug). Only the classifier's own rows decide those.
 * - What `handleUnauthorized` throws is final for this request: `AuthRequiredError` (definite, never retried
 *   blindly); `ConnectionError`/`HttpError` when the authorization server itself could not be reached (the
 *   MCP request was not executed: classify as usual, which makes it "not delivered"); `TimeoutError` when the
 *   token store stayed locked by another process.
 * - One coordinator serves every transport, re-initialize and era of the client; it is cheap to call
 *   `headers()` on every request (an in-memory read unless the token is due for refresh).
 */

/**
 * What the server answered, as `handleUnauthorized` needs it.
 *
 * @example
 * ```ts
 * const challenge: AuthChallenge = { status: 401, wwwAuthenticate: 'Bearer resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource"', url };
 * ```
 */
export interface AuthChallenge {
  /** 401, or 403 (only `error="insufficient_scope"` 403s lead to a step-up). */
  readonly status: number;
  /** The response's `WWW-Authenticate` header, if it had one. */
  readonly wwwAuthenticate?: string | null | undefined;
  /** Where the rejected request went (the MCP endpoint). */
  readonly url: string | URL;
  /**
   * The `authorization` header the rejected request carried (from `headers()`). When the current token is
   * already a different one, another caller refreshed meanwhile and the answer is `'retry'` at once.
   */
  readonly authorization?: string | undefined;
  /**
   * How many times this request was already re-sent after a challenge with this same status (0 the first
   * time). Bounds the loop: a 401 for a freshly obtained token, and step-ups past `maxStepUps`, are final.
   */
  readonly attempt?: number;
}

/**
 * The request about to be sent, for a DPoP proof (RFC 9449 4.2: the proof names the method and the URL).
 *
 * @example
 * ```ts
 * const request: AuthRequest = { method: 'POST', url: 'https://mcp.example.com/mcp' };
 * ```
 */
export interface AuthRequest {
  readonly method: string;
  readonly url: string | URL;
}

/**
 * What a response said that matters to authorization beyond a challenge.
 *
 * @example
 * ```ts
 * await auth.observe({ url, dpopNonce: response.headers.get('dpop-nonce') });
 * ```
 */
export interface AuthObservation {
  readonly url: string | URL;
  /** The response's `DPoP-Nonce` header (RFC 9449 8.2, 9), if it had one. */
  readonly dpopNonce?: string | null | undefined;
}

/**
 * What MCPClient holds: one per client. State that matters across clients (the refresh in flight, a pending
 * authorization) is shared per credential slot by every coordinator of the process.
 *
 * @example
 * ```ts
 * const auth = createAuthCoordinator({ serverUrl: url, authProvider });
 * const response = await fetch(url, { method: 'POST', headers: { ...(await auth.headers()), 'content-type': 'application/json' }, body });
 * ```
 */
export interface AuthCoordinator {
  /**
   * The headers that authorize the next request: `{ authorization: 'Bearer ...' }`, or `{}` before any token
   * exists (the server's 401 then starts the flow). Refreshes ahead of expiry (with jitter) when it can, so a
   * long call never starts on a token about to expire; a failed early refresh keeps the current token. A
   * DPoP-bound token (the provider has `dpop()` and the server issued `token_type: DPoP`) goes out as
   * `authorization: DPoP ...` with a fresh `dpop` proof for `request` (RFC 9449 7.1).
   */
  headers(request?: AuthRequest): Promise<Record<string, string>>;
  /** Remembers what a response said for later proofs (a DPoP nonce); cheap, call it after every send. */
  observe(observation: AuthObservation): Promise<void>;
  /**
   * Runs the SDK's `auth()` for a 401 (discovery, registration, PKCE, refresh) or a bounded step-up for a
   * `403 insufficient_scope`, once for all concurrent callers, and resolves `'retry'` when the request should be
   * re-sent. Throws `AuthRequiredError` when a user must act or the credentials are refused.
   */
  handleUnauthorized(challenge: AuthChallenge): Promise<'retry'>;
  /**
   * Completes an authorization the user approved: pass the whole callback URL (or its query). Validates `state`
   * and the RFC 9207 `iss`, exchanges the code, stores the tokens. Calls made afterwards continue normally.
   */
  finishAuth(callback: string | URL | URLSearchParams): Promise<void>;
  /**
   * Authorizes now instead of on the first 401 (`archon-mcp login`). Resolves when tokens are stored; throws
   * `AuthRequiredError` with `reason: 'redirect'` when a user must open `authorizationUrl` first.
   * `force` starts a new authorization even when a usable token exists.
   */
  authorize(options?: { scope?: string; force?: boolean }): Promise<void>;
}

/**
 * True for the answers `handleUnauthorized` handles: every 401, and a 403 whose `WWW-Authenticate` says
 * `error="insufficient_scope"` (RFC 6750 3.1). Any other 403 is an ordinary definite `HttpError`.
 *
 * @example
 * ```ts
 * if (isAuthChallenge(response.status, response.headers.get('www-authenticate'))) await auth.handleUnauthorized(challenge);
 * ```
 */
export function isAuthChallenge(status: number, wwwAuthenticate: string | null | undefined): boolean {
  if (status === 401) return true;
  return status === 403 && typeof wwwAuthenticate === 'string' && /\berror\s*=\s*"?insufficient_scope"?/i.test(wwwAuthenticate);
}

/**
 * True for a resource server's `use_dpop_nonce` challenge (RFC 9449 9): a 401 whose `WWW-Authenticate` has a
 * `DPoP` challenge with that error. The answer is the same request with a proof carrying the nonce, once.
 *
 * @example
 * ```ts
 * isDpopNonceChallenge(401, 'DPoP error="use_dpop_nonce", algs="ES256"'); // true
 * ```
 */
export function isDpopNonceChallenge(status: number, wwwAuthenticate: string | null | undefined): boolean {
  return status === 401 && typeof wwwAuthenticate === 'string' && /(?:^|,)\s*dpop(?:\s|$|,)/i.test(wwwAuthenticate) && /use_dpop_nonce/i.test(wwwAuthenticate);
}
