import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RPC_ERROR, sendJsonRpcError } from './http/json-rpc-error';
import { createDemoServerFactory } from './mcp/create-mcp-server';
import { REFERENCE_ONLY_KEYS, resolveReferenceOptions, type ReferenceServerOptions } from './reference-options';
import { createSessionHandler, type SessionHandler } from './session-handler';
import { resolveSessionLayerOptions } from './session-options';
import type { ServerFaults } from './testing/fault-injector';
import type { ServerStatsSnapshot } from './testing/server-stats';
import { TEST_HOOKS_PREFIX } from './testing/test-hooks-endpoint';
import { createTestLayer, type TestLayer } from './testing/test-layer';

/**
 * A running reference server.
 *
 * @example
 * ```ts
 * await using server = await startReferenceServer();
 * server.faults.expireSession();
 * server.stats().requests;
 * ```
 */
export interface ReferenceServer {
  /** The MCP endpoint, e.g. `http://127.0.0.1:51234/mcp`. */
  readonly url: string;
  readonly port: number;
  readonly host: string;
  /** Identifies this process in session records. */
  readonly instanceId: string;
  /** The session layer serving the demo tools (notify, stores, stats). */
  readonly handler: SessionHandler;
  /** Fault injection for tests (in-process with the test layer; over HTTP only with `testHooks`). */
  readonly faults: ServerFaults;
  /** Counts of what the server saw, for tests (needs the test layer). */
  stats(): ServerStatsSnapshot;
  /** Sessions live in this process. */
  liveSessions(): number;
  /** Graceful shutdown: refuse new sessions, drain in-flight requests, mark sessions draining. Idempotent. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host, exclusive: true }, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

/** Faults and stats need the test layer; without it every use says so. */
function withoutTestLayer(): ServerFaults & { snapshot(): never } {
  const refuse = (): never => {
    throw new TypeError('The test layer is off (`testLayer: false`): faults and test stats are unavailable');
  };
  return { failNext: refuse, cutStreams: refuse, cutAfterEvents: refuse, expireSession: refuse, reset: refuse, snapshot: refuse };
}

/**
 * Starts the reference MCP server: the session layer (`createSessionHandler`) serving the demo tools, mounted on
 * node:http with `/mcp`, `/health`, `/metrics` and, with `testHooks`, `/__archon/*`. The test layer (faults,
 * stats) wraps the handler from outside.
 *
 * @example
 * ```ts
 * import { startReferenceServer } from 'archon-mcp-client/server';
 *
 * await using server = await startReferenceServer({ port: 0 });
 * console.log(server.url); // http://127.0.0.1:PORT/mcp
 * server.faults.failNext({ status: 503, retryAfter: 1 });
 * ```
 */
export async function startReferenceServer(options: ReferenceServerOptions = {}): Promise<ReferenceServer> {
  const own = resolveReferenceOptions(options);
  const layerOptions = Object.fromEntries(Object.entries(options).filter(([key]) => !(REFERENCE_ONLY_KEYS as readonly string[]).includes(key)));
  // Validates early (unknown keys included) so a typo fails before anything starts.
  const resolved = resolveSessionLayerOptions(options, REFERENCE_ONLY_KEYS);
  const startedAt = Date.now();
  let testLayer: TestLayer | undefined;
  let handler: SessionHandler | undefined;
  const demo = createDemoServerFactory({
    startedAt,
    liveSessions: () => handler?.stats().liveSessions ?? 0,
    counterFile: own.counterFile,
    conformanceFixtures: own.conformanceFixtures,
    hooks: {
      recordToolRun: (name) => testLayer?.stats.recordToolRun(name),
      recordToolCancelled: (name) => testLayer?.stats.recordToolCancelled(name),
    },
  });
  let handleMcp: SessionHandler['handle'] | undefined;
  const startHandler = async (oauthResource?: string): Promise<SessionHandler> => {
    const oauth = oauthResource === undefined || options.oauth === undefined ? {} : { oauth: { ...options.oauth, resource: oauthResource } };
    const mcp = await createSessionHandler({ ...layerOptions, ...oauth, instanceId: resolved.instanceId, createServer: demo.createServer });
    handler = mcp;
    testLayer = own.testLayer ? createTestLayer(mcp, { maxBodyBytes: resolved.maxBodyBytes, sessionHeader: resolved.sessionHeader }) : undefined;
    handleMcp = testLayer?.handle ?? mcp.handle;
    return mcp;
  };
  // `oauth` without `resource`: the resource is this server's own URL, known once the port is bound.
  const resourceFromAddress = resolved.oauth !== undefined && resolved.oauth.resource === undefined;
  if (resourceFromAddress && /^(0\.0\.0\.0|::|\[::\])$/.test(resolved.host)) {
    throw new TypeError(`Expected \`oauth.resource\` (the public URL of the endpoint) when \`host\` is ${resolved.host}, got undefined`);
  }
  const early = resourceFromAddress ? undefined : await startHandler();

  const http = createServer((req, res) => {
    const route = async (): Promise<void> => {
      const mcp = handler;
      if (mcp === undefined || handleMcp === undefined) {
        sendJsonRpcError(res, { status: 503, code: RPC_ERROR.serverError, message: 'Server is starting', headers: { 'retry-after': '1' } });
        return;
      }
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      if (path === own.path) return handleMcp(req, res);
      if (mcp.protectedResourceMetadataPaths.includes(path)) return mcp.protectedResourceMetadata(req, res);
      if (path === '/health' && req.method === 'GET') return mcp.health(req, res);
      if (path === '/metrics' && req.method === 'GET') return mcp.metrics(req, res);
      if (own.testHooks && testLayer !== undefined && path.startsWith(TEST_HOOKS_PREFIX) && (await testLayer.hooks(req, res, path))) return;
      sendJsonRpcError(res, { status: 404, code: RPC_ERROR.serverError, message: `Not found: ${path}` });
    };
    route().catch((error: unknown) => {
      resolved.logger.error?.({ msg: 'request failed', error: String(error) });
      sendJsonRpcError(res, { status: 500, code: RPC_ERROR.serverError, message: 'Internal server error' });
    });
  });
  // SSE streams are long-lived: no request timeout; keep-alive sockets are closed on shutdown.
  http.requestTimeout = 0;
  const address = await listen(http, own.port, resolved.host).catch(async (error: unknown) => {
    await early?.close();
    throw error;
  });
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${urlHost}:${address.port}${own.path}`;
  const mcp =
    early ??
    (await startHandler(url).catch(async (error: unknown) => {
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      throw error;
    }));
  resolved.logger.info?.({ msg: 'reference server listening', url, store: mcp.stores.sessions.kind, instanceId: mcp.instanceId });

  let closed: Promise<void> | undefined;
  const shutdown = async (): Promise<void> => {
    const stopped = new Promise<void>((resolve) => http.close(() => resolve()));
    http.closeIdleConnections();
    await mcp.close();
    http.closeAllConnections();
    await stopped;
    // One I/O turn before resolving: with nothing but microtasks since the sockets were closed (the memory store),
    // a client in this process has not yet read their FIN, and would write its next request on a dead keep-alive
    // socket - an ambiguous failure it must report as MaybeExecutedError for a non-idempotent call. Across
    // processes the FIN always arrives first; this makes an in-process restart (tests, the demo) behave the same.
    await new Promise<void>((resolve) => setImmediate(resolve));
    resolved.logger.info?.({ msg: 'reference server closed', url });
  };
  const close = (): Promise<void> => (closed ??= shutdown());
  const absent = withoutTestLayer();

  return {
    url,
    port: address.port,
    host: address.address,
    instanceId: mcp.instanceId,
    handler: mcp,
    faults: testLayer?.faults ?? absent,
    stats: () => testLayer?.stats.snapshot() ?? absent.snapshot(),
    liveSessions: () => mcp.stats().liveSessions,
    close,
    [Symbol.asyncDispose]: close,
  };
}
