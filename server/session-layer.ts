/**
 * The session layer's parts, wired: stores, the session manager, the era endpoints, cleanup, metrics and the
 * write-behind queue. `createSessionHandler` mounts what this builds; nothing here knows the host.
 */
import { randomBytes } from 'node:crypto';
import { createRequestStateCodec, InMemoryServerEventBus, type RequestStateCodec, type ServerNotifier } from '@modelcontextprotocol/server';
import { createOAuthResourceServer, type OAuthResourceServer } from './auth/oauth-resource-server';
import { CleanupScheduler } from './cleanup/cleanup-scheduler';
import { buildHealthReport, type HealthReport } from './http/health-endpoint';
import { LegacyEndpoint } from './http/legacy-endpoint';
import { McpEndpoint, type EraEndpoint } from './http/mcp-endpoint';
import type { McpRequest } from './http/mcp-request';
import { ModernEndpoint } from './http/modern-endpoint';
import { NewSessionRate, type NewSessionRefusal } from './http/new-session-limits';
import { OpenStreams } from './http/open-streams';
import { BodyCutoff } from './http/request-deadlines';
import { ServerMetrics } from './observability/server-metrics';
import type { SessionHandlerStats } from './session-handler';
import { resolveSessionLayerOptions, type ResolvedSessionOptions, type SessionHandlerOptions } from './session-options';
import { ActivityWriter } from './sessions/activity-writer';
import { checkAdoptionSupport } from './sessions/adopt-session';
import { checkDirectPostSupport } from './sessions/direct-post';
import { AppSessions } from './sessions/app-sessions';
import { RequestLog } from './sessions/request-log';
import { NotificationRouter } from './sessions/notification-router';
import { SessionManager } from './sessions/session-manager';
import { SessionStateTracker } from './sessions/session-state';
import { lowLevelServer } from './session-server';
import { createStores, type Stores } from './stores/index';

/** Name of the shared secret holding the request-state key in the store. */
const REQUEST_STATE_SECRET = 'request-state-key';

export interface SessionLayer {
  readonly resolved: ResolvedSessionOptions;
  readonly stores: Stores;
  readonly endpoint: McpEndpoint;
  readonly manager: SessionManager;
  readonly metrics: ServerMetrics;
  readonly requestState: RequestStateCodec;
  /** Change notifications to every subscriber, both eras, every instance sharing the bus. */
  readonly notify: ServerNotifier;
  /** The OAuth resource server (`oauth` option): gate, keys, metadata. */
  readonly oauth: OAuthResourceServer | undefined;
  /** Set by `close()`: new sessions are refused from then on. */
  closing: boolean;
  /** Stops every request body read in progress (and any later one): shutdown never waits on a stalled body. */
  cutBodyReads(): void;
  inFlight(): number;
  health(): Promise<HealthReport>;
  stats(): SessionHandlerStats;
  /** Everything after the drain: cleanup, open streams, sessions, write-behind, stores. */
  stop(): Promise<void>;
}

async function requestStateKey(resolved: ResolvedSessionOptions, stores: Stores): Promise<Uint8Array> {
  if (resolved.requestStateKey !== undefined) return resolved.requestStateKey;
  // Claimed once per store, so every instance sharing it seals and opens the same requestState.
  const shared = await stores.sessions.claimSecret(REQUEST_STATE_SECRET, randomBytes(32).toString('base64'));
  return Buffer.from(shared, 'base64');
}

/**
 * @example
 * ```ts
 * const layer = await composeSessionLayer({ createServer, store: 'memory' });
 * const response = await layer.endpoint.serve(input);
 * ```
 */
export async function composeSessionLayer(options: SessionHandlerOptions): Promise<SessionLayer> {
  if (typeof options !== 'object' || options === null) throw new TypeError(`Expected options to be an object, got ${String(options)}`);
  const { createServer, ...layerOptions } = options;
  if (typeof createServer !== 'function') {
    throw new TypeError(`Expected \`createServer\` to be a function returning an McpServer, got ${typeof createServer}`);
  }
  const resolved = resolveSessionLayerOptions(layerOptions);
  const { logger } = resolved;
  // Before the store opens: a missing `oauth.resource` fails without anything to clean up.
  const oauth = resolved.oauth === undefined ? undefined : await createOAuthResourceServer(resolved.oauth, logger);
  const startedAt = Date.now();
  const onBusError = (error: Error): void => logger.warn?.({ msg: 'notification bus error', error: error.message });
  const stores = await createStores(resolved.store, { ttlMs: resolved.eventTtlMs, maxEventsPerStream: resolved.maxEventsPerStream }, { onBusError }).catch(
    (error: unknown) => {
      oauth?.close();
      throw error;
    },
  );
  await stores.sessions.init();
  // Stores handed in ready-made belong to the caller (e.g. shared by two handlers in one test).
  const ownsStores = typeof resolved.store === 'string';
  const closeStores = async (): Promise<void> => {
    oauth?.close();
    if (!ownsStores) return;
    await stores.bus?.close().catch(() => undefined);
    await Promise.allSettled([stores.sessions.close(), stores.events.close()]);
  };
  try {
    const requestState = createRequestStateCodec({
      key: await requestStateKey(resolved, stores),
      ttlSeconds: resolved.requestStateTtlSeconds,
    });
    const adoption = await checkAdoptionSupport();
    if (!adoption.ok) logger.warn?.({ msg: 'session adoption disabled', reason: adoption.reason });
    const directPost = await checkDirectPostSupport();
    if (!directPost.ok) logger.warn?.({ msg: 'direct SSE answers disabled: every POST takes the SDK transport path', reason: directPost.reason });

    const counts = { created: 0, adopted: 0, expired: 0 };
    const distrust = (): void => {
      manager.distrust();
      appSessions.distrust();
    };
    const writer = new ActivityWriter(stores.sessions, { flushMs: resolved.activityFlushMs, logger, onFailure: distrust });
    const requestLog = new RequestLog((record) => writer.track(record));
    const metrics = new ServerMetrics((): number => manager.liveCount);
    // The stores' bus reaches every instance sharing them; without one, this handler's own.
    const bus = stores.bus ?? new InMemoryServerEventBus(onBusError);
    const router = new NotificationRouter(bus, { sessions: () => manager.liveSessions(), deliver: (live, message) => manager.deliver(live, message) }, logger);
    const manager: SessionManager = new SessionManager({
      options: resolved,
      stores,
      metrics,
      writer,
      requestLog,
      factory: { createServer, requestState, retryIntervalMs: resolved.retryIntervalMs, logger },
      state: new SessionStateTracker(stores.sessions),
      interceptNotification: (_live, message) => router.intercept(message),
      adoptionEnabled: adoption.ok,
      onCreated: () => (counts.created += 1),
      onAdopted: () => (counts.adopted += 1),
      onExpired: (count) => (counts.expired += count),
    });
    const openStreams = new OpenStreams();
    const appSessions: AppSessions = new AppSessions(stores.sessions, writer, resolved);
    const eras: Partial<Record<'legacy' | 'modern', EraEndpoint>> = {};
    const bodyCutoff = new BodyCutoff();
    const endpoint = new McpEndpoint({
      options: resolved,
      eras,
      store: stores.sessions,
      metrics,
      onStoreDown: distrust,
      shutdown: bodyCutoff.signal,
      ...(oauth === undefined ? {} : { authenticator: oauth.authenticator }),
    });
    const layer: SessionLayer = {
      resolved,
      stores,
      manager,
      metrics,
      requestState,
      notify: router.notify,
      oauth,
      closing: false,
      cutBodyReads: () => bodyCutoff.cutAll(),
      endpoint,
      inFlight: () => manager.inFlight() + (modern?.inFlight ?? 0),
      health: async () => {
        const report = await buildHealthReport({
          store: stores.sessions,
          startedAt,
          instanceId: resolved.instanceId,
          eras: resolved.eras,
          liveSessions: () => manager.liveCount,
          cleanup: () => cleanup.status(),
          isClosing: () => layer.closing,
          adoption: adoption.ok ? { enabled: true } : { enabled: false, reason: adoption.reason },
        });
        if (!report.store.connected) distrust();
        return report;
      },
      stats: () => ({
        liveSessions: manager.liveCount,
        liveServers: manager.liveServers,
        serversRebuilt: manager.serversRebuilt,
        sessionsCreated: counts.created,
        sessionsAdopted: counts.adopted,
        sessionsExpired: counts.expired,
        appSessions: appSessions.liveCount,
      }),
      stop: async () => {
        await cleanup.stop();
        openStreams.endAll(resolved.retryIntervalMs);
        await manager.drain();
        await modern?.close();
        router.close();
        await writer.close();
        await closeStores();
      },
    };
    const sessionRate = new NewSessionRate(resolved);
    const retryAfterSeconds = Math.max(1, Math.ceil(resolved.retryIntervalMs / 1_000));
    const refuseNew = (request: McpRequest): NewSessionRefusal | undefined => {
      if (layer.closing) return { status: 503, message: 'Server is shutting down', retryAfterSeconds };
      if (manager.liveCount + appSessions.liveCount >= resolved.maxSessions) return { status: 503, message: 'Server at session capacity', retryAfterSeconds };
      return sessionRate.admit(request.clientIp, request.principalHash, Date.now());
    };
    if (resolved.eras.includes('legacy')) {
      eras.legacy = new LegacyEndpoint({
        options: resolved,
        manager,
        appSessions,
        requestLog,
        openStreams,
        refuseNewSessions: refuseNew,
      });
    }
    const modern = resolved.eras.includes('modern')
      ? new ModernEndpoint({
          options: resolved,
          createServer,
          requestState,
          appSessions,
          requestLog,
          bus,
          refuseNewSessions: refuseNew,
          // A per-request instance has no stream of its own for unrelated notifications (the SDK drops them):
          // its sendResourceUpdated goes to the bus, like a legacy session's, so every subscriber hears it.
          onServer: (product) => {
            const server = lowLevelServer(product);
            server.sendResourceUpdated = async ({ uri }) => router.notify.resourceUpdated(uri);
          },
        })
      : undefined;
    eras.modern = modern;
    const cleanup = new CleanupScheduler({
      store: stores.sessions,
      instanceId: resolved.instanceId,
      metrics,
      logger,
      tiers: {
        fast: {
          intervalMs: resolved.cleanupFastIntervalMs,
          needsLock: false,
          run: async (now) => (await manager.evictIdle(now)) + appSessions.evictIdle(now),
        },
        regular: { intervalMs: resolved.cleanupRegularIntervalMs, needsLock: true, run: (now) => manager.expireDue(now) },
        deep: {
          intervalMs: resolved.cleanupDeepIntervalMs,
          needsLock: true,
          run: async (now) => (await stores.sessions.purge(now - resolved.purgeAfterMs)) + (await stores.events.purgeExpired(now)),
        },
      },
    });
    cleanup.start();
    return layer;
  } catch (error) {
    await closeStores();
    throw error;
  }
}
