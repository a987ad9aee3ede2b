import type { AuthInfo, EventStore, JSONRPCMessage, RequestId, RequestStateCodec } from '@modelcontextprotocol/server';
import type { ServerLogger } from '../session-options';
import { lowLevelServer, type SessionServerFactory } from '../session-server';
import { LiveSession } from './live-session';
import { installDefaultSubscriptionHandlers } from './session-state';
import { SessionTransport } from './session-transport';

/** What every legacy session's transport and server share. */
export interface SessionFactoryDeps {
  createServer: SessionServerFactory;
  requestState: RequestStateCodec;
  retryIntervalMs: number;
  logger: ServerLogger;
}

/**
 * What the session layer does around every legacy session, given the session: traffic observation, outgoing
 * hooks and lifecycle. One object serves every session of a manager.
 *
 * @example
 * ```ts
 * const hooks: LiveSessionHooks = { requestReceived: () => {}, responseSent: () => {}, beforeResponse: async () => {},
 *   interceptNotification: () => false, onDeleted: async () => {}, onClosed: () => {} };
 * ```
 */
export interface LiveSessionHooks {
  requestReceived(live: LiveSession, message: JSONRPCMessage & { id: RequestId; method: string }): void;
  responseSent(live: LiveSession, id: RequestId): void;
  /** Awaited before the response to `id` is sent (state it implies becomes durable first). */
  beforeResponse(live: LiveSession, id: RequestId, message: JSONRPCMessage): Promise<void>;
  /** True when the layer took a notification the session's server sent over. */
  interceptNotification(live: LiveSession, message: JSONRPCMessage): boolean;
  /** Called by the SDK on DELETE. */
  onDeleted(live: LiveSession): Promise<void>;
  /** Called whenever the transport closes (DELETE, expiry, eviction, shutdown). */
  onClosed(live: LiveSession): void;
}

/** One session to build: its identity, where its events go, and the request that led here. */
export interface SessionPairSpec {
  sessionId: string;
  appSessionId: string;
  principalHash: string | null;
  createdAt: number;
  expiresAt: number;
  /** The session's scoped event store; undefined when the event store is disabled. */
  eventStore: EventStore | undefined;
  /** The request that led here (`initialize`; undefined for an adoption), for the factory. */
  requestInfo: Request | undefined;
  authInfo: AuthInfo | undefined;
  /** Called by the SDK once `initialize` is accepted (new sessions only); the response waits for it. */
  onInitialized?(live: LiveSession): Promise<void>;
}

/**
 * Builds one legacy session: the SDK's web-standard transport and YOUR server from the factory, connected.
 * The session id is chosen before the transport exists because the event store must be scoped to it
 * (`_GET_stream` is the same constant in every session, SDK #1004).
 *
 * @example
 * ```ts
 * const live = await buildLiveSession(spec, deps, hooks);
 * const response = await live.transport.handleRequest(request, { parsedBody });
 * ```
 */
export async function buildLiveSession(spec: SessionPairSpec, deps: SessionFactoryDeps, hooks: LiveSessionHooks): Promise<LiveSession> {
  const { sessionId } = spec;
  // The transport reports to hooks about `live`, which exists by the time any request arrives.
  let live: LiveSession | undefined;
  const transport = new SessionTransport(
    {
      sessionIdGenerator: () => sessionId,
      ...(spec.eventStore === undefined ? {} : { eventStore: spec.eventStore, retryInterval: deps.retryIntervalMs }),
      ...(spec.onInitialized === undefined
        ? {}
        : {
            onsessioninitialized: async () => {
              if (live !== undefined) await spec.onInitialized?.(live);
            },
          }),
      onsessionclosed: async () => {
        if (live !== undefined) await hooks.onDeleted(live);
      },
    },
    {
      requestReceived: (message) => live !== undefined && hooks.requestReceived(live, message),
      responseSent: (id) => live !== undefined && hooks.responseSent(live, id),
    },
    {
      beforeResponse: async (id, message) => {
        if (live !== undefined) await hooks.beforeResponse(live, id, message);
      },
      interceptNotification: (message) => live !== undefined && hooks.interceptNotification(live, message),
    },
  );
  live = new LiveSession({
    sessionId,
    appSessionId: spec.appSessionId,
    principalHash: spec.principalHash,
    createdAt: spec.createdAt,
    expiresAt: spec.expiresAt,
    transport,
    resumable: spec.eventStore !== undefined,
  });
  const built = live;
  const product = await deps.createServer({
    era: 'legacy',
    ...(spec.authInfo === undefined ? {} : { authInfo: spec.authInfo }),
    ...(spec.requestInfo === undefined ? {} : { requestInfo: spec.requestInfo }),
    requestState: deps.requestState,
    appSessionId: spec.appSessionId,
    session: built,
  });
  const server = lowLevelServer(product);
  installDefaultSubscriptionHandlers(server);
  built.attach(server);
  // Set before connect(): Protocol.connect chains an existing onclose instead of replacing it.
  transport.onclose = () => hooks.onClosed(built);
  // The SDK reports every refusal it answers (406, 409, bad replays...) here; debug level keeps them quiet.
  transport.onerror = (error) => deps.logger.debug?.({ msg: 'transport error', sessionId, error: error.message });
  await product.connect(transport);
  return built;
}
