/**
 * The client's states and typed events (DESIGN.md "The client contract": state, session, retry,
 * recovered, notification; plus stream for the notification stream of either era).
 */
import type { StreamEvent } from '../session/notification-stream';

/**
 * The client's lifecycle: `idle -> connecting -> ready -> recovering -> ready ... -> closed`, and `degraded`
 * when the server keeps losing sessions soon after the handshake (calls fail fast until a recovery holds).
 *
 * @example
 * ```ts
 * if (client.state === 'ready') console.log('connected');
 * ```
 */
export type ClientState = 'idle' | 'connecting' | 'ready' | 'recovering' | 'degraded' | 'closed';

/**
 * Why the client went `degraded` (issue 9: a recovery loop must have a rate and say why it stopped trying hard).
 *
 * @example
 * ```ts
 * client.on('degraded', ({ reason, retryInMs }) => console.warn(reason, `next recovery in ${retryInMs} ms`));
 * ```
 */
export interface DegradedEvent {
  /** One line: how many sessions were lost how soon, and what the last loss was. */
  readonly reason: string;
  /** Sessions (legacy) or negotiations (modern) lost soon after their handshake, within `windowMs`. */
  readonly losses: number;
  /** `breaker.sessionLossWindowMs`. */
  readonly windowMs: number;
  /** When the next recovery (the half-open probe) is tried. */
  readonly retryInMs: number;
  /** The last loss: a `SessionExpiredError`, an `RpcError` -32022, ... */
  readonly cause: unknown;
}

/**
 * Every event MCPClient emits, with its payload.
 *
 * @example
 * ```ts
 * client.on('retry', ({ method, attempt, delayMs, cause }) => console.warn(method, attempt, delayMs, cause));
 * ```
 */
export interface MCPClientEvents {
  state: { readonly from: ClientState; readonly to: ClientState };
  /** The server answered with another application session id, which the client adopted. */
  session: { readonly sessionId: string; readonly previousSessionId: string };
  /** A failed attempt will be sent again after `delayMs`. */
  retry: { readonly method: string; readonly attempt: number; readonly delayMs: number; readonly cause: unknown };
  /** A new protocol session (legacy) or negotiation (modern) replaced a lost one (same application session id). */
  recovered: { readonly reason: 'session_lost'; readonly mcpSessionId: string | undefined; readonly durationMs: number };
  /** The circuit on session loss opened: calls fail fast with ConnectionError `degraded` until a recovery holds. */
  degraded: DegradedEvent;
  /** A server notification (from a POST stream or the GET stream), progress for a live call excepted. */
  notification: { readonly method: string; readonly params: Record<string, unknown> | undefined };
  /** The notification stream (legacy GET, modern listen) opened, ended, failed (with the reconnect delay) or is unsupported. */
  stream: StreamEvent;
}
