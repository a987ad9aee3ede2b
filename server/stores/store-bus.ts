/**
 * What the cross-instance buses share: the SDK's `ServerEventBus` contract (publish/subscribe of change events)
 * over a broker, with local delivery at once and the broker's copy of our own events ignored, and every event
 * from the broker checked before it reaches a listener.
 */
import { randomUUID } from 'node:crypto';
import { InMemoryServerEventBus, type ServerEvent, type ServerEventBus } from '@modelcontextprotocol/server';

/**
 * A `ServerEventBus` the session layer can close with its store.
 *
 * @example
 * ```ts
 * const bus: StoreEventBus = new InProcessEventBus();
 * bus.subscribe((event) => console.log(event.kind));
 * await bus.close();
 * ```
 */
export interface StoreEventBus extends ServerEventBus {
  close(): Promise<void>;
}

/** Longest resource URI carried across instances (PostgreSQL NOTIFY payloads stop at 8,000 bytes). */
export const MAX_BUS_URI_LENGTH = 4_096;

const KINDS = new Set(['tools_list_changed', 'prompts_list_changed', 'resources_list_changed', 'resource_updated']);

/** One event as it travels between instances. */
interface Envelope {
  origin: string;
  event: ServerEvent;
}

/**
 * The events of one process, for stores no other process shares (memory, file, pglite): the SDK's in-memory bus, closable.
 *
 * @example
 * ```ts
 * const bus = new InProcessEventBus();
 * ```
 */
export class InProcessEventBus extends InMemoryServerEventBus implements StoreEventBus {
  async close(): Promise<void> {}
}

/**
 * The shared half of a broker-backed bus: local listeners, the origin tag, encoding and decoding.
 *
 * @example
 * ```ts
 * class MyBus extends BrokerEventBus { protected send(payload: string) { broker.publish(payload); } }
 * ```
 */
export abstract class BrokerEventBus implements StoreEventBus {
  readonly #local: InMemoryServerEventBus;
  readonly #origin = randomUUID();
  readonly #onError: (error: Error) => void;

  constructor(onError: (error: Error) => void) {
    this.#onError = onError;
    this.#local = new InMemoryServerEventBus(onError);
  }

  publish(event: ServerEvent): void {
    this.#local.publish(event);
    const uri = event.kind === 'resource_updated' ? event.uri : undefined;
    if (uri !== undefined && uri.length > MAX_BUS_URI_LENGTH) {
      this.#onError(new Error(`resource URI longer than ${MAX_BUS_URI_LENGTH} characters: delivered on this instance only`));
      return;
    }
    const envelope: Envelope = { origin: this.#origin, event: uri === undefined ? { kind: event.kind } as ServerEvent : { kind: 'resource_updated', uri } };
    this.send(JSON.stringify(envelope)).catch((error: unknown) => this.#onError(error instanceof Error ? error : new Error(String(error))));
  }

  subscribe(listener: (event: ServerEvent) => void): () => void {
    return this.#local.subscribe(listener);
  }

  abstract close(): Promise<void>;

  /** Hands a payload to the broker. */
  protected abstract send(payload: string): Promise<void>;

  /** A payload from the broker: checked, then delivered here unless it is our own. */
  protected received(payload: string): void {
    let envelope: Partial<Envelope>;
    try {
      envelope = JSON.parse(payload) as Partial<Envelope>;
    } catch {
      this.#onError(new Error('ignored an unreadable bus event'));
      return;
    }
    if (envelope.origin === this.#origin) return;
    const event = envelope.event as Partial<{ kind: unknown; uri: unknown }> | undefined;
    if (event === undefined || typeof event.kind !== 'string' || !KINDS.has(event.kind)) {
      this.#onError(new Error('ignored a bus event of unknown kind'));
      return;
    }
    if (event.kind === 'resource_updated') {
      if (typeof event.uri !== 'string' || event.uri.length > MAX_BUS_URI_LENGTH) return;
      this.#local.publish({ kind: 'resource_updated', uri: event.uri });
      return;
    }
    this.#local.publish({ kind: event.kind } as ServerEvent);
  }
}
