/**
 * JSON-RPC 2.0 message shapes and a hand-written shape check. Deliberately not zod: the SDK's protocol
 * layer zod-parses every message and that is a large part of its ~760 us CPU per call
 * (notes/sdk-baseline.md). Results are checked for shape here and for content by the caller.
 */
import { ProtocolError } from '../errors';

/**
 * A JSON-RPC request id.
 *
 * @example
 * ```ts
 * const id: JsonRpcId = 7;
 * ```
 */
export type JsonRpcId = string | number;

/**
 * A request: expects a response with the same id.
 *
 * @example
 * ```ts
 * const request: JsonRpcRequest = { jsonrpc: '2.0', id: 1, method: 'tools/list' };
 * ```
 */
export interface JsonRpcRequest {
  jsonrpc: '2.0';
  id: JsonRpcId;
  method: string;
  params?: Record<string, unknown>;
}

/**
 * A notification: no id, no response.
 *
 * @example
 * ```ts
 * const note: JsonRpcNotification = { jsonrpc: '2.0', method: 'notifications/initialized' };
 * ```
 */
export interface JsonRpcNotification {
  jsonrpc: '2.0';
  method: string;
  params?: Record<string, unknown>;
}

/**
 * A successful response.
 *
 * @example
 * ```ts
 * const ok: JsonRpcResult = { jsonrpc: '2.0', id: 1, result: {} };
 * ```
 */
export interface JsonRpcResult {
  jsonrpc: '2.0';
  id: JsonRpcId;
  result: Record<string, unknown>;
}

/**
 * An error response. `id` is null when the server could not read the request id.
 *
 * @example
 * ```ts
 * const failed: JsonRpcErrorResponse = { jsonrpc: '2.0', id: 1, error: { code: -32601, message: 'Method not found' } };
 * ```
 */
export interface JsonRpcErrorResponse {
  jsonrpc: '2.0';
  id: JsonRpcId | null;
  error: { code: number; message: string; data?: unknown };
}

/**
 * A response of either kind.
 *
 * @example
 * ```ts
 * if ('error' in response) console.error(response.error.message);
 * ```
 */
export type JsonRpcResponse = JsonRpcResult | JsonRpcErrorResponse;

/**
 * Any JSON-RPC message.
 *
 * @example
 * ```ts
 * const messages: JsonRpcMessage[] = toJsonRpcMessages(JSON.parse(body));
 * ```
 */
export type JsonRpcMessage = JsonRpcRequest | JsonRpcNotification | JsonRpcResponse;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isId(value: unknown): value is JsonRpcId {
  return typeof value === 'string' || typeof value === 'number';
}

/**
 * True when `value` has the shape of a JSON-RPC 2.0 message.
 *
 * @example
 * ```ts
 * isJsonRpcMessage({ jsonrpc: '2.0', method: 'notifications/initialized' }); // true
 * ```
 */
export function isJsonRpcMessage(value: unknown): value is JsonRpcMessage {
  if (!isRecord(value) || value.jsonrpc !== '2.0') return false;
  if (value.params !== undefined && !isRecord(value.params)) return false;
  if (typeof value.method === 'string') return value.id === undefined || isId(value.id);
  if ('result' in value) return isId(value.id) && isRecord(value.result);
  if ('error' in value) {
    const error = value.error;
    return (isId(value.id) || value.id === null) && isRecord(error) && typeof error.code === 'number' && typeof error.message === 'string';
  }
  return false;
}

/**
 * True for responses (result or error).
 *
 * @example
 * ```ts
 * if (isJsonRpcResponse(message) && message.id === 7) settle(message);
 * ```
 */
export function isJsonRpcResponse(message: JsonRpcMessage): message is JsonRpcResponse {
  return !('method' in message);
}

/**
 * True for server->client requests (method and id).
 *
 * @example
 * ```ts
 * if (isJsonRpcRequest(message)) answer(message);
 * ```
 */
export function isJsonRpcRequest(message: JsonRpcMessage): message is JsonRpcRequest {
  return 'method' in message && 'id' in message && message.id !== undefined;
}

/**
 * Turns parsed JSON (one message or a batch) into messages, or throws `ProtocolError('invalid_message')`.
 *
 * @example
 * ```ts
 * const [message] = toJsonRpcMessages(JSON.parse(body));
 * ```
 */
export function toJsonRpcMessages(value: unknown): JsonRpcMessage[] {
  // Batches were removed in 2025-06-18 but older servers may still answer with one.
  const items = Array.isArray(value) ? value : [value];
  for (const item of items) {
    if (!isJsonRpcMessage(item)) {
      throw new ProtocolError('The server sent something that is not a JSON-RPC 2.0 message', {
        reason: 'invalid_message',
        cause: item,
      });
    }
  }
  return items as JsonRpcMessage[];
}
