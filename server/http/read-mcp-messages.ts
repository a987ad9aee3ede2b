import { isJsonContentType, type JSONRPCMessage } from '@modelcontextprotocol/server';
import type { McpHttpInput } from './http-input';
import { jsonRpcErrorResponse, RPC_ERROR } from './json-rpc-error';
import { isJsonRpcMessage } from './json-rpc-shape';

/**
 * The POSTed messages, or the refusal to answer with.
 *
 * @example
 * ```ts
 * const read: McpBody = await readMcpMessages(input, 4 * 1024 * 1024);
 * if (!read.ok) return read.response;
 * ```
 */
export type McpBody = { ok: true; messages: JSONRPCMessage[]; body: unknown } | { ok: false; response: Response };

function refuse(status: number, code: number, message: string, headers?: Record<string, string>): McpBody {
  return { ok: false, response: jsonRpcErrorResponse({ status, code, message, ...(headers === undefined ? {} : { headers }) }) };
}

/**
 * Reads a POSTed MCP body: JSON content type (415), size limit (413), JSON (400 -32700) and JSON-RPC shape
 * (400), with the SDK's own messages. A body a framework already parsed skips the first three.
 *
 * @example
 * ```ts
 * const read = await readMcpMessages(input, 4 * 1024 * 1024);
 * ```
 */
export async function readMcpMessages(input: McpHttpInput, maxBodyBytes: number): Promise<McpBody> {
  let body = input.parsedBody;
  if (body === undefined) {
    if (!isJsonContentType(input.request.headers.get('content-type'))) {
      return refuse(415, RPC_ERROR.serverError, 'Unsupported Media Type: Content-Type must be application/json');
    }
    const read = await input.readBody(maxBodyBytes);
    // The unread rest of the body would otherwise be parsed as the next request on this socket.
    if (read.kind === 'too-large') {
      return refuse(413, RPC_ERROR.serverError, `Payload Too Large: request body exceeds ${maxBodyBytes} bytes`, { connection: 'close' });
    }
    if (read.kind === 'aborted') return refuse(400, RPC_ERROR.parseError, 'Parse error: the request body could not be read');
    try {
      body = JSON.parse(new TextDecoder().decode(read.bytes));
    } catch {
      return refuse(400, RPC_ERROR.parseError, 'Parse error: Invalid JSON');
    }
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
