import { randomUUID } from 'node:crypto';
import type { SessionStore } from '../stores/types';

/**
 * Application sessions (`X-Archon-Session-Id`): the id a client keeps across protocol sessions.
 *
 * @example
 * ```ts
 * const appSessionId = await appSessions.claimForSession(requested, principalHash);
 * ```
 */
export class AppSessions {
  readonly #store: SessionStore;

  constructor(store: SessionStore) {
    this.#store = store;
  }

  /**
   * The app session id of a new protocol session. A well-formed id the store does not know is accepted as is
   * (clients choose their own ids); a known one is kept when still valid for this principal; an expired id, or
   * one bound to another principal, is replaced by a fresh crypto-random one.
   */
  async claimForSession(requested: string | undefined, principalHash: string | null): Promise<string> {
    if (requested === undefined) return randomUUID();
    const known = await this.#store.getByAppSessionId(requested);
    if (known === undefined) return requested;
    const expired = known.status === 'expired' || (known.status !== 'closed' && known.expiresAt <= Date.now());
    if (expired || known.principalHash !== principalHash) return randomUUID();
    return requested;
  }
}
