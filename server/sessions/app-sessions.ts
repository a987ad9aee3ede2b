import { randomUUID } from 'node:crypto';
import type { NewSessionRefusal } from '../http/new-session-limits';
import type { ResolvedSessionOptions } from '../session-options';
import type { SessionStore } from '../stores/types';
import type { ActivityWriter } from './activity-writer';

/** One app session this process has seen recently: what validating, rate-limiting and tracking it need. */
interface CachedAppSession {
  principalHash: string | null;
  expiresAt: number;
  lastActivityAt: number;
  /** Epoch ms the store last confirmed it (the validation cache). */
  validatedAt: number;
  windowStartedAt: number;
  windowRequests: number;
}

/**
 * The app session of one modern request: the id to serve it under and echo (a fresh one when the requested id
 * was foreign or expired), or a refusal.
 *
 * @example
 * ```ts
 * const outcome: AppSessionOutcome = await appSessions.forRequest('app-1', null);
 * ```
 */
export type AppSessionOutcome =
  | { ok: true; appSessionId: string }
  | { ok: false; reason: 'refused'; refusal: NewSessionRefusal }
  | { ok: false; reason: 'rate-limited'; retryAfterMs: number };

/**
 * Application sessions (`X-Archon-Session-Id`): the id a client keeps across protocol sessions in the legacy era,
 * and the ONLY session of the modern era, where request tracking, the per-session rate limit and principal
 * binding hang on it. Claims are atomic in the store (a unique key or a script): of concurrent claims of one free
 * id by two principals exactly one wins, the other gets a fresh id. Modern validation is served from memory
 * while the store confirmed the id within `sessionCacheMs`.
 *
 * @example
 * ```ts
 * const appSessions = new AppSessions(store, writer, options);
 * const appSessionId = await appSessions.claimForSession(requested, principalHash);
 * ```
 */
export class AppSessions {
  readonly #store: SessionStore;
  readonly #writer: ActivityWriter;
  readonly #options: ResolvedSessionOptions;
  readonly #cache = new Map<string, CachedAppSession>();

  constructor(store: SessionStore, writer: ActivityWriter, options: ResolvedSessionOptions) {
    this.#store = store;
    this.#writer = writer;
    this.#options = options;
  }

  /** Modern app sessions active in this process. */
  get liveCount(): number {
    return this.#cache.size;
  }

  /**
   * The app session id of a new legacy protocol session. A well-formed id nobody holds is claimed as is (clients
   * choose their own ids); one this principal holds is kept; an expired id, or one another principal holds, is
   * replaced by a fresh crypto-random one.
   */
  async claimForSession(requested: string | undefined, principalHash: string | null): Promise<string> {
    // Not cached: a legacy session validates through its protocol session, and counts once toward capacity.
    // Acknowledged only with the `initialize` answer, after `create` of the protocol session: that write syncs it.
    return this.#claim(requested ?? randomUUID(), principalHash, Date.now(), false);
  }

  /** Validates (from memory when it can), rate-limits and records one modern request's app session. */
  async forRequest(requested: string, principalHash: string | null, refuseNew: () => NewSessionRefusal | undefined): Promise<AppSessionOutcome> {
    const now = Date.now();
    let appSessionId = requested;
    let cached = this.#cache.get(requested);
    const trusted = cached !== undefined && now - cached.validatedAt < this.#options.sessionCacheMs;
    if (cached === undefined || !trusted || cached.principalHash !== principalHash || cached.expiresAt <= now) {
      if (cached === undefined) {
        const refusal = refuseNew();
        if (refusal !== undefined) return { ok: false, reason: 'refused', refusal };
      }
      appSessionId = await this.#claim(requested, principalHash, now, true);
      cached = this.#cache.get(appSessionId);
      if (cached === undefined) {
        const retryAfterSeconds = Math.max(1, Math.ceil(this.#options.retryIntervalMs / 1_000));
        return { ok: false, reason: 'refused', refusal: { status: 503, message: 'Server is shutting down', retryAfterSeconds } };
      }
    }
    if (now - cached.windowStartedAt >= this.#options.rateLimitWindowMs) {
      cached.windowStartedAt = now;
      cached.windowRequests = 0;
    }
    cached.windowRequests += 1;
    if (cached.windowRequests > this.#options.rateLimitRequests) {
      return { ok: false, reason: 'rate-limited', retryAfterMs: Math.max(0, cached.windowStartedAt + this.#options.rateLimitWindowMs - now) };
    }
    cached.lastActivityAt = now;
    cached.expiresAt = now + this.#options.sessionTtlMs;
    this.#writer.touch({ kind: 'app', sessionId: appSessionId, lastActivityAt: now, expiresAt: cached.expiresAt });
    return { ok: true, appSessionId };
  }

  /** Forced expiry (the app session of a force-expired protocol session). */
  async expire(appSessionId: string): Promise<void> {
    this.#cache.delete(appSessionId);
    await this.#store.expireAppSession(appSessionId);
  }

  /** Stops trusting cached validations (the store failed). */
  distrust(): void {
    for (const cached of this.#cache.values()) cached.validatedAt = 0;
  }

  /** Fast cleanup tier: forgets app sessions idle longer than `idleTransportMs` (the store keeps them). */
  evictIdle(now: number): number {
    let evicted = 0;
    for (const [id, cached] of this.#cache) {
      if (now - cached.lastActivityAt >= this.#options.idleTransportMs) {
        this.#cache.delete(id);
        evicted += 1;
      }
    }
    return evicted;
  }

  /** `cache`: a modern request's claim, acknowledged at once (synced on its own); else a legacy session's. */
  async #claim(requested: string, principalHash: string | null, now: number, cache: boolean): Promise<string> {
    const expiresAt = now + this.#options.sessionTtlMs;
    const syncWithNextWrite = !cache;
    let claim = await this.#store.claimAppSession({ appSessionId: requested, principalHash, now, expiresAt, syncWithNextWrite });
    if (claim.outcome === 'foreign' || claim.outcome === 'expired') {
      // A fresh crypto-random id is free by construction; the claim still goes through the store atomically.
      claim = await this.#store.claimAppSession({ appSessionId: randomUUID(), principalHash, now, expiresAt, syncWithNextWrite });
    }
    const { record } = claim;
    if (!cache) return record.appSessionId;
    this.#cache.set(record.appSessionId, {
      principalHash: record.principalHash,
      expiresAt: record.expiresAt,
      lastActivityAt: now,
      validatedAt: now,
      windowStartedAt: 0,
      windowRequests: 0,
    });
    return record.appSessionId;
  }
}
