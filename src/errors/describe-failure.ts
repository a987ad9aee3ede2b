/**
 * The root cause of a failure in a few words ("connection refused (ECONNREFUSED)", "HTTP 503",
 * "JSON-RPC error -32602: Invalid params"), for messages that wrap another error: `RetryExhaustedError`
 * says what the last attempt saw, `MaybeExecutedError` what lost the answer.
 */
import {
  ConnectionError,
  type ConnectionFailureReason,
  HttpError,
  ProtocolError,
  RpcError,
  SessionExpiredError,
  TimeoutError,
  isMcpClientError,
} from './tree';

const CONNECTION_REASONS: Readonly<Record<ConnectionFailureReason, string>> = {
  refused: 'connection refused',
  dns: 'host name not found',
  unreachable: 'host unreachable',
  connect_timeout: 'connect timed out',
  reset: 'connection reset',
  socket_closed: 'socket closed before the response ended',
  headers_timeout: 'no response headers in time',
  body_timeout: 'the response body stalled',
  circuit_open: 'circuit breaker open',
  degraded: 'client degraded: the server keeps losing sessions',
  unknown: 'connection failed',
};

/** Cause phrases stay on one line and short: they are embedded in another message. */
const MAX_DETAIL_CHARS = 160;

function firstLine(text: string): string {
  const line = (text.split('\n')[0] ?? '').trim();
  return line.length > MAX_DETAIL_CHARS ? `${line.slice(0, MAX_DETAIL_CHARS - 1)}…` : line;
}

function messageOf(value: unknown): string {
  if (value instanceof Error) return value.message;
  if (typeof value === 'object' && value !== null && typeof (value as { message?: unknown }).message === 'string') {
    return (value as { message: string }).message;
  }
  return String(value);
}

/** fetch wraps the real failure: `TypeError('fetch failed', { cause: Error('bad port') })`. */
function innermost(error: unknown): unknown {
  let current = error;
  for (let depth = 0; depth < 5 && current instanceof Error && current.cause instanceof Error; depth++) current = current.cause;
  return current;
}

/**
 * A connection failure in a few words: `connection refused (ECONNREFUSED)`, `connection reset (ECONNRESET)`.
 *
 * @example
 * ```ts
 * describeConnectionFailure('refused', 'ECONNREFUSED', cause); // 'connection refused (ECONNREFUSED)'
 * ```
 */
export function describeConnectionFailure(reason: ConnectionFailureReason, errorCode: string | undefined, cause: unknown): string {
  if (reason === 'unknown') return firstLine(`connection failed: ${messageOf(innermost(cause))}`);
  const phrase = CONNECTION_REASONS[reason];
  return errorCode === undefined ? phrase : `${phrase} (${errorCode})`;
}

/**
 * An HTTP error body in one short line: the JSON-RPC error message when the body is one (`Session not
 * found (JSON-RPC -32001)`), else its first line.
 *
 * @example
 * ```ts
 * summarizeBody('{"jsonrpc":"2.0","error":{"code":-32001,"message":"Session not found"},"id":null}');
 * // 'Session not found (JSON-RPC -32001)'
 * ```
 */
export function summarizeBody(body: string): string {
  try {
    const parsed: unknown = JSON.parse(body);
    const error = (parsed as { error?: { code?: unknown; message?: unknown } } | null)?.error;
    if (typeof error?.message === 'string') {
      return firstLine(typeof error.code === 'number' ? `${error.message} (JSON-RPC ${error.code})` : error.message);
    }
  } catch {
    // Not JSON: a proxy's HTML page or plain text.
  }
  return firstLine(body);
}

/**
 * The error in a few words, on one line, without the URL (the wrapping message names it).
 *
 * @example
 * ```ts
 * describeFailure(new ConnectionError('…', { reason: 'refused', requestSent: false, errorCode: 'ECONNREFUSED' }));
 * // 'connection refused (ECONNREFUSED)'
 * ```
 */
export function describeFailure(error: unknown): string {
  if (error instanceof ConnectionError) return describeConnectionFailure(error.reason, error.errorCode, error.cause ?? error);
  if (error instanceof SessionExpiredError) {
    if (error.reason === 'era_changed') {
      // The factory keeps the refusing body as the cause: it says what the server made of the modern request.
      const body = typeof error.cause === 'string' ? summarizeBody(error.cause) : '';
      return `HTTP ${error.status} to a 2026-07-28 request${body === '' ? '' : `: ${body}`}`;
    }
    return `MCP session ${error.mcpSessionId ?? '(none)'} unknown to the server (HTTP ${error.status})`;
  }
  if (error instanceof HttpError) {
    const body = summarizeBody(error.body);
    return body === '' ? `HTTP ${error.status}` : `HTTP ${error.status}: ${body}`;
  }
  if (error instanceof RpcError) {
    const status = error.status === undefined ? '' : ` (HTTP ${error.status})`;
    return firstLine(`JSON-RPC error ${error.rpcCode}${status}: ${messageOf(error.cause ?? error)}`);
  }
  if (error instanceof TimeoutError) return `${error.kind} timeout after ${error.timeoutMs} ms`;
  if (error instanceof ProtocolError) return firstLine(`protocol error (${error.reason}): ${error.message}`);
  if (isMcpClientError(error)) return firstLine(error.message);
  return firstLine(messageOf(error));
}
