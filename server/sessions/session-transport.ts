import {
  WebStandardStreamableHTTPServerTransport,
  type JSONRPCMessage,
  type RequestId,
  type TransportSendOptions,
  type WebStandardStreamableHTTPServerTransportOptions,
} from '@modelcontextprotocol/server';

// Structural checks, not the SDK's zod guards: these run on every message, and the SDK has validated them.
function isRequest(message: JSONRPCMessage): message is JSONRPCMessage & { id: RequestId; method: string } {
  return 'method' in message && 'id' in message && message.id !== undefined;
}

function isResponse(message: JSONRPCMessage): message is JSONRPCMessage & { id: RequestId } {
  return ('result' in message || 'error' in message) && 'id' in message && message.id !== undefined && message.id !== null;
}

/**
 * What the session layer learns from one session's traffic, at the JSON-RPC level (HTTP framing is the SDK's).
 *
 * @example
 * ```ts
 * const observer: SessionTrafficObserver = { requestReceived: () => {}, responseSent: (id) => log.complete(sessionId, id) };
 * ```
 */
export interface SessionTrafficObserver {
  /** A JSON-RPC request reached the server. */
  requestReceived(message: JSONRPCMessage & { id: RequestId; method: string }): void;
  /** The response to request `id` is about to be written (or stored for replay). */
  responseSent(id: RequestId, message: JSONRPCMessage): void;
}

/**
 * Hooks on the outgoing side: the session layer may hold a response until state it implies is durable
 * (`resources/subscribe`), and may take over server notifications (`notifications/resources/updated` fans
 * out to every subscriber through the notification bus).
 *
 * @example
 * ```ts
 * const outgoing: SessionOutgoingHooks = { beforeResponse: async () => {}, interceptNotification: () => false };
 * ```
 */
export interface SessionOutgoingHooks {
  /** Awaited before the response to `id` is sent; undefined when there is nothing to wait for (most responses). */
  beforeResponse(id: RequestId, message: JSONRPCMessage): Promise<void> | undefined;
  /** Returns true when the layer took the notification over (it is then not sent here). */
  interceptNotification(message: JSONRPCMessage): boolean;
}

/**
 * The SDK's web-standard sessionful transport, with the session layer's eyes on it: counts JSON-RPC requests
 * in flight (graceful drain, idle eviction), reports each response (request tracking) and routes the session's
 * outgoing notifications. Everything else is the SDK's own behaviour, unchanged.
 *
 * @example
 * ```ts
 * const transport = new SessionTransport({ sessionIdGenerator: () => sessionId }, observer, outgoing);
 * await server.connect(transport);
 * ```
 */
export class SessionTransport extends WebStandardStreamableHTTPServerTransport {
  readonly #observer: SessionTrafficObserver;
  readonly #outgoing: SessionOutgoingHooks;
  readonly #pending = new Set<RequestId>();
  /** Server->client requests (elicitation, sampling, roots) sent and not yet answered. */
  readonly #awaitingClient = new Set<RequestId>();

  constructor(
    options: WebStandardStreamableHTTPServerTransportOptions,
    observer: SessionTrafficObserver,
    outgoing: SessionOutgoingHooks,
  ) {
    super(options);
    this.#observer = observer;
    this.#outgoing = outgoing;
    // Protocol.connect chains an onmessage set before it, so this sees every inbound message first.
    this.onmessage = (message) => {
      if (isRequest(message)) {
        this.#pending.add(message.id);
        observer.requestReceived(message);
      } else if (isResponse(message)) {
        this.#awaitingClient.delete(message.id);
      }
    };
  }

  /** JSON-RPC requests received and not yet answered. */
  get inFlight(): number {
    return this.#pending.size;
  }

  /** Server->client requests sent and not yet answered by the client. */
  get awaitingClient(): number {
    return this.#awaitingClient.size;
  }

  override async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    if (isResponse(message)) {
      const { id } = message;
      if (this.#pending.delete(id)) {
        const durable = this.#outgoing.beforeResponse(id, message);
        if (durable !== undefined) await durable;
        this.#observer.responseSent(id, message);
      }
    } else if (isRequest(message)) {
      this.#awaitingClient.add(message.id);
    } else if ('method' in message) {
      if (message.method === 'notifications/cancelled') {
        // The SDK gave up on one of its requests (timeout, abort): no answer is awaited any more.
        const requestId = (message.params as { requestId?: RequestId } | undefined)?.requestId;
        if (requestId !== undefined) this.#awaitingClient.delete(requestId);
      }
      if (this.#outgoing.interceptNotification(message)) return;
    }
    await super.send(message, options);
  }

  /** Sends a server notification on this session, bypassing interception (the notification bus delivering). */
  deliver(message: JSONRPCMessage): Promise<void> {
    return super.send(message);
  }
}
