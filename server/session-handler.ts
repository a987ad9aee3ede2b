import type { ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AuthInfo, RequestStateCodec, ServerNotifier } from '@modelcontextprotocol/server';
import { healthResponse, metricsResponse, sendHealth, sendMetrics, type HealthReport } from './http/health-endpoint';
import { fromWebRequest, type McpHttpInput } from './http/http-input';
import { sendJson } from './http/json-rpc-error';
import { createNodeHandler, type NodeRequestLike } from './http/node-adapter';
import type { ProtocolEraName } from './session-options';
import { composeSessionLayer } from './session-layer';
import type { SessionHandlerOptions } from './session-options';
import type { Stores } from './stores/index';

/**
 * Counts of what the session layer did since it started.
 *
 * @example
 * ```ts
 * const { liveSessions, sessionsAdopted } = mcp.stats();
 * ```
 */
export interface SessionHandlerStats {
  /** Legacy sessions live in this process (with or without a server instance now). */
  liveSessions: number;
  /**
   * Legacy sessions whose `McpServer` + transport are alive now. An idle session (no request in flight, no open
   * stream) releases them after `idleServerMs` and gets new ones from `createServer` on its next request.
   */
  liveServers: number;
  /** Server instances built again for sessions that had released theirs while idle. */
  serversRebuilt: number;
  sessionsCreated: number;
  /** Sessions taken over from the store after a restart or from another instance. */
  sessionsAdopted: number;
  sessionsExpired: number;
  /** Modern-era app sessions active in this process. */
  appSessions: number;
}

/**
 * Per-request inputs of `fetch`, as the SDK's `McpHttpHandler.fetch` takes them.
 *
 * @example
 * ```ts
 * await mcp.fetch(request, { authInfo });
 * ```
 */
export interface SessionFetchOptions {
  /** Validated auth info from your middleware, passed through to your tools (`ctx.http.authInfo`). */
  authInfo?: AuthInfo;
  /** A body your framework already parsed. */
  parsedBody?: unknown;
  /**
   * The client's IP address (Hono on Node: `getConnInfo(c).remote.address`), which keys the per-IP limits
   * (`maxInFlightPerIp`, `maxNewSessionsPerIp`). Without it only the per-principal limits apply.
   */
  clientAddress?: string;
}

/**
 * Persistent sessions for your `McpServer`, mountable anywhere: `handle` on node:http and Express, `fetch` on
 * web-standard hosts (Hono, Workers, Bun, Deno), `health` and `metrics` beside them.
 *
 * @example
 * ```ts
 * const mcp = await createSessionHandler({ createServer: () => buildMyServer(), store: 'pglite:.mcp-data' });
 * http.createServer((req, res) => void mcp.handle(req, res)).listen(8051, '127.0.0.1');
 * ```
 */
export interface SessionHandler extends AsyncDisposable {
  /** node:http / Express: `app.all('/mcp', mcp.handle)`. A third argument that is not Express's `next` is a parsed body. */
  readonly handle: (req: NodeRequestLike, res: ServerResponse, parsedBodyOrNext?: unknown) => Promise<void>;
  /** Web-standard hosts: `app.all('/mcp', (c) => mcp.fetch(c.req.raw))`. */
  readonly fetch: (request: Request, options?: SessionFetchOptions) => Promise<Response>;
  /** `GET /health` for node:http / Express: 200 while the store answers, else 503. */
  readonly health: (req: unknown, res: ServerResponse) => Promise<void>;
  /** `GET /metrics` (Prometheus) for node:http / Express. */
  readonly metrics: (req: unknown, res: ServerResponse) => Promise<void>;
  /** `GET /health` for web-standard hosts. */
  readonly healthResponse: () => Promise<Response>;
  /** `GET /metrics` for web-standard hosts. */
  readonly metricsResponse: () => Promise<Response>;
  /** The health report itself. */
  readonly healthReport: () => Promise<HealthReport>;
  /**
   * RFC 9728 protected-resource metadata (`oauth` option) for node:http / Express:
   * `app.get(mcp.protectedResourceMetadataPaths, mcp.protectedResourceMetadata)`. 404 without `oauth`. `handle`
   * and `fetch` answer these paths themselves when they receive them.
   */
  readonly protectedResourceMetadata: (req: { method?: string | undefined }, res: ServerResponse) => void;
  /** The same for web-standard hosts: the answer to a request with this method (GET by default). */
  readonly protectedResourceMetadataResponse: (request?: Request) => Response;
  /**
   * Where the metadata is served: the resource's path-suffixed well-known path, and the root one. Empty without
   * `oauth`. A copy (a plain array, as Express's `app.get` takes it): changing it changes no routing.
   */
  readonly protectedResourceMetadataPaths: string[];
  /**
   * Change notifications for changes made outside any request: `toolsChanged()`, `promptsChanged()`,
   * `resourcesChanged()`, `resourceUpdated(uri)`. They reach the 2025 GET streams (resource updates: the sessions
   * subscribed to the URI, adopted ones included) and the 2026-07-28 listen streams, on every instance sharing
   * the store's bus.
   */
  readonly notify: ServerNotifier;
  /** The codec sealing `requestState` (also in your factory's context). */
  readonly requestState: RequestStateCodec;
  /** The stores sessions live in. */
  readonly stores: Stores;
  readonly instanceId: string;
  /** The protocol eras served. */
  readonly eras: readonly ProtocolEraName[];
  stats(): SessionHandlerStats;
  /** Marks the session (every live one when omitted) expired and drops it; its next request gets 404. Returns how many. */
  expire(sessionId?: string): Promise<number>;
  /**
   * Graceful shutdown: new sessions get 503, in-flight requests finish (up to `shutdownTimeoutMs`), open streams
   * get a `retry:` hint and end, activity is flushed, sessions are kept as `draining` for the next instance.
   * Idempotent.
   */
  close(): Promise<void>;
}

/** Polling step while draining in-flight requests on shutdown. */
const DRAIN_POLL_MS = 10;

/**
 * Puts YOUR `McpServer` behind persistent sessions: sessions in a store (memory, pglite, PostgreSQL, Redis),
 * adoption after a restart or by another instance, tiered cleanup, health, metrics, capacity, auth and Origin
 * checks, and both protocol eras on one endpoint (2025 sessions, 2026-07-28 per request).
 *
 * @example
 * ```ts
 * import { createSessionHandler } from 'archon-mcp-client/server';
 * import { McpServer } from '@modelcontextprotocol/server';
 *
 * const mcp = await createSessionHandler({
 *   createServer: () => {
 *     const server = new McpServer({ name: 'notes', version: '1.0.0' });
 *     server.registerTool('add_note', {}, () => ({ content: [{ type: 'text', text: 'saved' }] }));
 *     return server;
 *   },
 *   store: 'pglite:.mcp-data',
 * });
 * // node:http: http.createServer((req, res) => void mcp.handle(req, res))
 * // Express:   app.all('/mcp', mcp.handle)
 * // Hono:      app.all('/mcp', (c) => mcp.fetch(c.req.raw))
 * await mcp.close();
 * ```
 */
export async function createSessionHandler(options: SessionHandlerOptions): Promise<SessionHandler> {
  const layer = await composeSessionLayer(options);
  const { endpoint, resolved } = layer;
  const metadata = layer.oauth?.metadata;
  // With `oauth`, a handler mounted for every path also answers the metadata paths (one pathname check per request).
  const serve = (input: McpHttpInput): Promise<Response> =>
    metadata?.matches(input.request) === true ? Promise.resolve(metadata.response(input.request.method)) : endpoint.serve(input);
  const handle = createNodeHandler(serve);
  const notFound = (): Response => new Response('{"error":"not_found"}', { status: 404, headers: { 'content-type': 'application/json' } });

  let closed: Promise<void> | undefined;
  const shutdown = async (): Promise<void> => {
    layer.closing = true;
    layer.cutBodyReads();
    const deadline = Date.now() + resolved.shutdownTimeoutMs;
    while (layer.inFlight() > 0 && Date.now() < deadline) await sleep(DRAIN_POLL_MS);
    await layer.stop();
    resolved.logger.info?.({ msg: 'session handler closed', instanceId: resolved.instanceId });
  };
  const close = (): Promise<void> => (closed ??= shutdown());

  return {
    handle,
    fetch: (request, fetchOptions = {}) => serve(fromWebRequest(request, fetchOptions)),
    health: async (_req, res) => sendHealth(res, await layer.health()),
    metrics: (_req, res) => sendMetrics(res, layer.metrics),
    healthResponse: async () => healthResponse(await layer.health()),
    metricsResponse: () => metricsResponse(layer.metrics),
    healthReport: () => layer.health(),
    protectedResourceMetadata: (req, res) => {
      if (metadata !== undefined) return metadata.send(req.method, res);
      sendJson(res, 404, { error: 'not_found' });
    },
    protectedResourceMetadataResponse: (request) => metadata?.response(request?.method) ?? notFound(),
    protectedResourceMetadataPaths: [...(metadata?.paths ?? [])],
    notify: layer.notify,
    requestState: layer.requestState,
    stores: layer.stores,
    instanceId: resolved.instanceId,
    eras: resolved.eras,
    stats: () => layer.stats(),
    expire: (sessionId) => layer.manager.expire(sessionId),
    close,
    [Symbol.asyncDispose]: close,
  };
}
