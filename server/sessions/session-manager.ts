import { randomUUID } from 'node:crypto';
import type { NodeStreamableHTTPServerTransport } from '@modelcontextprotocol/node';
import { LATEST_PROTOCOL_VERSION, SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/server';
import type { CounterLedger } from '../mcp/counter-ledger';
import type { ServerMetrics } from '../observability/server-metrics';
import type { ResolvedServerOptions } from '../options';
import type { Stores } from '../stores/index';
import type { SessionRecord } from '../stores/types';
import type { ServerStats } from '../testing/server-stats';
import { adoptSession } from './adopt-session';
import { LiveSession } from './live-session';
import { buildSessionPair, type SessionFactoryDeps } from './session-factory';

export interface SessionManagerDeps {
  options: ResolvedServerOptions;
  stores: Stores;
  stats: ServerStats;
  metrics: ServerMetrics;
  counter: CounterLedger;
  startedAt: number;
  /** False when the start-up self-test found the SDK internals adoption needs missing. */
  adoptionEnabled: boolean;
}

export interface NewSessionRequest {
  appSessionId: string;
  principalHash: string | null;
  initializeParams: Record<string, unknown>;
}

function negotiatedVersion(params: Record<string, unknown>): string {
  const requested = params['protocolVersion'];
  // The same rule as the SDK's Server._oninitialize, so the record matches what the client was told.
  return typeof requested === 'string' && SUPPORTED_PROTOCOL_VERSIONS.includes(requested) ? requested : LATEST_PROTOCOL_VERSION;
}

/**
 * Owns the sessions of this process: creates them at `initialize`, validates every later request
 * against the store (exists, active, unexpired, same principal), adopts store sessions that are not
 * live here, and expires, evicts or drains them.
 *
 * @example
 * ```ts
 * const manager = new SessionManager(deps);
 * const live = await manager.find(sessionId, principalHash); // undefined -> answer 404
 * ```
 */
export class SessionManager {
  readonly #deps: SessionManagerDeps;
  readonly #factory: SessionFactoryDeps;
  readonly #live = new Map<string, LiveSession>();
  readonly #adopting = new Map<string, Promise<LiveSession | undefined>>();

  constructor(deps: SessionManagerDeps) {
    this.#deps = deps;
    this.#factory = {
      events: deps.options.eventStore ? deps.stores.events : null,
      retryIntervalMs: deps.options.retryIntervalMs,
      startedAt: deps.startedAt,
      counter: deps.counter,
      liveSessions: () => this.#live.size,
      recordToolRun: (name) => deps.stats.recordToolRun(name),
      recordToolCancelled: (name) => deps.stats.recordToolCancelled(name),
      logger: deps.options.logger,
    };
  }

  get liveCount(): number {
    return this.#live.size;
  }

  liveSessionIds(): Set<string> {
    return new Set(this.#live.keys());
  }

  /** A transport ready to handle the `initialize` POST; the session is recorded once the SDK accepts it. */
  async begin(request: NewSessionRequest): Promise<NodeStreamableHTTPServerTransport> {
    const { sessions } = this.#deps.stores;
    const sessionId = randomUUID();
    let live: LiveSession | undefined;
    const pair = await buildSessionPair(sessionId, this.#factory, {
      onInitialized: async () => {
        const now = Date.now();
        const record: SessionRecord = {
          sessionId,
          appSessionId: request.appSessionId,
          principalHash: request.principalHash,
          initializeParams: request.initializeParams,
          protocolVersion: negotiatedVersion(request.initializeParams),
          createdAt: now,
          lastActivityAt: now,
          expiresAt: now + this.#deps.options.sessionTtlMs,
          status: 'active',
          disconnectReason: null,
          ownerInstance: this.#deps.options.instanceId,
        };
        await sessions.create(record);
        live = new LiveSession({ ...record, transport: pair.transport, server: pair.server });
        live.requestCount = 1;
        this.#live.set(sessionId, live);
        this.#deps.stats.recordSessionCreated();
        this.#deps.metrics.sessionsCreated.inc();
        this.#deps.options.logger.debug?.({ msg: 'session created', sessionId, appSessionId: request.appSessionId });
      },
      onDeleted: async () => {
        this.#deps.options.logger.debug?.({ msg: 'session deleted by client', sessionId });
        await sessions.setStatus(sessionId, 'closed', 'client-delete');
        await this.#deps.stores.events.deleteSession(sessionId);
      },
      onClosed: () => this.#forget(sessionId, pair.transport),
      describe: () => live?.describe(),
    });
    return pair.transport;
  }

  /**
   * The live session for a request, after validating it against the store; adopts it when it is
   * valid in the store but not live here. Undefined means "answer 404".
   */
  async find(sessionId: string, principalHash: string | null): Promise<LiveSession | undefined> {
    const stopTimer = this.#deps.metrics.validationDuration.startTimer();
    try {
      const { sessions } = this.#deps.stores;
      const record = await sessions.get(sessionId);
      const now = Date.now();
      if (record === undefined) return undefined;
      // Another principal presenting a stolen or guessed id learns nothing: same 404 as unknown.
      if (record.principalHash !== principalHash) return undefined;
      if (record.status === 'closed' || record.status === 'expired') {
        await this.#closeLive(sessionId);
        return undefined;
      }
      if (record.expiresAt <= now) {
        await sessions.setStatus(sessionId, 'expired', 'ttl');
        this.#deps.metrics.sessionsExpired.inc();
        await this.#closeLive(sessionId);
        return undefined;
      }
      const live = this.#live.get(sessionId) ?? (await this.#adoptOnce(record));
      if (live === undefined) return undefined;
      live.requestCount += 1;
      live.lastActivityAt = now;
      live.expiresAt = now + this.#deps.options.sessionTtlMs;
      await sessions.touch(sessionId, now, live.expiresAt);
      return live;
    } finally {
      stopTimer();
    }
  }

  /** Marks sessions expired (all live ones when no id is given) and drops them; returns how many. */
  async expire(sessionId?: string): Promise<number> {
    const ids = sessionId === undefined ? [...this.#live.keys()] : [sessionId];
    let expired = 0;
    for (const id of ids) {
      const record = await this.#deps.stores.sessions.get(id);
      if (record === undefined && !this.#live.has(id)) continue;
      await this.#deps.stores.sessions.setStatus(id, 'expired', 'forced');
      await this.#closeLive(id);
      this.#deps.metrics.sessionsExpired.inc();
      expired += 1;
    }
    return expired;
  }

  /** Regular cleanup tier: expires store sessions past their expiry and drops the live ones among them. */
  async expireDue(now: number): Promise<number> {
    const ids = await this.#deps.stores.sessions.expire(now);
    for (const id of ids) await this.#closeLive(id);
    this.#deps.metrics.sessionsExpired.inc(ids.length);
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

  /** Graceful shutdown: records become `draining` (not deleted) so a restarted or other instance adopts them. */
  async drain(): Promise<void> {
    for (const live of [...this.#live.values()]) {
      await this.#deps.stores.sessions.setStatus(live.sessionId, 'draining', 'shutdown').catch(() => undefined);
      await this.#closeLive(live.sessionId);
    }
  }

  /** In-flight requests across live sessions. */
  inFlight(): number {
    let total = 0;
    for (const live of this.#live.values()) total += live.inFlight;
    return total;
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
    let live: LiveSession | undefined;
    const pair = await buildSessionPair(sessionId, this.#factory, {
      onDeleted: async () => {
        await this.#deps.stores.sessions.setStatus(sessionId, 'closed', 'client-delete');
        await this.#deps.stores.events.deleteSession(sessionId);
      },
      onClosed: () => this.#forget(sessionId, pair.transport),
      describe: () => live?.describe(),
    });
    try {
      await adoptSession(pair.transport, pair.server, sessionId, record.initializeParams);
    } catch (error) {
      this.#deps.options.logger.warn?.({ msg: 'session adoption failed', sessionId, error: String(error) });
      await pair.server.close();
      return undefined;
    }
    const { sessions } = this.#deps.stores;
    if (record.status !== 'active') await sessions.setStatus(sessionId, 'active', null);
    await sessions.setOwner(sessionId, this.#deps.options.instanceId);
    live = new LiveSession({ ...record, transport: pair.transport, server: pair.server });
    this.#live.set(sessionId, live);
    this.#deps.stats.recordSessionRecovered();
    this.#deps.metrics.sessionsRecovered.inc();
    this.#deps.options.logger.info?.({ msg: 'session adopted', sessionId, previousOwner: record.ownerInstance });
    return live;
  }

  async #closeLive(sessionId: string): Promise<void> {
    const live = this.#live.get(sessionId);
    if (live === undefined) return;
    this.#live.delete(sessionId);
    await live.close();
  }

  #forget(sessionId: string, transport: NodeStreamableHTTPServerTransport): void {
    if (this.#live.get(sessionId)?.transport === transport) this.#live.delete(sessionId);
  }
}
