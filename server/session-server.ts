/**
 * What the session layer hands YOUR server factory: the SDK's own `McpRequestContext` (so a factory written
 * for `createMcpHandler` works unchanged) plus the session it serves and the sealed request-state codec.
 */
import type { McpRequestContext, McpServer, RequestStateCodec, Server } from '@modelcontextprotocol/server';

/**
 * The legacy (2025) session an `McpServer` instance serves, live: its ids, times and request count.
 *
 * @example
 * ```ts
 * const server = new McpServer({ name: 'notes', version: '1.0.0' });
 * server.registerTool('whoami', {}, () => ({ content: [{ type: 'text', text: context.session?.appSessionId ?? 'modern' }] }));
 * ```
 */
export interface SessionInfo {
  /** The protocol session id (`Mcp-Session-Id`). */
  readonly sessionId: string;
  /** The application session id (`X-Archon-Session-Id`). */
  readonly appSessionId: string;
  /** Epoch ms. */
  readonly createdAt: number;
  /** Epoch ms of the last request validated for this session. */
  readonly lastActivityAt: number;
  /** Epoch ms the session expires unless it is used again. */
  readonly expiresAt: number;
  /** Requests validated for this session by this process, `initialize` included. */
  readonly requestCount: number;
  /** True when SSE events are stored, so a closed stream can be resumed with Last-Event-ID. */
  readonly resumable: boolean;
  /**
   * Closes the POST SSE stream of one request so the client resumes it with Last-Event-ID (SEP-1699 polling).
   * Unlike the SDK's `ctx.http.closeSSE`, which exists only for protocol >= 2025-11-25, this works for every version.
   */
  closeRequestStream(requestId: string | number): void;
}

/**
 * The context your factory receives: the SDK's `McpRequestContext` (`era`, `authInfo`, `requestInfo`) plus the
 * session layer's additions.
 *
 * @example
 * ```ts
 * const createServer: SessionServerFactory = ({ era, requestState }) =>
 *   new McpServer({ name: 'notes', version: '1.0.0' }, { requestState: { verify: requestState.verify } });
 * ```
 */
export interface SessionServerContext extends McpRequestContext {
  /**
   * The codec sealing `requestState` with the handler's key (shared by every instance on the same store). Pass
   * `requestState.verify` as `ServerOptions.requestState.verify` and mint with `requestState.mint(payload)`.
   */
  requestState: RequestStateCodec;
  /** The application session of the request (`X-Archon-Session-Id`); undefined when the client sent none (modern era). */
  appSessionId: string | undefined;
  /**
   * The legacy session this instance serves (the same object for every instance the session gets, so its values
   * are live); undefined for a modern per-request instance.
   */
  session: SessionInfo | undefined;
}

/**
 * Builds your server: `McpServer` (or the low-level `Server`) from `@modelcontextprotocol/server`.
 *
 * @example
 * ```ts
 * const createServer: SessionServerFactory = () => {
 *   const server = new McpServer({ name: 'notes', version: '1.0.0' });
 *   server.registerTool('ping_me', {}, () => ({ content: [{ type: 'text', text: 'pong' }] }));
 *   return server;
 * };
 * ```
 */
export type SessionServerFactory = (context: SessionServerContext) => McpServer | Server | Promise<McpServer | Server>;

/**
 * The low-level `Server` of what a factory returned.
 *
 * @example
 * ```ts
 * lowLevelServer(await createServer(context)).sendResourceUpdated({ uri });
 * ```
 */
export function lowLevelServer(product: McpServer | Server): Server {
  return 'server' in product && typeof product.server === 'object' ? product.server : (product as Server);
}
