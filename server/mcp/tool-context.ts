import type { CounterLedger } from './counter-ledger';

/** What `session_health_check` reports about the session that asks. */
export interface SessionHealth {
  mcpSessionId: string;
  appSessionId: string;
  createdAt: string;
  lastActivityAt: string;
  expiresAt: string;
  requestCount: number;
}

/**
 * What the demo tools of one server instance may see of the world around them. Kept narrow so tools never reach
 * into the session layer: everything here comes from the factory's context or the reference server.
 *
 * @example
 * ```ts
 * const context: ToolContext = { startedAt: Date.now(), liveSessions: () => 1, describeSession: () => undefined,
 *   recordToolRun: () => {}, recordToolCancelled: () => {}, counter: new CounterLedger(), eventStore: true,
 *   closeRequestStream: () => {}, subscriptions: new Set() };
 * ```
 */
export interface ToolContext {
  /** Epoch ms the server started. */
  readonly startedAt: number;
  /** Sessions live in this process. */
  liveSessions(): number;
  /** The calling legacy session; undefined in the modern era (no session). */
  describeSession(): SessionHealth | undefined;
  /** Counts one execution of a tool (the reference server's test stats; a no-op without them). */
  recordToolRun(name: string): void;
  /** Counts one execution stopped by its abort signal. */
  recordToolCancelled(name: string): void;
  readonly counter: CounterLedger;
  /** True when SSE events are stored, so a closed stream can be resumed with Last-Event-ID. */
  readonly eventStore: boolean;
  /**
   * Closes the POST SSE stream of one request (SEP-1699 polling). Unlike `ctx.http.closeSSE`, which the SDK only
   * provides for protocol >= 2025-11-25, this works for every version (the conformance `server-sse-polling`
   * scenario posts with 2025-03-26).
   */
  closeRequestStream(requestId: string | number): void;
  /** Resource URIs this session subscribed to (`resources/subscribe`). */
  readonly subscriptions: Set<string>;
}
