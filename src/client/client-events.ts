/**
 * The client's states and typed events (DESIGN.md "The client contract": state, session, retry,
 * recovered, notification; plus stream for the notification stream of either era).
 */
import type { StreamEvent } from '../session/notification-stream';

/**
 * The client's lifecycle: `idle -> connecting -> ready -> recovering -> ready ... -> closed`.
 *
 * @example
 * ```ts
 * if (client.state === 'ready') console.log('connected');
 * ```
 */
export type ClientState = 'idle' | 'connecting' | 'ready' | 'recovering' | 'closed';

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
  /** A server notification (from a POST stream or the GET stream), progress for a live call excepted. */
  notification: { readonly method: string; readonly params: Record<string, unknown> | undefined };
  /** The notification stream (legacy GET, modern listen) opened, ended, failed (with the reconnect delay) or is unsupported. */
  stream: StreamEvent;
}
