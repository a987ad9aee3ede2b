import type { Server } from '@modelcontextprotocol/server';
import type { SessionInfo } from '../session-server';
import type { SessionTransport } from './session-transport';

export interface LiveSessionInit {
  sessionId: string;
  appSessionId: string;
  principalHash: string | null;
  createdAt: number;
  expiresAt: number;
  transport: SessionTransport;
  resumable: boolean;
}

/**
 * One legacy session served by this process: the SDK transport + your server instance, plus the bookkeeping
 * the manager needs (activity, the per-session rate window, when the store last confirmed it). It is also the
 * `SessionInfo` your factory receives, so tools read live values.
 *
 * @example
 * ```ts
 * const live = new LiveSession({ sessionId, appSessionId, principalHash: null, createdAt, expiresAt, transport, resumable: true });
 * live.allowRequest(Date.now(), 100, 1_000); // true
 * ```
 */
export class LiveSession implements SessionInfo {
  readonly sessionId: string;
  readonly appSessionId: string;
  readonly principalHash: string | null;
  readonly createdAt: number;
  readonly transport: SessionTransport;
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
  #server: Server | undefined;
  #windowStartedAt = 0;
  #windowRequests = 0;

  constructor(init: LiveSessionInit) {
    this.sessionId = init.sessionId;
    this.appSessionId = init.appSessionId;
    this.principalHash = init.principalHash;
    this.createdAt = init.createdAt;
    this.lastActivityAt = init.createdAt;
    this.validatedAt = init.createdAt;
    this.expiresAt = init.expiresAt;
    this.transport = init.transport;
    this.resumable = init.resumable;
  }

  /** Your server instance for this session (set once the factory returned it). */
  get server(): Server {
    if (this.#server === undefined) throw new Error(`Session ${this.sessionId} has no server yet`);
    return this.#server;
  }

  attach(server: Server): void {
    this.#server = server;
  }

  /** JSON-RPC requests of this session not yet answered. */
  get inFlight(): number {
    return this.transport.inFlight;
  }

  closeRequestStream(requestId: string | number): void {
    this.transport.closeSSEStream(requestId);
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

  /** Closes your server instance and its transport (open SSE streams end). The store record is untouched. */
  async close(): Promise<void> {
    if (this.#server !== undefined) await this.#server.close();
    else await this.transport.close();
  }
}
