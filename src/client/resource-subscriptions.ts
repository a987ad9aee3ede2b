/**
 * Resource subscriptions in both eras, remembered so a recovered connection subscribes again. Legacy:
 * `resources/subscribe` and `resources/unsubscribe` RPCs, re-sent after a re-initialize. Modern (no such
 * RPCs in 2026-07-28): the set rides the `subscriptions/listen` filter, so a change re-sends the listen stream
 * and waits for the server's acknowledgement.
 */
import type { ClientCore } from './client-core';
import type { CoreRequestOptions } from './core-hooks';

/**
 * The subscribed URIs of one client.
 *
 * @example
 * ```ts
 * const subscriptions = new ResourceSubscriptions(core);
 * await subscriptions.subscribe('archon://status', {});
 * ```
 */
export class ResourceSubscriptions {
  readonly uris = new Set<string>();
  readonly #core: ClientCore;

  constructor(core: ClientCore) {
    this.#core = core;
  }

  async subscribe(uri: string, options: CoreRequestOptions): Promise<void> {
    const core = this.#core;
    if (core.state !== 'ready') await core.connectWithRetry(options.signal);
    if (core.era !== 'modern') {
      await core.request('resources/subscribe', { uri }, options);
      this.uris.add(uri);
      return;
    }
    const added = !this.uris.has(uri);
    this.uris.add(uri);
    try {
      await core.relisten(options.timeoutMs ?? core.options.timeoutMs);
    } catch (error) {
      // Not subscribed after all: put the stream back as it was, in the background.
      if (added) this.uris.delete(uri);
      core.relisten(core.options.timeoutMs).catch(() => {});
      throw error;
    }
  }

  async unsubscribe(uri: string, options: CoreRequestOptions): Promise<void> {
    this.uris.delete(uri);
    if (this.#core.era === 'modern') return this.#core.relisten(options.timeoutMs ?? this.#core.options.timeoutMs);
    await this.#core.request('resources/unsubscribe', { uri }, options);
  }
}
