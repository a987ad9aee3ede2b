/**
 * Every failed attempt is classified once, here (DESIGN.md "The client contract"). The class decides what
 * the client does next; nothing else in the client looks at status codes or error names to decide.
 */
import { ConnectionError, HttpError, ProtocolError, RpcError, SessionExpiredError, TimeoutError } from '../errors/tree';
import { MODERN_ERROR_CODES } from '../session/era';

/**
 * What a failed attempt means for the request, in both protocol eras:
 * - `not_delivered`: the server never processed it; resending is always safe (after a wait).
 * - `session_lost`: the server forgot the protocol session (legacy) or no longer accepts the negotiated era or
 *   version (either era); re-initialize or re-negotiate once for everyone, then resend.
 * - `stale_tools`: the server refused the request's mirrored headers (`-32020` HeaderMismatch, 2026-07-28):
 *   the client's copy of the tool's schema is out of date; re-list the tools, then resend once.
 * - `response_lost`: the request may have run but its answer is gone; resume the stream (legacy, when an
 *   event id was seen), or resend under a new id only if replay-safe, else `MaybeExecutedError`. The modern era
 *   has no resumption, so there it is always the resend-or-refuse branch.
 * - `definite`: a final answer (or a bug); reject at once.
 *
 * @example
 * ```ts
 * const failureClass: FailureClass = classifyFailure(error);
 * ```
 */
export type FailureClass = 'not_delivered' | 'session_lost' | 'stale_tools' | 'response_lost' | 'definite';

/**
 * HTTP statuses that prove the request was not processed:
 * - 408: the server gave up waiting for the request itself and "MAY close the connection"; the client
 *   "MAY repeat that request" (RFC 9110 15.5.9).
 * - 429: rate limited before processing (RFC 6585 4), usually with Retry-After.
 * - 503: the server refused the work, usually with Retry-After (RFC 9110 15.6.4); the reference server
 *   answers 503 at capacity before touching the session.
 */
const NOT_DELIVERED_STATUSES: ReadonlySet<number> = new Set([408, 429, 503]);

/**
 * 502/504 come from a proxy that cannot tell whether its upstream ran the request (RFC 9110 15.6.3, 15.6.5):
 * the answer is lost, not refused. Every other status, 500 included, is the server's own final answer.
 */
const RESPONSE_LOST_STATUSES: ReadonlySet<number> = new Set([502, 504]);

function classifyHttp(error: HttpError): FailureClass {
  // The MCP server answered 401/403 (not executed) and the authorization server, asked for a token, could not
  // serve it now: nothing ran anywhere, whatever the status (a 502 there says nothing about the MCP request).
  if (error.source === 'authorization_server') return error.status === 429 || error.status >= 500 ? 'not_delivered' : 'definite';
  const { status } = error;
  if (NOT_DELIVERED_STATUSES.has(status)) return 'not_delivered';
  if (RESPONSE_LOST_STATUSES.has(status)) return 'response_lost';
  return 'definite';
}

/**
 * The server's JSON-RPC answers are final, except the two modern codes that say the client's view of the server
 * is stale and the server did not run the request (both come as a 400 before any processing, spec 2026-07-28
 * basic/transports/streamable-http "Server Validation" and basic/versioning).
 */
function classifyRpc(error: RpcError): FailureClass {
  if (error.rpcCode === MODERN_ERROR_CODES.unsupportedProtocolVersion) return 'session_lost';
  if (error.rpcCode === MODERN_ERROR_CODES.headerMismatch) return 'stale_tools';
  return 'definite';
}

function classifyConnection(error: ConnectionError): FailureClass {
  // An open breaker (or a degraded client) exists to fail fast; retrying would only wait out the cool-down.
  if (error.reason === 'circuit_open' || error.reason === 'degraded') return 'definite';
  return error.requestSent ? 'response_lost' : 'not_delivered';
}

function classifyTimeout(error: TimeoutError): FailureClass {
  switch (error.kind) {
    case 'attempt':
      return 'response_lost';
    case 'connect':
      // No connection means no request bytes left the process.
      return 'not_delivered';
    case 'total':
    case 'close':
      return 'definite';
  }
}

/**
 * Classifies one failed attempt. Unknown errors (a plain `Error`, a `TypeError` from a bug) are `definite`:
 * never retry what you do not understand (ky's rule).
 *
 * | error | class |
 * |---|---|
 * | `ConnectionError` with `requestSent: false` (refused, DNS, connect timeout; the authorization server unreachable) | `not_delivered` |
 * | `HttpError` 408, 429, 503 | `not_delivered` |
 * | `HttpError` 429, 5xx with `source: 'authorization_server'` (the MCP server answered 401/403 first) | `not_delivered` |
 * | `SessionExpiredError`: 404 with session id, 400 "Server not initialized", 400 "No valid session ID" with a session id, a modern request refused without a modern error (`era_changed`) | `session_lost` |
 * | `RpcError` -32022 UnsupportedProtocolVersion (either era) | `session_lost` |
 * | `RpcError` -32020 HeaderMismatch | `stale_tools` |
 * | `ConnectionError` with `requestSent: true` (reset, socket closed, `terminated`) | `response_lost` |
 * | `HttpError` 502, 504; `TimeoutError` kind `attempt`; `ProtocolError` `stream_ended` | `response_lost` |
 * | `HttpError` 401, 403 (no `authProvider`, or past its bounds); `AuthRequiredError` | `definite` (never era or session evidence) |
 * | everything else, including other `RpcError`s, `circuit_open`, `degraded` and unknown errors | `definite` |
 *
 * @example
 * ```ts
 * classifyFailure(createErrorFromFailure({ kind: 'http', status: 503 }));                   // 'not_delivered'
 * classifyFailure(createErrorFromFailure({ kind: 'http', status: 404, mcpSessionId: 's' })); // 'session_lost'
 * classifyFailure(new Error('bug'));                                                       // 'definite'
 * ```
 */
export function classifyFailure(error: unknown): FailureClass {
  if (error instanceof ConnectionError) return classifyConnection(error);
  if (error instanceof SessionExpiredError) return 'session_lost';
  if (error instanceof RpcError) return classifyRpc(error);
  if (error instanceof HttpError) return classifyHttp(error);
  if (error instanceof TimeoutError) return classifyTimeout(error);
  if (error instanceof ProtocolError) return error.reason === 'stream_ended' ? 'response_lost' : 'definite';
  // ToolCallError, AbortError, ClosedError, OutputValidationError, UnknownToolError, MaybeExecutedError,
  // RetryExhaustedError and AuthRequiredError (a user must act) are final answers; anything else is not understood.
  return 'definite';
}

/** Reasons that mean nothing is listening at the address, as opposed to a live server failing. */
const UNREACHABLE_REASONS: ReadonlySet<string> = new Set(['refused', 'unreachable', 'dns']);

/**
 * True when an attempt found nothing listening (connection refused, host unreachable, DNS failure). Such
 * a failure is `not_delivered`, and probing again is cheap and puts no load on any server, so the retry
 * loop looks again every `reconnectDelayMs` instead of backing off (a restarted server is found within
 * ~250 ms of accepting; with a 5 s backoff cap it could wait 5 s).
 *
 * @example
 * ```ts
 * if (isUnreachable(error)) console.log('server down; probing until the budget runs out');
 * ```
 */
export function isUnreachable(error: unknown): boolean {
  return error instanceof ConnectionError && !error.requestSent && UNREACHABLE_REASONS.has(error.reason);
}
