import type { AuthInfo, EventStore, JSONRPCMessage, RequestId, RequestStateCodec } from '@modelcontextprotocol/server';
import type { ServerLogger } from '../session-options';
import { lowLevelServer, type SessionServerFactory } from '../session-server';
import type { LiveSession, SessionPair } from './live-session';
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
  /** Awaited before the response to `id` is sent (state it implies becomes durable first); undefined: nothing to wait for. */
  beforeResponse(live: LiveSession, id: RequestId, message: JSONRPCMessage): Promise<void> | undefined;
  /** True when the layer took a notification the session's server sent over. */
  interceptNotification(live: LiveSession, message: JSONRPCMessage): boolean;
  /** Called by the SDK on DELETE. */
  onDeleted(live: LiveSession): Promise<void>;
  /** Called whenever a pair's transport closes (DELETE, expiry, eviction, shutdown, or its release when idle). */
  onClosed(live: LiveSession, pair: SessionPair): void;
}

/** How to build one pair for a session: where its events go, and the request that led here. */
export interface SessionPairSpec {
  /** The session's scoped event store; undefined when the event store is disabled. */
  eventStore: EventStore | undefined;
  /** The request that led here (`initialize`; undefined when a pair is rebuilt), for the factory. */
  requestInfo: Request | undefined;
  authInfo: AuthInfo | undefined;
  /** Called by the SDK once `initialize` is accepted (new sessions only); the response waits for it. */
  onInitialized?(live: LiveSession): Promise<void>;
}

/**
 * Builds a pair for `live`: the SDK's web-standard transport and YOUR server from the factory, connected. The
 * session id is chosen before the transport exists because the event store must be scoped to it (`_GET_stream`
 * is the same constant in every session, SDK #1004). A pair for an existing session (idle, or adopted) is then
 * brought to the session's state by `adoptSession`.
 *
 * @example
 * ```ts
 * const pair = await buildSessionPair(live, spec, deps, hooks);
 * const response = await pair.transport.handleRequest(request, { parsedBody });
 * ```
 */
export async function buildSessionPair(live: LiveSession, spec: SessionPairSpec, deps: SessionFactoryDeps, hooks: LiveSessionHooks): Promise<SessionPair> {
  const { sessionId } = live;
  const transport = new SessionTransport(
    {
      sessionIdGenerator: () => sessionId,
      ...(spec.eventStore === undefined ? {} : { eventStore: spec.eventStore, retryInterval: deps.retryIntervalMs }),
      ...(spec.onInitialized === undefined ? {} : { onsessioninitialized: async () => spec.onInitialized?.(live) }),
      onsessionclosed: async () => hooks.onDeleted(live),
    },
    {
      requestReceived: (message) => hooks.requestReceived(live, message),
      responseSent: (id) => hooks.responseSent(live, id),
    },
    {
      beforeResponse: (id, message) => hooks.beforeResponse(live, id, message),
      interceptNotification: (message) => hooks.interceptNotification(live, message),
    },
  );
  const product = await deps.createServer({
    era: 'legacy',
    ...(spec.authInfo === undefined ? {} : { authInfo: spec.authInfo }),
    ...(spec.requestInfo === undefined ? {} : { requestInfo: spec.requestInfo }),
    requestState: deps.requestState,
    appSessionId: live.appSessionId,
    session: live,
  });
  const server = lowLevelServer(product);
  installDefaultSubscriptionHandlers(server);
  const pair: SessionPair = { transport, server, released: false };
  // Set before connect(): Protocol.connect chains an existing onclose instead of replacing it.
  transport.onclose = () => hooks.onClosed(live, pair);
  // The SDK reports every refusal it answers (406, 409, bad replays...) here; debug level keeps them quiet.
  transport.onerror = (error) => deps.logger.debug?.({ msg: 'transport error', sessionId, error: error.message });
  await product.connect(transport);
  // Capabilities are final once connected; kept so list changes reach the session's event store while it is idle.
  const capabilities = server.getCapabilities();
  live.listChanged = {
    tools: capabilities.tools?.listChanged === true,
    prompts: capabilities.prompts?.listChanged === true,
    resources: capabilities.resources?.listChanged === true,
  };
  return pair;
}
