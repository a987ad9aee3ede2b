import type { ServerResponse } from 'node:http';

/** JSON-RPC error codes this server answers with outside the SDK. */
export const RPC_ERROR = {
  /** Generic transport-level error, as the SDK uses it (-32000). */
  serverError: -32000,
  /** The SDK's "Session not found" code (server-anchors.md). */
  sessionNotFound: -32001,
  parseError: -32700,
  invalidRequest: -32600,
} as const;

export interface JsonRpcErrorReply {
  status: number;
  code: number;
  message: string;
  headers?: Record<string, string>;
  /** The id of the request being refused, when there was exactly one. */
  id?: string | number | null;
}

function errorBody(reply: JsonRpcErrorReply): string {
  return JSON.stringify({ jsonrpc: '2.0', error: { code: reply.code, message: reply.message }, id: reply.id ?? null });
}

/**
 * A JSON-RPC error `Response`, the shape the SDK transport uses for its own refusals, so the client sees one
 * format whichever layer said no.
 *
 * @example
 * ```ts
 * return jsonRpcErrorResponse({ status: 404, code: RPC_ERROR.sessionNotFound, message: 'Session not found' });
 * ```
 */
export function jsonRpcErrorResponse(reply: JsonRpcErrorReply): Response {
  return new Response(errorBody(reply), { status: reply.status, headers: { ...reply.headers, 'content-type': 'application/json' } });
}

/**
 * A JSON `Response` (health, stats).
 *
 * @example
 * ```ts
 * return jsonResponse(200, { status: 'ok' });
 * ```
 */
export function jsonResponse(status: number, value: unknown): Response {
  return new Response(JSON.stringify(value), { status, headers: { 'content-type': 'application/json' } });
}

/**
 * Answers a Node response with a JSON-RPC error body (see {@link jsonRpcErrorResponse}).
 *
 * @example
 * ```ts
 * sendJsonRpcError(res, { status: 404, code: RPC_ERROR.sessionNotFound, message: 'Session not found' });
 * ```
 */
export function sendJsonRpcError(res: ServerResponse, reply: JsonRpcErrorReply): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = errorBody(reply);
  res.writeHead(reply.status, {
    ...reply.headers,
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(body)),
  });
  res.end(body);
}

/**
 * Answers with a plain JSON body (health, stats, test hooks).
 *
 * @example
 * ```ts
 * sendJson(res, 200, { status: 'ok' });
 * ```
 */
export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) });
  res.end(body);
}
