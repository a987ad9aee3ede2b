/**
 * The session layer's bounds against hostile clients (issue 9, cases 8-10): body deadlines, JSON depth,
 * in-flight requests and new sessions per IP and per principal. One place for the options and their defaults;
 * `SessionLayerOptions` extends them, so they are validated and documented with the others.
 */

/**
 * Bounds on what one client can hold or start. Every field is optional (see `PEER_LIMIT_DEFAULTS`); all are
 * positive integers.
 *
 * @example
 * ```ts
 * const limits: PeerLimitOptions = { bodyTimeoutMs: 10_000, maxInFlightPerIp: 64 };
 * ```
 */
export interface PeerLimitOptions {
  /**
   * Longest wait for the next chunk of a request body (nginx `client_body_timeout`); beyond it 408 and the
   * connection is closed. @default 30_000
   */
  bodyReadTimeoutMs?: number;
  /**
   * Longest time to receive a whole request body, however it trickles in (one byte every 200 ms included);
   * beyond it 408 and the connection is closed. @default 60_000
   */
  bodyTimeoutMs?: number;
  /** Deepest nesting of arrays and objects accepted in a request body, checked before it is parsed; beyond it 400. @default 128 */
  maxJsonDepth?: number;
  /**
   * Requests one client IP (an IPv6 client: its /64) may have in flight, from arrival until the response ends (an SSE
   * stream counts while it is open); beyond it 429 + `Retry-After`. @default 512
   */
  maxInFlightPerIp?: number;
  /** Requests one principal (bearer token) may have in flight, counted as for `maxInFlightPerIp`. @default 2_048 */
  maxInFlightPerPrincipal?: number;
  /** New sessions (legacy `initialize`, modern app sessions new here) one client IP may open per `newSessionWindowMs`; beyond it 429 + `Retry-After`. @default 100 */
  maxNewSessionsPerIp?: number;
  /** New sessions one principal may open per `newSessionWindowMs`. @default 1_000 */
  maxNewSessionsPerPrincipal?: number;
  /** The window of the new-session limits. @default 1_000 */
  newSessionWindowMs?: number;
}

/**
 * Every default of `PeerLimitOptions`. Node's own server allows 300 s for a whole request and nginx 60 s between
 * body reads; an MCP body is one JSON-RPC message of at most `maxBodyBytes`, so a minute in all is generous.
 *
 * @example
 * ```ts
 * PEER_LIMIT_DEFAULTS.bodyTimeoutMs; // 60_000
 * ```
 */
export const PEER_LIMIT_DEFAULTS = {
  bodyReadTimeoutMs: 30_000,
  bodyTimeoutMs: 60_000,
  maxJsonDepth: 128,
  maxInFlightPerIp: 512,
  maxInFlightPerPrincipal: 2_048,
  maxNewSessionsPerIp: 100,
  maxNewSessionsPerPrincipal: 1_000,
  newSessionWindowMs: 1_000,
} as const satisfies Required<PeerLimitOptions>;

/** The option names, each validated as a positive integer by `resolveSessionLayerOptions`. */
export const PEER_LIMIT_KEYS = Object.keys(PEER_LIMIT_DEFAULTS) as readonly (keyof PeerLimitOptions)[];
