/**
 * The one place where wire failures become typed errors: HTTP statuses, JSON-RPC error objects and
 * undici/system error codes. Shaped after openai-node's `APIError.generate`.
 */
import { isModernErrorCode } from '../session/era';
import { describeConnectionFailure, describeFailure, summarizeBody } from './describe-failure';
import { describeTarget, redactUrl } from './redact-url';
import {
  AbortError,
  ConnectionError,
  type ConnectionFailureReason,
  HttpError,
  type McpClientError,
  ProtocolError,
  RpcError,
  SessionExpiredError,
  type SessionLossReason,
  TimeoutError,
  type TimeoutKind,
  isMcpClientError,
} from './tree';

/**
 * A failure as seen on the wire, before it has a class. `url` is the endpoint the request went to: every
 * message names it (credentials removed, see `redactUrl`), so a log line says where as well as what.
 */
export type WireFailure = (
  | {
      readonly kind: 'http';
      readonly status: number;
      readonly headers?: Record<string, string>;
      readonly body?: string;
      /** The `Mcp-Session-Id` the request carried, if any: a 404 then means the session is gone. */
      readonly mcpSessionId?: string;
      /** The era the request was framed for (@default 'legacy'): a modern request reads 4xx bodies as JSON-RPC errors. */
      readonly era?: 'legacy' | 'modern';
    }
  | { readonly kind: 'rpc'; readonly error: { code: number; message: string; data?: unknown } }
  | {
      readonly kind: 'network';
      readonly error: unknown;
      /** Whether the request had been handed to the socket (headers written) when it failed. */
      readonly requestSent: boolean;
    }
) & { readonly url?: URL | string };

const BODY_EXCERPT_CHARS = 1024;

/**
 * What a 400 body says when a legacy server does not know the session id the request carried:
 * `server-everything` 2026.8.31 and seven SDK 1.32 examples answer "Bad Request: No valid session ID provided"
 * (issue 8), others "Session not found" or "Invalid session ID".
 */
const SESSION_UNKNOWN = /no valid session|session not found|unknown session|invalid session|session (?:id )?(?:is )?(?:missing|expired|invalid|unknown)/i;

/**
 * Legacy session loss (spec 2025-11-25 "Session Management" #5: 404 + Mcp-Session-Id). The SDK server (1.32)
 * also answers 400 "Server not initialized" when a fresh process receives a request for a session it never saw.
 */
function sessionLossOf(status: number, body: string, mcpSessionId: string | undefined): SessionLossReason | undefined {
  if (status === 404 && mcpSessionId !== undefined) return 'not_found';
  if (status !== 400) return undefined;
  if (/server not initialized/i.test(body)) return 'not_initialized';
  if (mcpSessionId !== undefined && SESSION_UNKNOWN.test(body)) return 'invalid_session';
  return undefined;
}

/** The JSON-RPC error object in an HTTP error body, if the body is one. */
function jsonRpcErrorIn(body: string): { code: number; message: string; data?: unknown } | undefined {
  if (!body.startsWith('{')) return undefined;
  try {
    const parsed = JSON.parse(body) as { error?: { code?: unknown; message?: unknown; data?: unknown } };
    const error = parsed.error;
    if (typeof error?.code !== 'number' || typeof error.message !== 'string') return undefined;
    return { code: error.code, message: error.message, data: error.data };
  } catch {
    return undefined;
  }
}

/** Statuses with which a server refuses the request's framing (spec 2026-07-28 "Backward Compatibility"). */
const ERA_STATUSES: ReadonlySet<number> = new Set([400, 404, 405]);

/**
 * A modern request refused with 400/404/405: a recognised JSON-RPC error is the server's answer (-32601 method
 * not found, -32602 invalid params, a modern code); an empty body, a non-JSON-RPC body or an
 * implementation-defined server error (-32000..-32019, e.g. a legacy "No valid session ID") means the server
 * no longer speaks the modern era.
 */
function refusesModern(status: number, rpc: { code: number } | undefined): boolean {
  if (!ERA_STATUSES.has(status)) return false;
  if (rpc === undefined) return true;
  // -32601 on 404 is "method not found" (spec 2026-07-28 "Protocol Version Header"), not a missing endpoint.
  return !isModernErrorCode(rpc.code) && rpc.code <= -32000 && rpc.code >= -32099;
}

/** undici / libuv error codes, and what they mean for delivery. */
const NETWORK_CODES: Readonly<Record<string, { reason: ConnectionFailureReason; beforeSend: boolean }>> = {
  ECONNREFUSED: { reason: 'refused', beforeSend: true },
  ENOTFOUND: { reason: 'dns', beforeSend: true },
  EAI_AGAIN: { reason: 'dns', beforeSend: true },
  EHOSTUNREACH: { reason: 'unreachable', beforeSend: true },
  ENETUNREACH: { reason: 'unreachable', beforeSend: true },
  EADDRNOTAVAIL: { reason: 'unreachable', beforeSend: true },
  UND_ERR_CONNECT_TIMEOUT: { reason: 'connect_timeout', beforeSend: true },
  ECONNRESET: { reason: 'reset', beforeSend: false },
  EPIPE: { reason: 'reset', beforeSend: false },
  ETIMEDOUT: { reason: 'reset', beforeSend: false },
  UND_ERR_SOCKET: { reason: 'socket_closed', beforeSend: false },
  UND_ERR_CLOSED: { reason: 'socket_closed', beforeSend: false },
  UND_ERR_DESTROYED: { reason: 'socket_closed', beforeSend: false },
  UND_ERR_HEADERS_TIMEOUT: { reason: 'headers_timeout', beforeSend: false },
  UND_ERR_BODY_TIMEOUT: { reason: 'body_timeout', beforeSend: false },
};

/** Walks `cause` chains (fetch wraps undici errors in `TypeError('fetch failed')`) for a known code. */
function findErrorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && code in NETWORK_CODES) return code;
    // AggregateError from happy-eyeballs connects (ECONNREFUSED on ::1 and 127.0.0.1).
    const errors = (current as { errors?: unknown }).errors;
    if (Array.isArray(errors)) {
      for (const inner of errors) {
        const innerCode = findErrorCode(inner);
        if (innerCode) return innerCode;
      }
    }
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function isAbort(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { name, code } = error as { name?: unknown; code?: unknown };
  return name === 'AbortError' || code === 'UND_ERR_ABORTED' || code === 'ABORT_ERR';
}

/** "from http://host/mcp" or, when the caller did not say, "from the MCP server". */
function fromWhere(url: URL | string | undefined): string {
  return url === undefined ? 'from the MCP server' : `from ${redactUrl(url)}`;
}

/**
 * Turns a wire failure into the matching typed error. Already-typed errors pass through unchanged.
 *
 * @example
 * ```ts
 * createErrorFromFailure({ kind: 'http', status: 404, mcpSessionId: 'abc', url }); // SessionExpiredError
 * createErrorFromFailure({ kind: 'rpc', error: { code: -32601, message: 'Method not found' }, url }); // RpcError
 * createErrorFromFailure({ kind: 'network', error: refusedError, requestSent: false, url });
 * // ConnectionError: Could not connect to http://127.0.0.1:8051/mcp: connection refused (ECONNREFUSED)
 * ```
 */
export function createErrorFromFailure(failure: WireFailure): McpClientError {
  switch (failure.kind) {
    case 'http': {
      const body = (failure.body ?? '').slice(0, BODY_EXCERPT_CHARS);
      const { status, mcpSessionId } = failure;
      const modern = failure.era === 'modern';
      const server = failure.url === undefined ? 'The server' : `The server at ${redactUrl(failure.url)}`;
      const lost = modern ? undefined : sessionLossOf(status, body, mcpSessionId);
      if (lost !== undefined) {
        return new SessionExpiredError(`${server} no longer knows MCP session ${mcpSessionId ?? '(none)'} (HTTP ${status})`, {
          mcpSessionId,
          status,
          reason: lost,
          cause: body || undefined,
        });
      }
      const rpc = ERA_STATUSES.has(status) ? jsonRpcErrorIn(body) : undefined;
      if (modern && refusesModern(status, rpc)) {
        const detail = body ? `: ${summarizeBody(body)}` : '';
        return new SessionExpiredError(
          `${server} refused a 2026-07-28 request with HTTP ${status}: it no longer speaks that era${detail}`,
          { status, reason: 'era_changed', cause: body || undefined },
        );
      }
      // A modern error (any era: a legacy session answered by a server upgraded to modern-only), or in the
      // modern era any JSON-RPC error in a 400/404/405 body, is the server's JSON-RPC answer. 401/403/429/5xx
      // stay HttpError whatever their body: auth and load are never era evidence.
      if (rpc !== undefined && (modern || isModernErrorCode(rpc.code))) {
        return new RpcError(`${rpc.message} (JSON-RPC ${rpc.code}, HTTP ${status} ${fromWhere(failure.url)})`, {
          rpcCode: rpc.code,
          data: rpc.data,
          status,
          cause: rpc,
        });
      }
      const detail = body ? `: ${summarizeBody(body)}` : '';
      return new HttpError(`HTTP ${status} ${fromWhere(failure.url)}${detail}`, {
        status,
        headers: failure.headers,
        body,
      });
    }
    case 'rpc': {
      const { code, message, data } = failure.error;
      if (typeof code !== 'number' || typeof message !== 'string') {
        return new ProtocolError('The server sent a malformed JSON-RPC error object', {
          reason: 'invalid_message',
          cause: failure.error,
        });
      }
      return new RpcError(`${message} (JSON-RPC ${code} ${fromWhere(failure.url)})`, { rpcCode: code, data, cause: failure.error });
    }
    case 'network': {
      if (isMcpClientError(failure.error)) return failure.error;
      if (isAbort(failure.error)) return new AbortError(undefined, { cause: failure.error });
      const errorCode = findErrorCode(failure.error);
      const known = errorCode ? NETWORK_CODES[errorCode] : undefined;
      const reason = known?.reason ?? 'unknown';
      // A connect-phase code proves nothing was sent, whatever the caller believed.
      const requestSent = known?.beforeSend ? false : failure.requestSent;
      const where = failure.url === undefined ? 'the MCP server' : redactUrl(failure.url);
      // The same phrase RetryExhaustedError quotes for its last attempt.
      const what = describeConnectionFailure(reason, errorCode, failure.error);
      const message = requestSent
        ? `Connection to ${where} failed after the request was sent: ${what}`
        : `Could not connect to ${where}: ${what}`;
      return new ConnectionError(message, { reason, requestSent, errorCode, cause: failure.error });
    }
  }
}

/**
 * A stream the client keeps open was refused with a JSON-RPC answer that means the negotiated version or era is
 * gone (the modern listen stream answered -32022): a session loss, named with the URL and the server's answer.
 *
 * @example
 * ```ts
 * const lost = createVersionRefusedError(rpcError, url, 'subscriptions/listen');
 * // The server at http://127.0.0.1:8051/mcp refused subscriptions/listen at the negotiated protocol version: ...
 * ```
 */
export function createVersionRefusedError(cause: unknown, url: URL | string, method: string): SessionExpiredError {
  const status = typeof cause === 'object' && cause !== null && typeof (cause as { status?: unknown }).status === 'number' ? (cause as { status: number }).status : 400;
  return new SessionExpiredError(`The server at ${redactUrl(url)} refused ${method} at the negotiated protocol version: ${describeFailure(cause)}`, {
    status,
    reason: 'era_changed',
    cause,
  });
}

/**
 * A wait of the client's own that ran out (an acknowledgement that never came), named with the URL and the
 * limit, as every other TimeoutError is.
 *
 * @example
 * ```ts
 * createTimeoutError({ what: 'the acknowledgement of subscriptions/listen', url, timeoutMs: 10_000, kind: 'attempt', limit: 'timeoutMs' });
 * // TimeoutError: subscriptions/listen to http://…/mcp was not acknowledged ... within 10000 ms (`timeoutMs`)
 * ```
 */
export function createTimeoutError(options: {
  readonly method: string;
  readonly url: URL | string;
  readonly timeoutMs: number;
  readonly kind: TimeoutKind;
  /** What did not happen in time, e.g. "was not acknowledged". @default 'timed out' */
  readonly outcome?: string;
  /** The option that set the limit, e.g. `timeoutMs`. */
  readonly limit: string;
  readonly cause?: unknown;
}): TimeoutError {
  const outcome = options.outcome ?? 'timed out';
  return new TimeoutError(`${describeTarget(options.method, options.url)} ${outcome} within ${options.timeoutMs} ms (\`${options.limit}\`)`, {
    timeoutMs: options.timeoutMs,
    kind: options.kind,
    cause: options.cause,
  });
}
