import type { Server } from '@modelcontextprotocol/server';
import type { SessionInfo } from '../session-server';
import type { SessionTransport } from './session-transport';

export interface LiveSessionInit {
  sessionId: string;
  appSessionId: string;
  principalHash: string | null;
  /** The `initialize` params, replayed into every server instance the session gets. */
  initializeParams: Record<string, unknown>;
  createdAt: number;
  expiresAt: number;
  resumable: boolean;
}

/**
 * The SDK transport + YOUR server instance serving one legacy session for a while. A session keeps its pair
 * while it is busy; an idle one releases it (`idleServerMs`) and gets a new pair on its next request.
 */
export interface SessionPair {
  readonly transport: SessionTransport;
  readonly server: Server;
  /** Set before the session layer closes the pair to release memory: its close does not end the session. */
  released: boolean;
}

/** Which list changes the session's server announces (`listChanged` capabilities), kept while it has no pair. */
export interface ListChangedCapabilities {
  tools: boolean;
  prompts: boolean;
  resources: boolean;
}

/**
 * One legacy session known to this process: the bookkeeping the manager needs (activity, the per-session rate
 * window, when the store last confirmed it, what to replay into a new server instance), plus the pair serving it
 * when it has one. About 1 KB without a pair (`bench:server`'s idle-session figure). It is also the `SessionInfo`
 * your factory receives, so tools read live values.
 *
 * @example
 * ```ts
 * const live = new LiveSession({ sessionId, appSessionId, principalHash: null, initializeParams, createdAt, expiresAt, resumable: true });
 * live.allowRequest(Date.now(), 100, 1_000); // true
 * ```
 */
export class LiveSession implements SessionInfo {
  readonly sessionId: string;
  readonly appSessionId: string;
  readonly principalHash: string | null;
  readonly createdAt: number;
  readonly resumable: boolean;
  lastActivityAt: number;
  expiresAt: number;
  requestCount = 0;
  /** Epoch ms the store last confirmed this session active (validation cache). */
  validatedAt: number;
  /** Resource URIs this session subscribed to (saved with the record, restored on adoption). */
  readonly subscriptions = new Set<string>();
  /** The `logging/setLevel` level, saved with the record. */
  loggingLevel: string | null = null;
  /** Why the record of a new session could not be written (the endpoint answers it instead of the SDK's 400). */
  creationError: unknown = undefined;
  /** The pair serving the session now; undefined while it is idle. */
  pair: SessionPair | undefined = undefined;
  /** A pair being built for it (concurrent requests share it). */
  activating: Promise<SessionPair> | undefined = undefined;
  /** What its server announces, captured when the first pair was built. */
  listChanged: ListChangedCapabilities = { tools: false, prompts: false, resources: false };
  /** Requests of the session between validation and their hand-over to the transport: the pair must stay. */
  holds = 0;
  /** GET streams (and resumed streams) of the session open now: the pair must stay. */
  openStreams = 0;
  /** Epoch ms the pair was last used (a request validated, handed over or answered). */
  pairUsedAt: number;
  /** Set once the session ended here (DELETE, expiry, eviction, shutdown): no new pair is built for it. */
  ended = false;
  /** `initialize` params as JSON: a string costs a fraction of the parsed object while the session is idle. */
  readonly #initializeParams: string;
  #windowStartedAt = 0;
  #windowRequests = 0;

  constructor(init: LiveSessionInit) {
    this.sessionId = init.sessionId;
    this.appSessionId = init.appSessionId;
    this.principalHash = init.principalHash;
    this.#initializeParams = JSON.stringify(init.initializeParams);
    this.createdAt = init.createdAt;
    this.lastActivityAt = init.createdAt;
    this.validatedAt = init.createdAt;
    this.pairUsedAt = init.createdAt;
    this.expiresAt = init.expiresAt;
    this.resumable = init.resumable;
  }

  /** A fresh copy of the `initialize` params (the replay hands it to the SDK, which may keep it). */
  get initializeParams(): Record<string, unknown> {
    return JSON.parse(this.#initializeParams) as Record<string, unknown>;
  }

  /** Your server instance for this session now; throws while the session has none (idle). */
  get server(): Server {
    if (this.pair === undefined) throw new Error(`Session ${this.sessionId} has no server instance now`);
    return this.pair.server;
  }

  /** JSON-RPC requests of this session not yet answered. */
  get inFlight(): number {
    return this.pair?.transport.inFlight ?? 0;
  }

  /** True while something needs the pair: a request on its way or in flight, an open stream, a server request. */
  get busy(): boolean {
    const transport = this.pair?.transport;
    return this.holds > 0 || this.openStreams > 0 || (transport !== undefined && (transport.inFlight > 0 || transport.awaitingClient > 0));
  }

  closeRequestStream(requestId: string | number): void {
    this.pair?.transport.closeSSEStream(requestId);
  }

  /** Fixed-window rate limit: false when this request exceeds `limit` per `windowMs`. */
  allowRequest(now: number, limit: number, windowMs: number): boolean {
    if (now - this.#windowStartedAt >= windowMs) {
      this.#windowStartedAt = now;
      this.#windowRequests = 0;
    }
    this.#windowRequests += 1;
    return this.#windowRequests <= limit;
  }

  /** Milliseconds until the current rate window ends. */
  retryAfterMs(now: number, windowMs: number): number {
    return Math.max(0, this.#windowStartedAt + windowMs - now);
  }

  /** Closes the pair (open SSE streams end) and forgets it; the session ends with it. The store record is untouched. */
  async close(): Promise<void> {
    this.ended = true;
    const pair = this.pair ?? (await this.activating?.catch(() => undefined));
    this.pair = undefined;
    if (pair !== undefined) await pair.server.close();
  }
}
