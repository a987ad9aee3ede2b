import type { JSONRPCMessage, ServerEvent, ServerEventBus, ServerNotifier } from '@modelcontextprotocol/server';
import type { ServerLogger } from '../session-options';
import type { LiveSession } from './live-session';

/** The notification each bus event becomes on a 2025 GET stream, and the capability that must announce it. */
const LIST_CHANGED: Record<Exclude<ServerEvent['kind'], 'resource_updated'>, { method: string; capability: 'tools' | 'prompts' | 'resources' }> = {
  tools_list_changed: { method: 'notifications/tools/list_changed', capability: 'tools' },
  prompts_list_changed: { method: 'notifications/prompts/list_changed', capability: 'prompts' },
  resources_list_changed: { method: 'notifications/resources/list_changed', capability: 'resources' },
};

/**
 * The legacy sessions of this process, and how a notification reaches one (its transport, or its event store
 * while it has released its server).
 *
 * @example
 * ```ts
 * const targets: NotificationTargets = { sessions: () => manager.liveSessions(), deliver: (live, message) => manager.deliver(live, message) };
 * ```
 */
export interface NotificationTargets {
  sessions(): Iterable<LiveSession>;
  deliver(live: LiveSession, message: JSONRPCMessage): Promise<void>;
}

/**
 * Change notifications, whatever era the subscriber speaks and whichever instance it is on: everything goes
 * through ONE bus (the SDK's `ServerEventBus` contract; in-process, or Redis pub/sub / PostgreSQL LISTEN/NOTIFY
 * when instances share a store). The SDK's listen router reads the bus for 2026-07-28 `subscriptions/listen`
 * streams; this router reads it for the 2025 GET streams of the sessions live here: list changes to every
 * session whose server announces them, `resources/updated` to the sessions subscribed to the URI (restored
 * subscriptions of adopted sessions included).
 *
 * A session's own `sendResourceUpdated` (the SDK's route, from inside a tool) is published on the bus too, so
 * it reaches every subscriber of the URI, not only the session that made the change.
 *
 * @example
 * ```ts
 * const router = new NotificationRouter(bus, { sessions: () => manager.liveSessions(), deliver: (live, message) => manager.deliver(live, message) }, logger);
 * router.notify.resourceUpdated('notes://all');
 * ```
 */
export class NotificationRouter {
  readonly #bus: ServerEventBus;
  readonly #targets: NotificationTargets;
  readonly #logger: ServerLogger;
  readonly #unsubscribe: () => void;
  readonly notify: ServerNotifier;

  constructor(bus: ServerEventBus, targets: NotificationTargets, logger: ServerLogger) {
    this.#bus = bus;
    this.#targets = targets;
    this.#logger = logger;
    this.#unsubscribe = bus.subscribe((event) => this.#deliver(event));
    this.notify = {
      toolsChanged: () => bus.publish({ kind: 'tools_list_changed' }),
      promptsChanged: () => bus.publish({ kind: 'prompts_list_changed' }),
      resourcesChanged: () => bus.publish({ kind: 'resources_list_changed' }),
      resourceUpdated: (uri) => bus.publish({ kind: 'resource_updated', uri }),
    };
  }

  /** For a session's outgoing notification: true when the bus took it over. */
  intercept(message: JSONRPCMessage): boolean {
    if (!('method' in message) || message.method !== 'notifications/resources/updated') return false;
    const uri = (message.params as { uri?: unknown } | undefined)?.uri;
    if (typeof uri !== 'string') return false;
    this.#bus.publish({ kind: 'resource_updated', uri });
    return true;
  }

  close(): void {
    this.#unsubscribe();
  }

  #deliver(event: ServerEvent): void {
    let message: JSONRPCMessage;
    let wants: (live: LiveSession) => boolean;
    if (event.kind === 'resource_updated') {
      message = { jsonrpc: '2.0', method: 'notifications/resources/updated', params: { uri: event.uri } };
      wants = (live) => live.subscriptions.has(event.uri);
    } else {
      const { method, capability } = LIST_CHANGED[event.kind];
      message = { jsonrpc: '2.0', method };
      wants = (live) => live.listChanged[capability];
    }
    for (const live of this.#targets.sessions()) {
      if (!wants(live)) continue;
      this.#targets.deliver(live, message).catch((error: unknown) => {
        this.#logger.debug?.({ msg: 'notification not delivered', sessionId: live.sessionId, method: message.method, error: String(error) });
      });
    }
  }
}
