/**
 * The one place where wire failures become typed errors: HTTP statuses, JSON-RPC error objects and
 * undici/system error codes. Shaped after openai-node's `APIError.generate`.
 */
import { describeConnectionFailure, summarizeBody } from './describe-failure';
import { redactUrl } from './redact-url';
import {
  AbortError,
  ConnectionError,
  type ConnectionFailureReason,
  HttpError,
  type McpClientError,
  ProtocolError,
  RpcError,
  SessionExpiredError,
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
 * 404 + Mcp-Session-Id is spec 2025-11-25 "Session Management" #5; the SDK server (1.32) also answers 400
 * "Server not initialized" when a fresh process receives a request for a session it never saw.
 */
function isSessionLoss(status: number, body: string, mcpSessionId: string | undefined): boolean {
  if (status === 404 && mcpSessionId !== undefined) return true;
  return status === 400 && /server not initialized/i.test(body);
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
      if (isSessionLoss(failure.status, body, failure.mcpSessionId)) {
        return new SessionExpiredError(
          `The server at ${failure.url === undefined ? '(unknown URL)' : redactUrl(failure.url)} no longer knows MCP session ` +
            `${failure.mcpSessionId ?? '(none)'} (HTTP ${failure.status})`,
          { mcpSessionId: failure.mcpSessionId, status: failure.status, cause: body || undefined },
        );
      }
      const detail = body ? `: ${summarizeBody(body)}` : '';
      return new HttpError(`HTTP ${failure.status} ${fromWhere(failure.url)}${detail}`, {
        status: failure.status,
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
