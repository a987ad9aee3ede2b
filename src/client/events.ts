/**
 * A tiny typed event emitter. Not `node:events`, so the client runs in browsers and edge runtimes;
 * listener storage is allocated on the first `on()`, so an idle client pays nothing for it.
 */

/**
 * Typed events: `on()` returns an unsubscribe function; a throwing listener never breaks the emitter.
 *
 * @example
 * ```ts
 * const events = new TypedEmitter<{ state: { to: string } }>();
 * const off = events.on('state', ({ to }) => console.log(to));
 * events.emit('state', { to: 'ready' });
 * off();
 * ```
 */
export class TypedEmitter<Events extends object> {
  #listeners: Map<keyof Events, Set<(payload: never) => void>> | undefined;

  /** Subscribes; returns the unsubscribe function. */
  on<Name extends keyof Events>(name: Name, listener: (payload: Events[Name]) => void): () => void {
    this.#listeners ??= new Map();
    let set = this.#listeners.get(name);
    if (!set) {
      set = new Set();
      this.#listeners.set(name, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  }

  /** Subscribes for one event only; returns the unsubscribe function. */
  once<Name extends keyof Events>(name: Name, listener: (payload: Events[Name]) => void): () => void {
    const off = this.on(name, (payload) => {
      off();
      listener(payload);
    });
    return off;
  }

  /** True when anyone listens to `name` (lets callers skip building payloads). */
  has(name: keyof Events): boolean {
    return (this.#listeners?.get(name)?.size ?? 0) > 0;
  }

  /** Calls every listener of `name` with `payload`. */
  emit<Name extends keyof Events>(name: Name, payload: Events[Name]): void {
    const set = this.#listeners?.get(name);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        (listener as (payload: Events[Name]) => void)(payload);
      } catch {
        // A listener's failure is the listener's: the client keeps running.
      }
    }
  }

  /** Drops every listener. */
  clear(): void {
    this.#listeners = undefined;
  }
}
