/**
 * Builds one client's transport and protocol session from its resolved options: the HTTP stack (undici
 * by default, `fetch` when given), the exchange with the user and app-session headers, the session.
 */
import { McpSession } from '../session/mcp-session';
import { createFetchStack } from '../transport/fetch-stack';
import type { HttpResponse } from '../transport/http-seam';
import type { JsonRpcNotification } from '../transport/json-rpc';
import { StreamableHttpExchange } from '../transport/streamable-http';
import { createUndiciStack } from '../transport/undici-stack';
import { INPUT_METHODS, fulfilInputRequest, isInputMethod } from './input-handlers';
import type { ResolvedClientOptions } from './options';

/**
 * Creates the exchange and session of a client; nothing is sent until the session initializes.
 *
 * @example
 * ```ts
 * const { exchange, session } = createSession(options, options.sessionId, { onResponse: () => {}, onNotification: () => {} });
 * ```
 */
export function createSession(
  options: ResolvedClientOptions,
  appSessionId: string,
  hooks: { onResponse(response: HttpResponse): void; onNotification(notification: JsonRpcNotification): void },
): { exchange: StreamableHttpExchange; session: McpSession } {
  const stack = options.fetch
    ? createFetchStack(options.fetch)
    : createUndiciStack({
        dispatcher: options.dispatcher,
        // Above the attempt timeout so the client's typed TimeoutError fires first.
        headersTimeoutMs: Math.max(options.timeoutMs, options.connectTimeoutMs) + 1_000,
        connectTimeoutMs: options.connectTimeoutMs,
        drainTimeoutMs: options.drainTimeoutMs,
      });
  const exchange = new StreamableHttpExchange({
    url: options.url,
    stack,
    maxResponseBytes: options.maxResponseBytes,
    headers: { ...options.headers, [options.sessionHeader.toLowerCase()]: appSessionId },
    onResponse: hooks.onResponse,
    // One ClientAuth per client: every exchange, re-initialize and era of the client shares its credentials.
    ...(options.auth === undefined ? {} : { authorizer: options.auth }),
  });
  const session = new McpSession({
    exchange,
    clientInfo: options.clientInfo,
    capabilities: options.capabilities,
    onNotification: hooks.onNotification,
    notifyTimeoutMs: options.timeoutMs,
    // Typed handlers first (checked results, SEP-1034 defaults), then the raw escape hatch.
    handlerOf: (method) =>
      isInputMethod(method) && options.handlers[INPUT_METHODS[method]] !== undefined
        ? (params) => fulfilInputRequest(method, params, options.handlers, { era: 'legacy', signal: undefined })
        : options.requestHandlers.get(method),
  });
  return { exchange, session };
}
