/**
 * The JSON-RPC shape check of the request pipeline, written out instead of the SDK's zod `JSONRPCMessageSchema`:
 * the SDK's transport (legacy) and handler (modern) parse every message with that schema again anyway, so a zod
 * pass here doubled the cost of the check (~15 µs a message in `bench:server`'s profile). This accepts exactly
 * what the schema accepts (`@modelcontextprotocol/core` 2.4.0, `schemas.ts`: the four strict JSON-RPC objects of
 * `JSONRPCMessageSchema`, their `params`/`result`/`error` members and the `_meta` keys it types), so a message
 * refused here or there is refused with the same answer.
 */
import { PROTOCOL_VERSION_META_KEY, type JSONRPCMessage } from '@modelcontextprotocol/server';

type Plain = Record<string, unknown>;

const RELATED_TASK_META_KEY = 'io.modelcontextprotocol/related-task';
/** The first revision of the modern era (the SDK's `isModernProtocolVersion` compares the same way). */
const FIRST_MODERN_PROTOCOL_VERSION = '2026-07-28';

function isPlain(value: unknown): value is Plain {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isRequestId(value: unknown): boolean {
  return typeof value === 'string' || (typeof value === 'number' && Number.isSafeInteger(value));
}

function onlyKeys(value: Plain, allowed: readonly string[]): boolean {
  for (const key in value) if (!allowed.includes(key)) return false;
  return true;
}

/** `RequestMetaSchema`: loose, with a typed `progressToken` and related-task. */
function isRequestMeta(meta: unknown): boolean {
  if (!isPlain(meta)) return false;
  if (meta['progressToken'] !== undefined && !isRequestId(meta['progressToken'])) return false;
  const related = meta[RELATED_TASK_META_KEY];
  return related === undefined || (isPlain(related) && typeof related['taskId'] === 'string');
}

/** Request and notification params: a loose object whose `_meta`, when present, is request meta. */
function isParams(params: unknown): boolean {
  if (params === undefined) return true;
  return isPlain(params) && (params['_meta'] === undefined || isRequestMeta(params['_meta']));
}

const REQUEST_KEYS = ['jsonrpc', 'id', 'method', 'params'] as const;
const NOTIFICATION_KEYS = ['jsonrpc', 'method', 'params'] as const;
const RESULT_KEYS = ['jsonrpc', 'id', 'result'] as const;
const ERROR_KEYS = ['jsonrpc', 'id', 'error'] as const;

/**
 * True when `value` is a JSON-RPC message as the SDK's `JSONRPCMessageSchema` defines one.
 *
 * @example
 * ```ts
 * isJsonRpcMessage({ jsonrpc: '2.0', id: 1, method: 'ping' }); // true
 * isJsonRpcMessage({ jsonrpc: '2.0', id: 1.5, method: 'ping' }); // false
 * ```
 */
export function isJsonRpcMessage(value: unknown): value is JSONRPCMessage {
  if (!isPlain(value) || value['jsonrpc'] !== '2.0') return false;
  if ('method' in value) {
    if (typeof value['method'] !== 'string' || !isParams(value['params'])) return false;
    if ('id' in value) return isRequestId(value['id']) && onlyKeys(value, REQUEST_KEYS);
    return onlyKeys(value, NOTIFICATION_KEYS);
  }
  if ('result' in value) {
    const result = value['result'];
    return isRequestId(value['id']) && isPlain(result) && (result['_meta'] === undefined || isPlain(result['_meta'])) && onlyKeys(value, RESULT_KEYS);
  }
  if ('error' in value) {
    const error = value['error'];
    const id = value['id'];
    return (
      (id === undefined || isRequestId(id)) &&
      isPlain(error) &&
      typeof error['code'] === 'number' &&
      Number.isSafeInteger(error['code']) &&
      typeof error['message'] === 'string' &&
      onlyKeys(value, ERROR_KEYS)
    );
  }
  return false;
}

/**
 * True when a POST of these messages is 2025-era traffic by the rules of the SDK's own classifier
 * (`classifyInboundRequest`) without running it: one message, no per-request envelope claim in
 * `params._meta`, and no `MCP-Protocol-Version` header naming a modern revision. False means "ask the SDK"
 * (`isLegacyRequest`), never "modern".
 *
 * @example
 * ```ts
 * plainlyLegacy([{ jsonrpc: '2.0', id: 1, method: 'tools/list' }], '2025-11-25'); // true
 * ```
 */
export function plainlyLegacy(messages: readonly JSONRPCMessage[], protocolVersionHeader: string | null): boolean {
  if (messages.length !== 1) return false;
  if (protocolVersionHeader !== null && protocolVersionHeader.trim() >= FIRST_MODERN_PROTOCOL_VERSION) return false;
  const [message] = messages;
  const params = message !== undefined && 'params' in message ? message.params : undefined;
  const meta = isPlain(params) ? params['_meta'] : undefined;
  return !(isPlain(meta) && PROTOCOL_VERSION_META_KEY in meta);
}
