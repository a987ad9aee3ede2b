import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { CleanupScheduler } from './cleanup/cleanup-scheduler';
import { sendHealth, sendMetrics } from './http/health-endpoint';
import { RPC_ERROR, sendJsonRpcError } from './http/json-rpc-error';
import { McpEndpoint } from './http/mcp-endpoint';
import { handleTestHook, TEST_HOOKS_PREFIX } from './http/test-hooks-endpoint';
import { CounterLedger } from './mcp/counter-ledger';
import { ServerMetrics } from './observability/server-metrics';
import { resolveServerOptions, type ReferenceServerOptions } from './options';
import { checkAdoptionSupport } from './sessions/adopt-session';
import { SessionManager } from './sessions/session-manager';
import { createStores } from './stores/index';
import { FaultInjector, type ServerFaults } from './testing/fault-injector';
import { OpenResponses } from './testing/open-responses';
import { ServerStats, type ServerStatsSnapshot } from './testing/server-stats';

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
  /** Fault injection for tests (always available in-process; over HTTP only with `testHooks`). */
  readonly faults: ServerFaults;
  /** Counts of what the server saw, for tests. */
  stats(): ServerStatsSnapshot;
  /** Sessions live in this process. */
  liveSessions(): number;
  /** Graceful shutdown: refuse new sessions, drain in-flight requests, mark sessions draining. Idempotent. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Polling step while draining in-flight requests on shutdown. */
const DRAIN_POLL_MS = 10;

function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host, exclusive: true }, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

/**
 * Starts the reference MCP server: the SDK's McpServer + StreamableHTTPServerTransport per session,
 * sessions in a store, `/mcp`, `/health`, `/metrics` and (with `testHooks`) `/__archon/*`.
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
  const resolved = resolveServerOptions(options);
  const { logger } = resolved;
  const startedAt = Date.now();
  const stores = await createStores(resolved.store, {
    ttlMs: resolved.eventTtlMs,
    maxEventsPerStream: resolved.maxEventsPerStream,
  });
  await stores.sessions.init();
  // Stores handed in ready-made belong to the caller (e.g. shared by two servers in one test).
  const ownsStores = typeof resolved.store === 'string';
  const closeStores = async (): Promise<void> => {
    if (ownsStores) await Promise.allSettled([stores.sessions.close(), stores.events.close()]);
  };

  const adoption = await checkAdoptionSupport();
  if (!adoption.ok) logger.warn?.({ msg: 'session adoption disabled', reason: adoption.reason });

  let closing = false;
  // The callbacks below run only after every const here is initialized.
  const openResponses = new OpenResponses(() => stats.recordStreamCut());
  const stats = new ServerStats(resolved.sessionHeader, () => openResponses.size);
  const metrics = new ServerMetrics((): number => sessions.liveCount);
  const sessions: SessionManager = new SessionManager({
    options: resolved,
    stores,
    stats,
    metrics,
    counter: new CounterLedger(resolved.counterFile),
    startedAt,
    adoptionEnabled: adoption.ok,
  });
  const faults = new FaultInjector(openResponses, (sessionId) => sessions.expire(sessionId));
  const endpoint = new McpEndpoint({
    options: resolved,
    manager: sessions,
    stores,
    stats,
    metrics,
    faults,
    openResponses,
    isClosing: () => closing,
  });
  const cleanup = new CleanupScheduler({
    store: stores.sessions,
    instanceId: resolved.instanceId,
    metrics,
    logger,
    tiers: {
      fast: { intervalMs: resolved.cleanupFastIntervalMs, needsLock: false, run: (now) => sessions.evictIdle(now) },
      regular: { intervalMs: resolved.cleanupRegularIntervalMs, needsLock: true, run: (now) => sessions.expireDue(now) },
      deep: {
        intervalMs: resolved.cleanupDeepIntervalMs,
        needsLock: true,
        run: async (now) =>
          (await stores.sessions.purge(now - resolved.purgeAfterMs)) +
          // Live ids only: events of sessions not live here are kept until their TTL (another instance may own them).
          (await stores.events.purgeExpired(now)),
      },
    },
  });

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path === resolved.path) return endpoint.handle(req, res);
    if (path === '/health' && req.method === 'GET') {
      return sendHealth(res, {
        store: stores.sessions,
        metrics,
        startedAt,
        instanceId: resolved.instanceId,
        liveSessions: () => sessions.liveCount,
        cleanup: () => cleanup.status(),
        isClosing: () => closing,
        adoption: adoption.ok ? { enabled: true } : { enabled: false, reason: adoption.reason },
      });
    }
    if (path === '/metrics' && req.method === 'GET') return sendMetrics(res, metrics);
    if (resolved.testHooks && path.startsWith(TEST_HOOKS_PREFIX)) {
      const handled = await handleTestHook(req, res, path, {
        stats,
        faults,
        store: stores.sessions,
        liveSessions: () => sessions.liveCount,
      });
      if (handled) return;
    }
    sendJsonRpcError(res, { status: 404, code: RPC_ERROR.serverError, message: `Not found: ${path}` });
  };

  const http = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      logger.error?.({ msg: 'request failed', error: String(error) });
      sendJsonRpcError(res, { status: 500, code: RPC_ERROR.serverError, message: 'Internal server error' });
    });
  });
  // SSE streams are long-lived: no request timeout; keep-alive sockets are closed on shutdown.
  http.requestTimeout = 0;
  const address = await listen(http, resolved.port, resolved.host).catch(async (error: unknown) => {
    await closeStores();
    throw error;
  });
  cleanup.start();
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${urlHost}:${address.port}${resolved.path}`;
  logger.info?.({ msg: 'reference server listening', url, store: stores.sessions.kind, instanceId: resolved.instanceId });

  let closed: Promise<void> | undefined;
  const shutdown = async (): Promise<void> => {
    closing = true;
    const stopped = new Promise<void>((resolve) => http.close(() => resolve()));
    http.closeIdleConnections();
    const deadline = Date.now() + resolved.shutdownTimeoutMs;
    while (endpoint.inFlight > 0 && Date.now() < deadline) await sleep(DRAIN_POLL_MS);
    await cleanup.stop();
    openResponses.writeRetryHint(resolved.retryIntervalMs);
    await sessions.drain();
    http.closeAllConnections();
    await stopped;
    await closeStores();
    logger.info?.({ msg: 'reference server closed', url });
  };
  const close = (): Promise<void> => (closed ??= shutdown());

  return {
    url,
    port: address.port,
    host: address.address,
    instanceId: resolved.instanceId,
    faults,
    stats: () => stats.snapshot(),
    liveSessions: () => sessions.liveCount,
    close,
    [Symbol.asyncDispose]: close,
  };
}
