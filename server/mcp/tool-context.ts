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
 * What the tools of one session may see of the server around them. Kept narrow so tools never
 * reach into the session manager.
 *
 * @example
 * ```ts
 * const context: ToolContext = { startedAt: Date.now(), liveSessions: () => 1, describeSession: () => health,
 *   recordToolRun: () => {}, recordToolCancelled: () => {}, counter: new CounterLedger(), eventStore: true, closeRequestStream: () => {}, subscriptions: new Set() };
 * ```
 */
export interface ToolContext {
  /** Epoch ms the server started. */
  readonly startedAt: number;
  /** Sessions live in this process. */
  liveSessions(): number;
  /** The calling session; undefined before the session is registered. */
  describeSession(): SessionHealth | undefined;
  /** Counts one execution of a tool (test stats). */
  recordToolRun(name: string): void;
  /** Counts one execution stopped by its abort signal (test stats). */
  recordToolCancelled(name: string): void;
  readonly counter: CounterLedger;
  /** True when SSE events are stored, so a closed stream can be resumed with Last-Event-ID. */
  readonly eventStore: boolean;
  /**
   * Closes the POST SSE stream of one request (SEP-1699 polling). Unlike `extra.closeSSEStream`, which
   * the SDK only provides for protocol >= 2025-11-25, this works for every version (the conformance
   * `server-sse-polling` scenario posts with 2025-03-26).
   */
  closeRequestStream(requestId: string | number): void;
  /** Resource URIs this session subscribed to (`resources/subscribe`). */
  readonly subscriptions: Set<string>;
}
