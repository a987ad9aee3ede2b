import type { AuthInfo, EventStore, RequestStateCodec } from '@modelcontextprotocol/server';
import type { ServerLogger } from '../session-options';
import { lowLevelServer, type SessionServerFactory } from '../session-server';
import { LiveSession } from './live-session';
import { installDefaultSubscriptionHandlers } from './session-state';
import { SessionTransport, type SessionOutgoingHooks, type SessionTrafficObserver } from './session-transport';

/** What every legacy session's transport and server share. */
export interface SessionFactoryDeps {
  createServer: SessionServerFactory;
  requestState: RequestStateCodec;
  retryIntervalMs: number;
  logger: ServerLogger;
}

/** One session to build: its identity, where its events go, and what the transport reports to. */
export interface SessionPairSpec {
  sessionId: string;
  appSessionId: string;
  principalHash: string | null;
  createdAt: number;
  expiresAt: number;
  /** The session's scoped event store; undefined when the event store is disabled. */
  eventStore: EventStore | undefined;
  /** The request that led here (`initialize`, or the first request after a restart), for the factory. */
  requestInfo: Request | undefined;
  authInfo: AuthInfo | undefined;
  observer: SessionTrafficObserver;
  outgoing: SessionOutgoingHooks;
  /** Called by the SDK once `initialize` is accepted; the response waits for it (the record is durable first). */
  onInitialized?(): Promise<void>;
  /** Called by the SDK on DELETE. */
  onDeleted(): Promise<void>;
  /** Called whenever the transport closes (DELETE, expiry, eviction, shutdown). */
  onClosed(): void;
}

/**
 * Builds one legacy session: the SDK's web-standard transport and YOUR server from the factory, connected.
 * The session id is chosen before the transport exists because the event store must be scoped to it
 * (`_GET_stream` is the same constant in every session, SDK #1004).
 *
 * @example
 * ```ts
 * const live = await buildLiveSession(spec, deps);
 * const response = await live.transport.handleRequest(request, { parsedBody });
 * ```
 */
export async function buildLiveSession(spec: SessionPairSpec, deps: SessionFactoryDeps): Promise<LiveSession> {
  const { sessionId } = spec;
  const transport = new SessionTransport(
    {
      sessionIdGenerator: () => sessionId,
      ...(spec.eventStore === undefined ? {} : { eventStore: spec.eventStore, retryInterval: deps.retryIntervalMs }),
      ...(spec.onInitialized === undefined ? {} : { onsessioninitialized: () => spec.onInitialized?.() }),
      onsessionclosed: () => spec.onDeleted(),
    },
    spec.observer,
    spec.outgoing,
  );
  const live = new LiveSession({
    sessionId,
    appSessionId: spec.appSessionId,
    principalHash: spec.principalHash,
    createdAt: spec.createdAt,
    expiresAt: spec.expiresAt,
    transport,
    resumable: spec.eventStore !== undefined,
  });
  const product = await deps.createServer({
    era: 'legacy',
    ...(spec.authInfo === undefined ? {} : { authInfo: spec.authInfo }),
    ...(spec.requestInfo === undefined ? {} : { requestInfo: spec.requestInfo }),
    requestState: deps.requestState,
    appSessionId: spec.appSessionId,
    session: live,
  });
  const server = lowLevelServer(product);
  installDefaultSubscriptionHandlers(server);
  live.attach(server);
  // Set before connect(): Protocol.connect chains an existing onclose instead of replacing it.
  transport.onclose = () => spec.onClosed();
  // The SDK reports every refusal it answers (406, 409, bad replays...) here; debug level keeps them quiet.
  transport.onerror = (error) => deps.logger.debug?.({ msg: 'transport error', sessionId, error: error.message });
  await product.connect(transport);
  return live;
}
