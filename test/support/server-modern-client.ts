/**
 * A raw 2026-07-28 (modern era) request for the SERVER tests: the `_meta` envelope and the standard headers
 * by hand, no SDK, no retries, so a test sees exactly what the server answered.
 *
 * @example
 * ```ts
 * const reply = await postModern(url, 'tools/call', { name: 'echo', arguments: { text: 'hi' } }, { appSessionId: 'app-1' });
 * ```
 */
import { readReply, type RawReply } from './server-raw-client';

/**
 * The modern protocol revision.
 *
 * @example
 * ```ts
 * headers['mcp-protocol-version'] = MODERN_VERSION;
 * ```
 */
export const MODERN_VERSION = '2026-07-28';

/**
 * @example
 * ```ts
 * await postModern(url, 'tools/list', {}, { appSessionId: 'app-1', headers: { authorization: 'Bearer t' } });
 * ```
 */
export interface ModernRequestOptions {
  appSessionId?: string;
  headers?: Record<string, string>;
  id?: number | string;
  /** Client capabilities declared in the envelope. @default {} */
  capabilities?: Record<string, unknown>;
}

/** The envelope every modern request carries (SEP-2575: protocol version, capabilities and client info). */
function envelope(capabilities: Record<string, unknown>): Record<string, unknown> {
  return {
    'io.modelcontextprotocol/protocolVersion': MODERN_VERSION,
    'io.modelcontextprotocol/clientCapabilities': capabilities,
    'io.modelcontextprotocol/clientInfo': { name: 'raw-modern-client', version: '1.0.0' },
  };
}

/**
 * POSTs one modern request with `Mcp-Method` (and `Mcp-Name` for calls that name something).
 *
 * @example
 * ```ts
 * const reply = await postModern(url, 'server/discover');
 * ```
 */
export async function postModern(
  url: string,
  method: string,
  params: Record<string, unknown> = {},
  options: ModernRequestOptions = {},
): Promise<RawReply> {
  const name = typeof params['name'] === 'string' ? params['name'] : typeof params['uri'] === 'string' ? params['uri'] : undefined;
  const existingMeta = (params['_meta'] as Record<string, unknown> | undefined) ?? {};
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': MODERN_VERSION,
      'mcp-method': method,
      ...(name === undefined ? {} : { 'mcp-name': name }),
      ...(options.appSessionId === undefined ? {} : { 'x-archon-session-id': options.appSessionId }),
      ...options.headers,
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: options.id ?? 1,
      method,
      params: { ...params, _meta: { ...existingMeta, ...envelope(options.capabilities ?? {}) } },
    }),
  });
  return readReply(response);
}

/**
 * The JSON-RPC `result` of a modern reply (throws on an error or non-200 answer).
 *
 * @example
 * ```ts
 * const result = resultOf(await postModern(url, 'tools/call', { name: 'echo', arguments: { text: 'hi' } }));
 * ```
 */
export function resultOf(reply: RawReply): Record<string, unknown> {
  const last = reply.messages.at(-1);
  if (reply.status !== 200 || last === undefined || !('result' in last)) {
    throw new Error(`modern request failed: HTTP ${reply.status} ${reply.text.slice(0, 300)}`);
  }
  return last['result'] as Record<string, unknown>;
}

/**
 * Opens a `subscriptions/listen` stream (the modern era's notification channel); the caller reads `response.body`,
 * e.g. with `readEvents` from server-raw-client, and aborts `signal` to close it.
 *
 * @example
 * ```ts
 * const stream = await openListen(url, { resourceSubscriptions: ['notes://all'] }, controller.signal);
 * ```
 */
export function openListen(url: string, notifications: Record<string, unknown>, signal: AbortSignal, options: ModernRequestOptions = {}): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    signal,
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': MODERN_VERSION,
      'mcp-method': 'subscriptions/listen',
      ...(options.appSessionId === undefined ? {} : { 'x-archon-session-id': options.appSessionId }),
      ...options.headers,
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: options.id ?? 'listen-1',
      method: 'subscriptions/listen',
      params: { notifications, _meta: envelope(options.capabilities ?? {}) },
    }),
  });
}
