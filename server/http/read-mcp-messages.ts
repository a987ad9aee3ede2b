import { isJsonContentType, type JSONRPCMessage } from '@modelcontextprotocol/server';
import type { BodyRead, McpHttpInput } from './http-input';
import { exceedsJsonDepth, valueExceedsDepth } from './json-depth';
import { jsonRpcErrorResponse, RPC_ERROR } from './json-rpc-error';
import { isJsonRpcMessage } from './json-rpc-shape';

/**
 * The POSTed messages, or the refusal to answer with.
 *
 * @example
 * ```ts
 * const read: McpBody = await readMcpMessages(input, limits);
 * if (!read.ok) return read.response;
 * ```
 */
export type McpBody = { ok: true; messages: JSONRPCMessage[]; body: unknown } | { ok: false; response: Response };

function refuse(status: number, code: number, message: string): McpBody {
  return { ok: false, response: jsonRpcErrorResponse({ status, code, message }) };
}

/**
 * What a POSTed body may be: its size, its nesting and how long it may take to arrive.
 *
 * @example
 * ```ts
 * const limits: McpBodyLimits = { maxBodyBytes: 4_194_304, maxJsonDepth: 128, bodyReadTimeoutMs: 30_000, bodyTimeoutMs: 60_000 };
 * ```
 */
export interface McpBodyLimits {
  maxBodyBytes: number;
  maxJsonDepth: number;
  bodyReadTimeoutMs: number;
  bodyTimeoutMs: number;
  /** Aborted at shutdown: a read in progress stops at once. */
  shutdown?: AbortSignal;
  /** Seconds a client is told to wait after a read cut by shutdown. */
  retryAfterSeconds?: number;
}

/**
 * The answer to a body that could not be read whole. The unread rest of a body would otherwise be parsed as the
 * next request on the socket (or keep it busy), so every one closes the connection.
 *
 * @example
 * ```ts
 * const read = await input.readBody(limits.maxBodyBytes);
 * if (read.kind !== 'ok') return bodyReadRefusal(read, limits);
 * ```
 */
export function bodyReadRefusal(
  read: Exclude<BodyRead, { kind: 'ok' }>,
  limits: Pick<McpBodyLimits, 'maxBodyBytes' | 'retryAfterSeconds'>,
): Response {
  const close = { connection: 'close' };
  switch (read.kind) {
    case 'too-large':
      return refuseWith(413, RPC_ERROR.serverError, `Payload Too Large: request body exceeds ${limits.maxBodyBytes} bytes`, close);
    case 'timed-out':
      return refuseWith(408, RPC_ERROR.serverError, 'Request Timeout: the request body did not arrive in time', close);
    case 'cut':
      return refuseWith(503, RPC_ERROR.serverError, 'Service Unavailable: the server is shutting down', {
        ...close,
        'retry-after': String(limits.retryAfterSeconds ?? 1),
      });
    case 'aborted':
      return refuseWith(400, RPC_ERROR.parseError, 'Parse error: the request body could not be read', close);
  }
}

function refuseWith(status: number, code: number, message: string, headers: Record<string, string>): Response {
  return jsonRpcErrorResponse({ status, code, message, headers });
}

/**
 * Reads a POSTed MCP body: JSON content type (415), size limit (413), deadlines (408), depth (400 -32700), JSON
 * (400 -32700) and JSON-RPC shape (400), with the SDK's own messages. A body a framework already parsed skips
 * the first four; its depth is checked all the same (400 -32600).
 *
 * @example
 * ```ts
 * const read = await readMcpMessages(input, { maxBodyBytes: 4 * 1024 * 1024, maxJsonDepth: 128, bodyReadTimeoutMs: 30_000, bodyTimeoutMs: 60_000 });
 * ```
 */
export async function readMcpMessages(input: McpHttpInput, limits: McpBodyLimits): Promise<McpBody> {
  let body = input.parsedBody;
  if (body === undefined) {
    if (!isJsonContentType(input.request.headers.get('content-type'))) {
      return refuse(415, RPC_ERROR.serverError, 'Unsupported Media Type: Content-Type must be application/json');
    }
    const read = await input.readBody(limits.maxBodyBytes, {
      readTimeoutMs: limits.bodyReadTimeoutMs,
      totalTimeoutMs: limits.bodyTimeoutMs,
      signal: limits.shutdown,
    });
    if (read.kind !== 'ok') return { ok: false, response: bodyReadRefusal(read, limits) };
    if (exceedsJsonDepth(read.bytes, limits.maxJsonDepth)) {
      return refuse(400, RPC_ERROR.parseError, `Parse error: JSON nested deeper than ${limits.maxJsonDepth} levels`);
    }
    try {
      body = JSON.parse(new TextDecoder().decode(read.bytes));
    } catch {
      return refuse(400, RPC_ERROR.parseError, 'Parse error: Invalid JSON');
    }
  } else if (valueExceedsDepth(body, limits.maxJsonDepth)) {
    return refuse(400, RPC_ERROR.invalidRequest, `Invalid Request: JSON nested deeper than ${limits.maxJsonDepth} levels`);
  }
  const raw: unknown[] = Array.isArray(body) ? body : [body];
  const messages: JSONRPCMessage[] = [];
  for (const item of raw) {
    if (!isJsonRpcMessage(item)) return refuse(400, RPC_ERROR.parseError, 'Parse error: Invalid JSON-RPC message');
    messages.push(item);
  }
  if (messages.length === 0) return refuse(400, RPC_ERROR.invalidRequest, 'Invalid Request: empty batch');
  return { ok: true, messages, body };
}
