/**
 * Answers a legacy server->client request (spec 2025-11-25: the server may send `ping`, `roots/list`,
 * `sampling/createMessage`, `elicitation/create` on any stream). The handler's return value is the result;
 * a throw becomes a JSON-RPC error, so a failing handler never breaks the stream that carried the request.
 */
import type { JsonRpcRequest, JsonRpcResponse } from '../transport/json-rpc';

/**
 * Answers one server->client request method; its return value is the JSON-RPC result.
 *
 * @example
 * ```ts
 * const listRoots: ServerRequestHandler = () => ({ roots: [] });
 * ```
 */
export type ServerRequestHandler = (params: Record<string, unknown> | undefined) => unknown;

const METHOD_NOT_FOUND = -32601;
const INTERNAL_ERROR = -32603;

/**
 * Builds the response to `request`: `ping` answers `{}` unless a handler says otherwise, an unknown method
 * gets -32601, a throwing handler -32603 with its message.
 *
 * @example
 * ```ts
 * const response = await answerServerRequest(request, (method) => handlers.get(method));
 * ```
 */
export async function answerServerRequest(
  request: JsonRpcRequest,
  handlerOf: (method: string) => ServerRequestHandler | undefined,
): Promise<JsonRpcResponse> {
  const handler = handlerOf(request.method);
  if (handler === undefined) {
    if (request.method === 'ping') return { jsonrpc: '2.0', id: request.id, result: {} };
    return { jsonrpc: '2.0', id: request.id, error: { code: METHOD_NOT_FOUND, message: `Method not found: ${request.method}` } };
  }
  try {
    const result = await handler(request.params);
    return { jsonrpc: '2.0', id: request.id, result: (result ?? {}) as Record<string, unknown> };
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    return { jsonrpc: '2.0', id: request.id, error: { code: INTERNAL_ERROR, message: text } };
  }
}
