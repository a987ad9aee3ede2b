import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseJSONRPCMessage, type JSONRPCMessage } from '@modelcontextprotocol/server';
import { RPC_ERROR, sendJsonRpcError } from './json-rpc-error';
import { readJsonBody } from './read-json-body';

function isJsonContentType(value: string | undefined): boolean {
  return value?.split(';')[0]?.trim().toLowerCase() === 'application/json';
}

/**
 * Reads a POSTed MCP body: JSON content type (415), size limit (413), JSON (400 -32700) and JSON-RPC
 * shape (400), with the SDK's own messages. Answers and returns undefined when any check fails.
 *
 * @example
 * ```ts
 * const messages = await readMcpMessages(req, res, 4 * 1024 * 1024);
 * if (messages === undefined) return; // already answered
 * ```
 */
export async function readMcpMessages(
  req: IncomingMessage,
  res: ServerResponse,
  maxBodyBytes: number,
): Promise<JSONRPCMessage[] | undefined> {
  if (!isJsonContentType(req.headers['content-type'])) {
    sendJsonRpcError(res, {
      status: 415,
      code: RPC_ERROR.serverError,
      message: 'Unsupported Media Type: Content-Type must be application/json',
    });
    return undefined;
  }
  const body = await readJsonBody(req, maxBodyBytes);
  if (body.kind === 'too-large') {
    // The unread rest of the body would otherwise be parsed as the next request on this socket.
    sendJsonRpcError(res, {
      status: 413,
      code: RPC_ERROR.serverError,
      message: `Payload Too Large: request body exceeds ${maxBodyBytes} bytes`,
      headers: { connection: 'close' },
    });
    return undefined;
  }
  if (body.kind === 'invalid-json') {
    sendJsonRpcError(res, { status: 400, code: RPC_ERROR.parseError, message: 'Parse error: Invalid JSON' });
    return undefined;
  }
  const raw = Array.isArray(body.value) ? body.value : [body.value];
  const messages: JSONRPCMessage[] = [];
  for (const item of raw) {
    let parsed: JSONRPCMessage;
    try {
      parsed = parseJSONRPCMessage(item);
    } catch {
      sendJsonRpcError(res, { status: 400, code: RPC_ERROR.parseError, message: 'Parse error: Invalid JSON-RPC message' });
      return undefined;
    }
    messages.push(parsed);
  }
  if (messages.length === 0) {
    sendJsonRpcError(res, { status: 400, code: RPC_ERROR.invalidRequest, message: 'Invalid Request: empty batch' });
    return undefined;
  }
  return messages;
}
