import type { JSONRPCMessage, RequestId, Server } from '@modelcontextprotocol/server';
import type { SessionStore } from '../stores/types';
import type { LiveSession } from './live-session';

/** The requests that change what a session remembers after `initialize`. */
const STATE_METHODS = new Set(['resources/subscribe', 'resources/unsubscribe', 'logging/setLevel']);

interface PendingChange {
  method: string;
  params: Record<string, unknown>;
}

function stringParam(params: Record<string, unknown>, name: string): string | undefined {
  const value = params[name];
  return typeof value === 'string' ? value : undefined;
}

/**
 * Keeps each legacy session's state (resource subscriptions, logging level) in step with what YOUR server
 * accepted, and saves it with the session record BEFORE the client is told it succeeded, so an adoption after
 * a crash restores exactly what was acknowledged. Observes the JSON-RPC traffic; never answers for your server.
 *
 * @example
 * ```ts
 * const state = new SessionStateTracker(store);
 * state.requestReceived(live, message);
 * await state.beforeResponse(live, id, response);
 * ```
 */
export class SessionStateTracker {
  readonly #store: SessionStore;
  readonly #pending = new WeakMap<LiveSession, Map<RequestId, PendingChange>>();

  constructor(store: SessionStore) {
    this.#store = store;
  }

  requestReceived(live: LiveSession, message: JSONRPCMessage & { id: RequestId; method: string }): void {
    if (!STATE_METHODS.has(message.method)) return;
    let pending = this.#pending.get(live);
    if (pending === undefined) {
      pending = new Map();
      this.#pending.set(live, pending);
    }
    const params = 'params' in message && typeof message.params === 'object' && message.params !== null ? (message.params as Record<string, unknown>) : {};
    pending.set(message.id, { method: message.method, params });
  }

  /**
   * Applies an accepted change and saves it; the promise resolves when it is durable (the response waits for
   * this). Undefined when the response changes no state: no promise, no microtask, on the common path.
   */
  beforeResponse(live: LiveSession, id: RequestId, response: JSONRPCMessage): Promise<void> | undefined {
    const pending = this.#pending.get(live);
    const change = pending?.get(id);
    if (change === undefined) return undefined;
    pending?.delete(id);
    if (!('result' in response)) return undefined;
    if (!this.#apply(live, change)) return undefined;
    return this.#store.saveSessionState(live.sessionId, {
      subscriptions: [...live.subscriptions],
      loggingLevel: live.loggingLevel,
    });
  }

  /** True when the change altered the session's state. */
  #apply(live: LiveSession, change: PendingChange): boolean {
    if (change.method === 'logging/setLevel') {
      const level = stringParam(change.params, 'level');
      if (level === undefined || level === live.loggingLevel) return false;
      live.loggingLevel = level;
      return true;
    }
    const uri = stringParam(change.params, 'uri');
    if (uri === undefined) return false;
    if (change.method === 'resources/subscribe') {
      if (live.subscriptions.has(uri)) return false;
      live.subscriptions.add(uri);
      return true;
    }
    return live.subscriptions.delete(uri);
  }
}

/**
 * When your server declares `resources: { subscribe: true }` but registers no handler for the two verbs, the
 * session layer's bookkeeping is all it needs: answer them with success and let the tracker remember. A server
 * with its own handlers keeps them (they are replayed on adoption, so their state comes back too).
 *
 * @example
 * ```ts
 * installDefaultSubscriptionHandlers(lowLevelServer(product));
 * ```
 */
export function installDefaultSubscriptionHandlers(server: Server): void {
  if (server.getCapabilities().resources?.subscribe !== true) return;
  // The SDK only says "already set" by throwing: without a stack to capture, that costs ~1 us, not ~15 us
  // (it runs for every session server, and a server that subscribes itself throws twice).
  const unset: ('resources/subscribe' | 'resources/unsubscribe')[] = [];
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    for (const method of ['resources/subscribe', 'resources/unsubscribe'] as const) {
      try {
        server.assertCanSetRequestHandler(method);
        unset.push(method);
      } catch {
        // Your server handles it.
      }
    }
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
  for (const method of unset) server.setRequestHandler(method, () => ({}));
}
