import type { AuthInfo } from '@modelcontextprotocol/server';
import type { ServerLogger } from '../session-options';
import { adoptSession, type MutableEventStore } from './adopt-session';
import type { LiveSession, SessionPair } from './live-session';
import { buildSessionPair, type LiveSessionHooks, type SessionFactoryDeps } from './session-factory';

export interface SessionPairsDeps {
  factory: SessionFactoryDeps;
  hooks: LiveSessionHooks;
  /** A muteable event store scoped to the session, or undefined when the event store is off. */
  eventStoreFor(sessionId: string): MutableEventStore | undefined;
  /** An idle pair is released after this long. */
  idleServerMs: number;
  /** False when a pair could not be rebuilt with the installed SDK (adoption self-test failed): none is released. */
  releaseIdle: boolean;
  logger: ServerLogger;
}

/** Never sweep more often than this, whatever `idleServerMs` is. */
const MIN_SWEEP_MS = 50;
/** Never sweep less often than this: a pair is released at most this long after its grace. */
const MAX_SWEEP_MS = 1_000;

/**
 * The McpServer + transport pairs of this process's legacy sessions. A pair costs your server's registrations
 * plus about 20 KB of SDK state (the validator, handler tables, the transport), against about 1 KB for the session
 * itself: a session that is idle (no request on its way or in flight, no open stream, no server->client request
 * awaiting its answer) for `idleServerMs` releases its pair, and its next request gets a new one, brought to the
 * session's state by the same public-API replay that adopts sessions after a restart (`adopt-session.ts`), from
 * what this process holds, without a store call.
 *
 * @example
 * ```ts
 * const pairs = new SessionPairs(deps);
 * const pair = await pairs.activate(live); // its own pair, or a rebuilt one
 * ```
 */
export class SessionPairs {
  readonly #deps: SessionPairsDeps;
  /** Sessions that have a pair now. */
  readonly #alive = new Set<LiveSession>();
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  rebuilt = 0;

  constructor(deps: SessionPairsDeps) {
    this.#deps = deps;
  }

  /** Pairs alive now. */
  get size(): number {
    return this.#alive.size;
  }

  /** Sessions that have a pair now. */
  withPairs(): IterableIterator<LiveSession> {
    return this.#alive.values();
  }

  /** The first pair of a new session, ready for its `initialize` POST. */
  async create(live: LiveSession, request: { requestInfo: Request; authInfo: AuthInfo | undefined; onInitialized(live: LiveSession): Promise<void> }): Promise<SessionPair> {
    const pair = await buildSessionPair(
      live,
      { eventStore: this.#deps.eventStoreFor(live.sessionId), requestInfo: request.requestInfo, authInfo: request.authInfo, onInitialized: request.onInitialized },
      this.#deps.factory,
      this.#deps.hooks,
    );
    this.#attach(live, pair);
    return pair;
  }

  /** The pair serving `live`: its own, or a new one built and brought to the session's state (concurrent callers share it). */
  activate(live: LiveSession): Promise<SessionPair> {
    if (live.pair !== undefined) return Promise.resolve(live.pair);
    live.activating ??= this.#rebuild(live).finally(() => {
      live.activating = undefined;
    });
    return live.activating;
  }

  /** Called when a pair's transport closed: true when that ends the session (not a release of an idle pair). */
  closed(live: LiveSession, pair: SessionPair): boolean {
    if (live.pair === pair) {
      live.pair = undefined;
      this.#alive.delete(live);
    }
    return !pair.released;
  }

  /** Releases every pair idle for `idleServerMs`; returns how many. */
  releaseIdle(now: number): number {
    let released = 0;
    for (const live of this.#alive) {
      if (live.busy || now - live.pairUsedAt < this.#deps.idleServerMs) continue;
      this.#release(live);
      released += 1;
    }
    return released;
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  async #rebuild(live: LiveSession): Promise<SessionPair> {
    const events = this.#deps.eventStoreFor(live.sessionId);
    const pair = await buildSessionPair(live, { eventStore: events, requestInfo: undefined, authInfo: undefined }, this.#deps.factory, this.#deps.hooks);
    try {
      await adoptSession(pair.transport, live.sessionId, live.initializeParams, { subscriptions: [...live.subscriptions], loggingLevel: live.loggingLevel }, events);
      if (live.ended) throw new Error(`Session ${live.sessionId} ended while its server was being rebuilt`);
    } catch (error) {
      pair.released = true;
      await pair.server.close().catch(() => undefined);
      throw error;
    }
    this.rebuilt += 1;
    this.#attach(live, pair);
    return pair;
  }

  #attach(live: LiveSession, pair: SessionPair): void {
    live.pair = pair;
    live.pairUsedAt = Date.now();
    this.#alive.add(live);
    if (this.#deps.releaseIdle && this.#timer === undefined && !this.#stopped) {
      const every = Math.min(MAX_SWEEP_MS, Math.max(MIN_SWEEP_MS, Math.floor(this.#deps.idleServerMs / 2)));
      this.#timer = setInterval(() => this.releaseIdle(Date.now()), every);
      this.#timer.unref();
    }
  }

  #release(live: LiveSession): void {
    const pair = live.pair;
    if (pair === undefined) return;
    pair.released = true;
    live.pair = undefined;
    this.#alive.delete(live);
    pair.server.close().catch((error: unknown) => {
      this.#deps.logger.debug?.({ msg: 'releasing an idle session server failed', sessionId: live.sessionId, error: String(error) });
    });
  }
}
