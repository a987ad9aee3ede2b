/**
 * The error tree. Every error this package throws is an `McpClientError` with a literal `name`, a
 * literal string `code` and, where there was an underlying failure, a chained `cause`.
 * Codes are stable API: switch on `code`, not on `message`.
 */
import type { CallToolResult } from '@modelcontextprotocol/client';

const BRAND = Symbol.for('archon-mcp-client.McpClientError');

/** Every `code` an {@link McpClientError} can carry. */
export type McpClientErrorCode =
  | 'RPC_ERROR'
  | 'HTTP_ERROR'
  | 'CONNECTION_ERROR'
  | 'SESSION_EXPIRED'
  | 'TIMEOUT'
  | 'MAYBE_EXECUTED'
  | 'TOOL_CALL_ERROR'
  | 'CLOSED'
  | 'RETRY_EXHAUSTED'
  | 'PROTOCOL_ERROR'
  | 'OUTPUT_VALIDATION'
  | 'UNKNOWN_TOOL'
  | 'INVALID_ARGUMENT'
  | 'INPUT_ROUND_FAILED'
  | 'ABORTED'
  | 'AUTH_REQUIRED';

/**
 * Root of every error thrown by archon-mcp-client.
 *
 * @example
 * ```ts
 * try { await client.callTool('echo', { text: 'hi' }); }
 * catch (error) { if (isMcpClientError(error)) console.error(error.code, error.message); }
 * ```
 */
export abstract class McpClientError extends Error {
  abstract override readonly name: string;
  abstract readonly code: McpClientErrorCode;
  /** Brand checked by {@link isMcpClientError}; survives two copies of this package in one process. */
  readonly [BRAND] = true;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * True for any error thrown by archon-mcp-client, even from another copy of the package.
 *
 * @example
 * ```ts
 * if (isMcpClientError(error) && error.code === 'MAYBE_EXECUTED') alertHuman(error);
 * ```
 */
export function isMcpClientError(value: unknown): value is McpClientError {
  return typeof value === 'object' && value !== null && (value as { [BRAND]?: unknown })[BRAND] === true;
}

/**
 * The server answered with a JSON-RPC error object. Definite: the server saw and refused the request.
 *
 * @example
 * ```ts
 * if (error instanceof RpcError && error.rpcCode === -32602) console.error('invalid params', error.data);
 * ```
 */
export class RpcError extends McpClientError {
  override readonly name = 'RpcError' as const;
  readonly code = 'RPC_ERROR' as const;
  /** The JSON-RPC error code (e.g. -32602 invalid params, -32601 method not found, -32022 unsupported protocol version). */
  readonly rpcCode: number;
  readonly data: unknown;
  /** The HTTP status when the error object came as the body of a 4xx (the 2026-07-28 era's 400/404 answers). */
  readonly status: number | undefined;

  constructor(message: string, options: { rpcCode: number; data?: unknown; status?: number; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.rpcCode = options.rpcCode;
    this.data = options.data;
    this.status = options.status;
  }
}

/**
 * The server answered with an HTTP status that is not a valid MCP answer (4xx/5xx other than session loss).
 *
 * @example
 * ```ts
 * if (error instanceof HttpError && error.status === 401) await refreshToken();
 * ```
 */
export class HttpError extends McpClientError {
  override readonly name = 'HttpError' as const;
  readonly code = 'HTTP_ERROR' as const;
  readonly status: number;
  /** Response headers, lower-cased names. */
  readonly headers: Readonly<Record<string, string>>;
  /** The first bytes of the response body (at most 1 KiB), for diagnosis. */
  readonly body: string;
  /**
   * Who answered: the MCP server, or the OAuth authorization server the client asked for a token after the MCP
   * server answered 401/403 (then the MCP request was not executed, and a 429/5xx is only "try later").
   */
  readonly source: 'server' | 'authorization_server';

  constructor(
    message: string,
    options: { status: number; headers?: Record<string, string>; body?: string; source?: 'server' | 'authorization_server'; cause?: unknown },
  ) {
    super(message, { cause: options.cause });
    this.status = options.status;
    this.headers = options.headers ?? {};
    this.body = options.body ?? '';
    this.source = options.source ?? 'server';
  }
}

/** Why a connection-level failure happened. */
export type ConnectionFailureReason =
  | 'refused'
  | 'dns'
  | 'unreachable'
  | 'connect_timeout'
  | 'reset'
  | 'socket_closed'
  | 'headers_timeout'
  | 'body_timeout'
  | 'circuit_open'
  | 'degraded'
  | 'unknown';

/**
 * The HTTP exchange failed below HTTP: refused, reset, DNS, socket closed; or the client failed the call fast
 * because the circuit breaker is open (`circuit_open`) or the server keeps losing sessions (`degraded`).
 * `requestSent` says whether the request may have reached the server.
 *
 * @example
 * ```ts
 * if (error instanceof ConnectionError && !error.requestSent) console.log('never reached the server');
 * ```
 */
export class ConnectionError extends McpClientError {
  override readonly name = 'ConnectionError' as const;
  readonly code = 'CONNECTION_ERROR' as const;
  readonly reason: ConnectionFailureReason;
  /** False when the failure happened before any byte of the request could reach the server. */
  readonly requestSent: boolean;
  /** The underlying undici/system error code (`ECONNREFUSED`, `UND_ERR_SOCKET`, ...), when there was one. */
  readonly errorCode: string | undefined;

  constructor(
    message: string,
    options: { reason: ConnectionFailureReason; requestSent: boolean; errorCode?: string; cause?: unknown },
  ) {
    super(message, { cause: options.cause });
    this.reason = options.reason;
    this.requestSent = options.requestSent;
    this.errorCode = options.errorCode;
  }
}

/**
 * Why the server no longer accepts what the client negotiated:
 * - `not_found`: 404 for a request carrying `Mcp-Session-Id` (spec 2025-11-25 "Session Management");
 * - `not_initialized`: 400 "Server not initialized" (a fresh SDK process that never saw the session);
 * - `invalid_session`: 400 whose body says the session id is missing, unknown or invalid, for a request that
 *   carried one (`server-everything` and the SDK 1.x examples: "Bad Request: No valid session ID provided");
 * - `era_changed`: the server stopped speaking the negotiated era (a modern request refused with a 400/404/405
 *   that is no modern error, or a legacy session answered with `-32022`).
 */
export type SessionLossReason = 'not_found' | 'not_initialized' | 'invalid_session' | 'era_changed';

/**
 * The server no longer knows the protocol session, or no longer speaks the negotiated protocol era.
 * MCPClient recovers from this itself (one shared re-initialize or re-negotiation, then a resend); you see it
 * only when recovery is off or exhausted.
 *
 * @example
 * ```ts
 * if (error instanceof SessionExpiredError) console.log('session', error.mcpSessionId, 'is gone:', error.reason);
 * ```
 */
export class SessionExpiredError extends McpClientError {
  override readonly name = 'SessionExpiredError' as const;
  readonly code = 'SESSION_EXPIRED' as const;
  readonly mcpSessionId: string | undefined;
  readonly status: number;
  readonly reason: SessionLossReason;

  constructor(message: string, options: { mcpSessionId?: string; status: number; reason?: SessionLossReason; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.mcpSessionId = options.mcpSessionId;
    this.status = options.status;
    this.reason = options.reason ?? 'not_found';
  }
}

/** Which time limit ran out. */
export type TimeoutKind = 'attempt' | 'total' | 'connect' | 'close';

/**
 * A time limit ran out: one attempt (`timeoutMs`), the whole call (`totalTimeoutMs`), connecting, or closing.
 *
 * @example
 * ```ts
 * if (error instanceof TimeoutError) console.log(`${error.kind} timeout after ${error.timeoutMs} ms`);
 * ```
 */
export class TimeoutError extends McpClientError {
  override readonly name = 'TimeoutError' as const;
  readonly code = 'TIMEOUT' as const;
  readonly timeoutMs: number;
  readonly kind: TimeoutKind;

  constructor(message: string, options: { timeoutMs: number; kind: TimeoutKind; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.timeoutMs = options.timeoutMs;
    this.kind = options.kind;
  }
}

/**
 * The request reached the server but its answer was lost, the stream could not be resumed, and the call
 * is not replay-safe. The tool MAY have run. Resending could run it twice, so the client refuses to guess.
 *
 * @example
 * ```ts
 * if (error instanceof MaybeExecutedError) await reconcile(error.toolName); // check state before retrying
 * ```
 */
export class MaybeExecutedError extends McpClientError {
  override readonly name = 'MaybeExecutedError' as const;
  readonly code = 'MAYBE_EXECUTED' as const;
  readonly method: string;
  readonly toolName: string | undefined;

  constructor(message: string, options: { method: string; toolName?: string; cause: unknown }) {
    super(message, { cause: options.cause });
    this.method = options.method;
    this.toolName = options.toolName;
  }
}

/**
 * The tool ran and reported failure (`isError: true`). The full result is on `result`.
 *
 * @example
 * ```ts
 * if (error instanceof ToolCallError) console.error(error.toolName, error.result.content);
 * ```
 */
export class ToolCallError extends McpClientError {
  override readonly name = 'ToolCallError' as const;
  readonly code = 'TOOL_CALL_ERROR' as const;
  readonly toolName: string;
  readonly result: CallToolResult;

  constructor(message: string, options: { toolName: string; result: CallToolResult; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.toolName = options.toolName;
    this.result = options.result;
  }
}

/**
 * The client was closed: by `close()`, `await using`, or before the call started.
 *
 * @example
 * ```ts
 * if (error instanceof ClosedError) return; // shutting down
 * ```
 */
export class ClosedError extends McpClientError {
  override readonly name = 'ClosedError' as const;
  readonly code = 'CLOSED' as const;

  constructor(message = 'The MCP client is closed', options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * Retries ran out (count or `maxElapsedMs` budget). `cause` is the last attempt's error.
 *
 * @example
 * ```ts
 * if (error instanceof RetryExhaustedError) console.error(`gave up after ${error.attempts} attempts`, error.cause);
 * ```
 */
export class RetryExhaustedError extends McpClientError {
  override readonly name = 'RetryExhaustedError' as const;
  readonly code = 'RETRY_EXHAUSTED' as const;
  readonly attempts: number;
  readonly elapsedMs: number;

  constructor(message: string, options: { attempts: number; elapsedMs: number; cause: unknown }) {
    super(message, { cause: options.cause });
    this.attempts = options.attempts;
    this.elapsedMs = options.elapsedMs;
  }
}

/** What was wrong with the server's output. */
export type ProtocolErrorReason =
  | 'invalid_json'
  | 'invalid_message'
  | 'invalid_content_type'
  | 'invalid_sse'
  | 'body_too_large'
  | 'stream_ended'
  | 'unexpected_status'
  | 'era_mismatch';

/**
 * The server's answer broke the protocol: bad JSON, a wrong content type, a malformed SSE stream, a body
 * over the size limit, a stream that ended without the response, or (`era_mismatch`) a server that does not
 * speak the era the `era` option pinned.
 *
 * @example
 * ```ts
 * if (error instanceof ProtocolError) console.error('server sent garbage:', error.reason);
 * ```
 */
export class ProtocolError extends McpClientError {
  override readonly name = 'ProtocolError' as const;
  readonly code = 'PROTOCOL_ERROR' as const;
  readonly reason: ProtocolErrorReason;

  constructor(message: string, options: { reason: ProtocolErrorReason; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.reason = options.reason;
  }
}

/** One place where structured output broke the tool's `outputSchema`. */
export interface OutputValidationIssue {
  /** JSON Pointer into `structuredContent`, e.g. `/projects/0/id`. */
  readonly path: string;
  readonly message: string;
}

/**
 * A tool's `structuredContent` does not match its declared `outputSchema`.
 *
 * @example
 * ```ts
 * if (error instanceof OutputValidationError) console.error(error.issues.map((i) => `${i.path}: ${i.message}`));
 * ```
 */
export class OutputValidationError extends McpClientError {
  override readonly name = 'OutputValidationError' as const;
  readonly code = 'OUTPUT_VALIDATION' as const;
  readonly toolName: string;
  readonly issues: readonly OutputValidationIssue[];
  readonly result: CallToolResult;

  constructor(
    message: string,
    options: { toolName: string; issues: readonly OutputValidationIssue[]; result: CallToolResult; cause?: unknown },
  ) {
    super(message, { cause: options.cause });
    this.toolName = options.toolName;
    this.issues = options.issues;
    this.result = options.result;
  }
}

/**
 * `callTool` named a tool the server does not list. Raised before any request is sent.
 *
 * @example
 * ```ts
 * if (error instanceof UnknownToolError) console.error(`did you mean ${error.suggestions.join(', ')}?`);
 * ```
 */
export class UnknownToolError extends McpClientError {
  override readonly name = 'UnknownToolError' as const;
  readonly code = 'UNKNOWN_TOOL' as const;
  readonly toolName: string;
  readonly suggestions: readonly string[];
  /** Every tool the server lists (the message quotes the first few). */
  readonly availableTools: readonly string[];

  constructor(
    message: string,
    options: { toolName: string; suggestions: readonly string[]; availableTools?: readonly string[]; cause?: unknown },
  ) {
    super(message, { cause: options.cause });
    this.toolName = options.toolName;
    this.suggestions = options.suggestions;
    this.availableTools = options.availableTools ?? [];
  }
}

/**
 * A method was called with an argument of the wrong shape (a tool name that is not a string, tool arguments
 * that are not a plain object). Raised before anything is sent; a bug in the calling code, never retried.
 *
 * @example
 * ```ts
 * if (error instanceof InvalidArgumentError) console.error(`bad ${error.argument}:`, error.message);
 * ```
 */
export class InvalidArgumentError extends McpClientError {
  override readonly name = 'InvalidArgumentError' as const;
  readonly code = 'INVALID_ARGUMENT' as const;
  /** Which argument was wrong, e.g. `name` or `args`. */
  readonly argument: string;

  constructor(message: string, options: { argument: string; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.argument = options.argument;
  }
}

/**
 * Why a request for input from the server (elicitation, sampling, roots) could not be answered:
 * - `no_handler`: the server asked for input the client has no handler for;
 * - `invalid_request`: the server's request was malformed (not an object, an unknown method, too many at once);
 * - `handler_failed`: the handler threw (the error is the `cause`);
 * - `invalid_response`: the handler's result breaks the SDK's schema for that method;
 * - `max_rounds`: a 2026-07-28 call asked for input more than `maxInputRounds` times.
 */
export type InputRoundFailure = 'no_handler' | 'invalid_request' | 'handler_failed' | 'invalid_response' | 'max_rounds';

/**
 * The client could not answer what the server asked of it, so the call that needed the input failed (modern
 * `input_required` rounds). Legacy server->client requests that fail are answered with a JSON-RPC error instead.
 *
 * @example
 * ```ts
 * if (error instanceof InputRoundError && error.reason === 'no_handler') console.error(`pass handlers.${error.method}`);
 * ```
 */
export class InputRoundError extends McpClientError {
  override readonly name = 'InputRoundError' as const;
  readonly code = 'INPUT_ROUND_FAILED' as const;
  readonly reason: InputRoundFailure;
  /** The input method concerned (`elicitation/create`, ...), when there is one. */
  readonly method: string | undefined;

  constructor(message: string, options: { reason: InputRoundFailure; method?: string; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.reason = options.reason;
    this.method = options.method;
  }
}

/**
 * The caller's `AbortSignal` fired. `cause` is `signal.reason`. `name` is `'AbortError'` so code that
 * checks `error.name === 'AbortError'` (fetch-style) keeps working.
 *
 * @example
 * ```ts
 * if (error instanceof AbortError) return; // the user cancelled
 * ```
 */
export class AbortError extends McpClientError {
  override readonly name = 'AbortError' as const;
  readonly code = 'ABORTED' as const;

  constructor(message = 'The operation was aborted', options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Why authorization could not be completed without someone acting. */
export type AuthRequiredReason = 'redirect' | 'rejected' | 'insufficient_scope' | 'failed';

/**
 * Authorization is needed and could not be completed automatically. Definite: the request was not executed
 * (the server answered 401/403) and is never retried blindly. `reason`:
 * - `redirect`: a user must open `authorizationUrl`, then call `finishAuth(callbackUrl)` (or run `archon-mcp login`);
 * - `rejected`: the credentials were refused (refresh token revoked or expired, client refused, or a fresh token
 *   was rejected by the server) and there is no interactive way back;
 * - `insufficient_scope`: the server still wants more scope after the step-up limit;
 * - `failed`: the OAuth flow broke (issuer mismatch, insecure endpoint, registration refused, bad metadata); see `cause`.
 *
 * @example
 * ```ts
 * if (error instanceof AuthRequiredError && error.authorizationUrl) console.log('Open', error.authorizationUrl);
 * ```
 */
export class AuthRequiredError extends McpClientError {
  override readonly name = 'AuthRequiredError' as const;
  readonly code = 'AUTH_REQUIRED' as const;
  readonly reason: AuthRequiredReason;
  /** The protected resource (the MCP server URL) that asked for authorization. */
  readonly serverUrl: string;
  /** Where a user authorizes this client; set when `reason` is `redirect`. */
  readonly authorizationUrl: string | undefined;

  constructor(
    message: string,
    options: { reason: AuthRequiredReason; serverUrl: string; authorizationUrl?: string; cause?: unknown },
  ) {
    super(message, { cause: options.cause });
    this.reason = options.reason;
    this.serverUrl = options.serverUrl;
    this.authorizationUrl = options.authorizationUrl;
  }
}
