import { randomUUID } from 'node:crypto';
import { LATEST_PROTOCOL_VERSION, SUPPORTED_PROTOCOL_VERSIONS, type AuthInfo, type JSONRPCMessage } from '@modelcontextprotocol/server';
import type { ServerMetrics } from '../observability/server-metrics';
import type { ResolvedSessionOptions } from '../session-options';
import type { Stores } from '../stores/index';
import type { SessionRecord } from '../stores/types';
import type { ActivityWriter } from './activity-writer';
import { MutableEventStore, STANDALONE_STREAM_ID } from './adopt-session';
import { LiveSession, type SessionPair } from './live-session';
import type { RequestLog } from './request-log';
import type { LiveSessionHooks, SessionFactoryDeps } from './session-factory';
import { SessionPairs } from './session-pairs';
import type { SessionStateTracker } from './session-state';

export interface SessionManagerDeps {
  options: ResolvedSessionOptions;
  stores: Stores;
  metrics: ServerMetrics;
  factory: SessionFactoryDeps;
  writer: ActivityWriter;
  requestLog: RequestLog;
  /** Keeps subscriptions and the logging level saved with the record. */
  state: SessionStateTracker;
  /** Takes over a notification a session's server sends (true: not sent by the session itself). */
  interceptNotification(live: LiveSession, message: JSONRPCMessage): boolean;
  /** False when the start-up self-test found adoption impossible with the installed SDK. */
  adoptionEnabled: boolean;
  /** Session lifecycle counts for `SessionHandler.stats()`. */
  onCreated(): void;
  onAdopted(): void;
  onExpired(count: number): void;
}

export interface NewSessionRequest {
  appSessionId: string;
  principalHash: string | null;
  initializeParams: Record<string, unknown>;
  requestInfo: Request;
  authInfo: AuthInfo | undefined;
}

function negotiatedVersion(params: Record<string, unknown>): string {
  const requested = params['protocolVersion'];
  // The same rule as the SDK's Server._oninitialize, so the record matches what the client was told.
  return typeof requested === 'string' && SUPPORTED_PROTOCOL_VERSIONS.includes(requested) ? requested : LATEST_PROTOCOL_VERSION;
}

/**
 * Owns the legacy sessions of this process: creates them at `initialize`, validates every later request (from
 * memory while the store confirmed it within `sessionCacheMs`, else against the store: exists, active,
 * unexpired, same principal), adopts store sessions that are not live here, and expires, evicts or drains them.
 *
 * @example
 * ```ts
 * const manager = new SessionManager(deps);
 * const live = await manager.find(sessionId, principalHash); // undefined -> answer 404
 * ```
 */
export class SessionManager {
  readonly #deps: SessionManagerDeps;
  readonly #live = new Map<string, LiveSession>();
  readonly #adopting = new Map<string, Promise<LiveSession | undefined>>();
  readonly #pairs: SessionPairs;

  constructor(deps: SessionManagerDeps) {
    this.#deps = deps;
    const { options, stores } = deps;
    this.#pairs = new SessionPairs({
      factory: deps.factory,
      hooks: this.#hooks,
      eventStoreFor: (sessionId) => (options.eventStore ? new MutableEventStore(stores.events.forSession(sessionId)) : undefined),
      idleServerMs: options.idleServerMs,
      releaseIdle: deps.adoptionEnabled,
      logger: options.logger,
    });
  }

  /** Legacy sessions known to this process, with or without a server instance now. */
  get liveCount(): number {
    return this.#live.size;
  }

  /** Sessions whose McpServer + transport are alive now (the others rebuild them on their next request). */
  get liveServers(): number {
    return this.#pairs.size;
  }

  /** Server instances built again for sessions that had released theirs while idle. */
  get serversRebuilt(): number {
    return this.#pairs.rebuilt;
  }

  /** Live sessions of this process (the notification bus delivers to them). */
  liveSessions(): IterableIterator<LiveSession> {
    return this.#live.values();
  }

  /** The pair serving `live` now, rebuilt from what this process holds when the session released it. */
  activate(live: LiveSession): Promise<SessionPair> {
    return this.#pairs.activate(live);
  }

  /** Releases the pairs idle for `idleServerMs` now; returns how many (also done on a timer). */
  releaseIdleServers(now = Date.now()): number {
    return this.#pairs.releaseIdle(now);
  }

  /**
   * Sends a server notification to a session's GET stream: through its transport when it has one, else into
   * its event store exactly as the transport stores it with no GET stream open, so a resuming GET replays it.
   */
  async deliver(live: LiveSession, message: JSONRPCMessage): Promise<void> {
    const pair = live.pair ?? (await live.activating?.catch(() => undefined));
    if (pair !== undefined) return pair.transport.deliver(message);
    if (!this.#deps.options.eventStore) return;
    await this.#deps.stores.events.forSession(live.sessionId).storeEvent(STANDALONE_STREAM_ID, message);
  }

  /** A session ready to handle the `initialize` POST; its record is written before the SDK answers. */
  async begin(request: NewSessionRequest): Promise<{ live: LiveSession; pair: SessionPair }> {
    const { options } = this.#deps;
    const now = Date.now();
    const live = new LiveSession({
      sessionId: randomUUID(),
      appSessionId: request.appSessionId,
      principalHash: request.principalHash,
      initializeParams: request.initializeParams,
      createdAt: now,
      expiresAt: now + options.sessionTtlMs,
      resumable: options.eventStore,
    });
    const pair = await this.#pairs.create(live, {
      requestInfo: request.requestInfo,
      authInfo: request.authInfo,
      onInitialized: async (initialized) => {
        try {
          await this.#create(initialized, request);
        } catch (error) {
          // The SDK turns a throwing hook into a 400; the endpoint answers this error instead (503 when the store is down).
          initialized.creationError = error;
          throw error;
        }
      },
    });
    return { live, pair };
  }

  async #create(live: LiveSession, request: NewSessionRequest): Promise<void> {
    const { options } = this.#deps;
    const { sessionId, createdAt } = live;
    await this.#deps.stores.sessions.create({
      sessionId,
      appSessionId: request.appSessionId,
      principalHash: request.principalHash,
      initializeParams: request.initializeParams,
      protocolVersion: negotiatedVersion(request.initializeParams),
      createdAt,
      lastActivityAt: createdAt,
      expiresAt: live.expiresAt,
      status: 'active',
      disconnectReason: null,
      ownerInstance: options.instanceId,
      state: { subscriptions: [], loggingLevel: null },
    });
    live.requestCount = 1;
    this.#live.set(sessionId, live);
    this.#deps.onCreated();
    this.#deps.metrics.sessionsCreated.inc();
    options.logger.debug?.({ msg: 'session created', sessionId, appSessionId: request.appSessionId });
  }

  /**
   * The live session for a request after validating it; adopts it when it is valid in the store but not live
   * here. Undefined means "answer 404".
   */
  async find(sessionId: string, principalHash: string | null): Promise<LiveSession | undefined> {
    const stopTimer = this.#deps.metrics.validationDuration.startTimer();
    try {
      const now = Date.now();
      const cached = this.#live.get(sessionId);
      if (cached !== undefined && now - cached.validatedAt < this.#deps.options.sessionCacheMs) {
        // Served from memory: another principal presenting a stolen or guessed id learns nothing (same 404).
        if (cached.principalHash !== principalHash) return undefined;
        if (cached.expiresAt <= now) return await this.#expireOnUse(sessionId);
        return this.#touch(cached, now);
      }
      const record = await this.#deps.stores.sessions.get(sessionId);
      if (record === undefined) {
        // The store no longer knows it (emptied, purged): this copy is stale.
        await this.#closeLive(sessionId);
        return undefined;
      }
      if (record.principalHash !== principalHash) return undefined;
      if (record.status === 'closed' || record.status === 'expired') {
        await this.#closeLive(sessionId);
        return undefined;
      }
      const live = this.#live.get(sessionId);
      // The store's expiry may lag this process's own activity by one write-behind batch.
      const expiresAt = Math.max(record.expiresAt, live?.expiresAt ?? 0);
      if (expiresAt <= now) return this.#expireOnUse(sessionId);
      const found = live ?? (await this.#adoptOnce(record));
      if (found === undefined) return undefined;
      found.validatedAt = now;
      return this.#touch(found, now);
    } finally {
      stopTimer();
    }
  }

  /**
   * Stops trusting cached validations: the next request of every live session asks the store again. Called
   * when the store failed, so an outage answers 503 and a store that came back empty answers 404.
   */
  distrust(): void {
    for (const live of this.#live.values()) live.validatedAt = 0;
  }

  /** Marks sessions expired (all live ones when no id is given) and drops them; returns how many. */
  async expire(sessionId?: string): Promise<number> {
    const ids = sessionId === undefined ? [...this.#live.keys()] : [sessionId];
    let expired = 0;
    for (const id of ids) {
      const record = await this.#deps.stores.sessions.get(id);
      if (record === undefined && !this.#live.has(id)) continue;
      await this.#deps.stores.sessions.setStatus(id, 'expired', 'forced');
      // The application session goes with it: a client re-initializing with the id gets a fresh one.
      const appSessionId = record?.appSessionId ?? this.#live.get(id)?.appSessionId;
      if (appSessionId !== undefined) await this.#deps.stores.sessions.expireAppSession(appSessionId);
      await this.#closeLive(id);
      this.#deps.metrics.sessionsExpired.inc();
      this.#deps.onExpired(1);
      expired += 1;
    }
    return expired;
  }

  /** Regular cleanup tier: expires store sessions past their expiry and drops the live ones among them. */
  async expireDue(now: number): Promise<number> {
    // Activity is written behind: push it out first, so a busy session here is never expired by its stale record.
    await this.#deps.writer.flush();
    const ids = await this.#deps.stores.sessions.expire(now);
    for (const id of ids) await this.#closeLive(id);
    this.#deps.metrics.sessionsExpired.inc(ids.length);
    this.#deps.onExpired(ids.length);
    return ids.length;
  }

  /** Fast cleanup tier: drops idle local transports; their records stay and can be adopted again. */
  async evictIdle(now: number): Promise<number> {
    let evicted = 0;
    for (const live of [...this.#live.values()]) {
      if (live.inFlight === 0 && now - live.lastActivityAt >= this.#deps.options.idleTransportMs) {
        await this.#closeLive(live.sessionId);
        evicted += 1;
      }
    }
    return evicted;
  }

  /** Drops a session from this process (its record stays; a later request adopts it again if it can). */
  forget(sessionId: string): Promise<void> {
    return this.#closeLive(sessionId);
  }

  /** Graceful shutdown: records become `draining` (not deleted) so a restarted or other instance adopts them. */
  async drain(): Promise<void> {
    this.#pairs.stop();
    await this.#deps.writer.flush();
    for (const live of [...this.#live.values()]) {
      await this.#deps.stores.sessions.setStatus(live.sessionId, 'draining', 'shutdown').catch(() => undefined);
      await this.#closeLive(live.sessionId);
    }
  }

  /** JSON-RPC requests in flight across live sessions. */
  inFlight(): number {
    let total = 0;
    for (const live of this.#pairs.withPairs()) total += live.inFlight;
    return total;
  }


  #touch(live: LiveSession, now: number): LiveSession {
    live.requestCount += 1;
    live.lastActivityAt = now;
    live.pairUsedAt = now;
    live.expiresAt = now + this.#deps.options.sessionTtlMs;
    this.#deps.writer.touch({ kind: 'session', sessionId: live.sessionId, lastActivityAt: now, expiresAt: live.expiresAt });
    this.#deps.writer.touch({ kind: 'app', sessionId: live.appSessionId, lastActivityAt: now, expiresAt: live.expiresAt });
    return live;
  }

  async #expireOnUse(sessionId: string): Promise<undefined> {
    await this.#deps.stores.sessions.setStatus(sessionId, 'expired', 'ttl');
    this.#deps.metrics.sessionsExpired.inc();
    this.#deps.onExpired(1);
    await this.#closeLive(sessionId);
    return undefined;
  }

  #adoptOnce(record: SessionRecord): Promise<LiveSession | undefined> {
    let pending = this.#adopting.get(record.sessionId);
    if (pending === undefined) {
      pending = this.#adopt(record).finally(() => this.#adopting.delete(record.sessionId));
      this.#adopting.set(record.sessionId, pending);
    }
    return pending;
  }

  async #adopt(record: SessionRecord): Promise<LiveSession | undefined> {
    if (!this.#deps.adoptionEnabled) return undefined;
    const { sessionId } = record;
    const { options } = this.#deps;
    const live = new LiveSession({
      sessionId,
      appSessionId: record.appSessionId,
      principalHash: record.principalHash,
      initializeParams: record.initializeParams,
      createdAt: record.createdAt,
      expiresAt: record.expiresAt,
      resumable: options.eventStore,
    });
    const state = record.state ?? { subscriptions: [], loggingLevel: null };
    for (const uri of state.subscriptions) live.subscriptions.add(uri);
    live.loggingLevel = state.loggingLevel;
    try {
      await this.#pairs.activate(live);
    } catch (error) {
      options.logger.warn?.({ msg: 'session adoption failed', sessionId, error: String(error) });
      await live.close().catch(() => undefined);
      return undefined;
    }
    const { sessions } = this.#deps.stores;
    if (record.status !== 'active') await sessions.setStatus(sessionId, 'active', null);
    await sessions.setOwner(sessionId, options.instanceId);
    live.validatedAt = Date.now();
    this.#live.set(sessionId, live);
    this.#deps.onAdopted();
    this.#deps.metrics.sessionsRecovered.inc();
    options.logger.info?.({ msg: 'session adopted', sessionId, previousOwner: record.ownerInstance });
    return live;
  }

  /** What every session of this manager reports to, and how it ends. */
  readonly #hooks: LiveSessionHooks = {
    requestReceived: (live, message) => this.#deps.state.requestReceived(live, message),
    responseSent: (live, id) => {
      live.pairUsedAt = Date.now();
      this.#deps.requestLog.complete(live.sessionId, id);
    },
    beforeResponse: (live, id, message) => this.#deps.state.beforeResponse(live, id, message),
    interceptNotification: (live, message) => this.#deps.interceptNotification(live, message),
    onDeleted: async (live) => {
      this.#deps.options.logger.debug?.({ msg: 'session deleted by client', sessionId: live.sessionId });
      // Sent together: one round trip on a networked store (they go out in this order on one connection).
      const { sessions, events } = this.#deps.stores;
      await Promise.all([sessions.setStatus(live.sessionId, 'closed', 'client-delete'), events.deleteSession(live.sessionId)]);
    },
    onClosed: (live, pair) => {
      // A pair released while idle: the session lives on without it.
      if (!this.#pairs.closed(live, pair)) return;
      live.ended = true;
      this.#deps.requestLog.flushSession(live.sessionId);
      if (this.#live.get(live.sessionId) === live) this.#live.delete(live.sessionId);
    },
  };

  async #closeLive(sessionId: string): Promise<void> {
    const live = this.#live.get(sessionId);
    if (live === undefined) return;
    this.#live.delete(sessionId);
    await live.close();
  }
}
