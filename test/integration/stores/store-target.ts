/**
 * What the shared store contract needs from a backend. Each backend test file builds one target and
 * hands it to `defineStoreContract`.
 */
import type { SessionEventStore, SessionStore, EventStoreLimits } from '../../../server/stores/types';

/** Knobs the contract turns when it opens stores. */
export interface TargetOptions {
  limits?: Partial<EventStoreLimits>;
  /** The event store's clock (timestamps and replay TTL). */
  now?: () => number;
  /** Request records kept per session, where the backend lets us choose. */
  maxRequestsPerSession?: number;
}

export interface OpenedStores {
  sessions: SessionStore;
  events: SessionEventStore;
  /** Request records these stores keep per session (the memory store's is fixed at 1,000). */
  requestCap: number;
}

export interface StoreTarget {
  readonly name: string;
  /** Initialised stores over an empty namespace: a fresh database, key prefix, or wiped tables. */
  openEmpty(options?: TargetOptions): Promise<OpenedStores>;
  /**
   * Another instance over the namespace of the last `openEmpty()`: a second server sharing the
   * backend, or the same server after a restart. Absent where nothing is shared (memory).
   */
  openPeer?(options?: TargetOptions): Promise<OpenedStores>;
  /**
   * The namespace of the last `openEmpty()` opened again once its stores are closed: the same server
   * after a restart. Defaults to `openPeer`; a backend that allows one process per namespace (the file
   * store's directory lock) has only this.
   */
  reopen?(options?: TargetOptions): Promise<OpenedStores>;
}

/**
 * Wraps a target so every store it opens is closed after the test, opened-first last.
 *
 * @example
 * ```ts
 * const tracked = trackStores(target);
 * afterEach(() => tracked.closeAll());
 * ```
 */
export function trackStores(target: StoreTarget): StoreTarget & { closeAll(): Promise<void> } {
  const opened: OpenedStores[] = [];
  const track = async (open: Promise<OpenedStores>) => {
    const stores = await open;
    opened.push(stores);
    return stores;
  };
  const openPeer = target.openPeer?.bind(target);
  const reopen = target.reopen?.bind(target);
  return {
    name: target.name,
    openEmpty: (options) => track(target.openEmpty(options)),
    ...(openPeer !== undefined && { openPeer: (options?: TargetOptions) => track(openPeer(options)) }),
    ...(reopen !== undefined && { reopen: (options?: TargetOptions) => track(reopen(options)) }),
    closeAll: async () => {
      for (const stores of opened.splice(0).reverse()) {
        await stores.events.close();
        await stores.sessions.close();
      }
    },
  };
}
