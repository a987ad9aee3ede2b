import { randomUUID } from 'node:crypto';
import { resolveOAuthOptions, type OAuthResourceOptions, type ResolvedOAuthOptions } from './auth/oauth-options';
import { PEER_LIMIT_DEFAULTS, PEER_LIMIT_KEYS, type PeerLimitOptions } from './peer-limits';
import { sessionsTheHeapHolds } from './session-capacity';
import type { SessionServerFactory } from './session-server';
import type { StoreSpec } from './stores/index';

/**
 * One structured log entry: `msg` plus fields. Printed by console as an object, by pino as fields.
 *
 * @example
 * ```ts
 * logger.info?.({ msg: 'session adopted', sessionId });
 * ```
 */
export interface ServerLogEntry {
  msg: string;
  [field: string]: unknown;
}

/**
 * Compatible with `console` and pino: every method takes one structured entry.
 *
 * @example
 * ```ts
 * await createSessionHandler({ createServer, logger: console }); // or a pino logger
 * ```
 */
export interface ServerLogger {
  debug?(entry: ServerLogEntry): void;
  info?(entry: ServerLogEntry): void;
  warn?(entry: ServerLogEntry): void;
  error?(entry: ServerLogEntry): void;
}

/**
 * A protocol era: `legacy` is 2025-11-25 and earlier (`initialize`, sessions, GET stream, resumption),
 * `modern` is 2026-07-28 (per request, `subscriptions/listen`).
 *
 * @example
 * ```ts
 * const eras: readonly ProtocolEraName[] = ['legacy'];
 * ```
 */
export type ProtocolEraName = 'legacy' | 'modern';

/**
 * The session layer's options shared by `createSessionHandler` and `startReferenceServer`; every field
 * is optional (see `SESSION_HANDLER_DEFAULTS`).
 *
 * @example
 * ```ts
 * const options: SessionLayerOptions = { store: 'pglite:.mcp-data', sessionTtlMs: 600_000, authToken: process.env.MCP_AUTH_TOKEN };
 * ```
 */
export interface SessionLayerOptions extends PeerLimitOptions {
  /** Where sessions live. @default 'memory' */
  store?: StoreSpec;
  /** Which protocol eras are served; the other era is answered as a server of this era would. @default ['legacy', 'modern'] */
  eras?: readonly ProtocolEraName[];
  /** The address your HTTP server listens on; a loopback address turns on Host validation. @default '127.0.0.1' */
  host?: string;
  /** Keep SSE events so a cut stream resumes with Last-Event-ID. @default true */
  eventStore?: boolean;
  /** Idle time after which a session expires. @default 1_800_000 (30 min) */
  sessionTtlMs?: number;
  /** SSE `retry:` hint sent in priming events and on shutdown. @default 1_000 */
  retryIntervalMs?: number;
  /** How long SSE events are kept for resumption. @default 300_000 */
  eventTtlMs?: number;
  /** Cap on events kept per stream. @default 1_000 */
  maxEventsPerStream?: number;
  /** Live sessions this instance accepts; beyond it a new session gets 503 + Retry-After. @default 10_000 */
  maxSessions?: number;
  /** Bearer token(s); when set every request needs one, and a session is bound to the token that created it. */
  authToken?: string | readonly string[];
  /**
   * An OAuth 2.1 resource server instead of static tokens: JWT access tokens from `oauth.issuer` for `oauth.resource`,
   * RFC 9728 metadata, sessions bound to the token's subject. Not together with `authToken`.
   */
  oauth?: OAuthResourceOptions;
  /** Extra Origins accepted besides loopback ones (DNS rebinding protection). @default [] */
  allowedOrigins?: readonly string[];
  /** Extra Host names accepted besides loopback ones. @default [] */
  allowedHosts?: readonly string[];
  /** Largest accepted request body. @default 4_194_304 (4 MiB, the SDK's own limit) */
  maxBodyBytes?: number;
  /** Header carrying the application session id. @default 'X-Archon-Session-Id' */
  sessionHeader?: string;
  /** Requests one session may send per `rateLimitWindowMs` before getting 429. @default 1_000 */
  rateLimitRequests?: number;
  /** @default 1_000 */
  rateLimitWindowMs?: number;
  /** Fast tier: evict local transports idle longer than `idleTransportMs`. @default 30_000 */
  cleanupFastIntervalMs?: number;
  /** Regular tier: mark sessions past their expiry as expired. @default 300_000 */
  cleanupRegularIntervalMs?: number;
  /** Deep tier: purge old records and orphaned events. @default 86_400_000 */
  cleanupDeepIntervalMs?: number;
  /** A live transport idle this long is dropped locally (the record stays; it can be adopted again). @default 600_000 */
  idleTransportMs?: number;
  /**
   * A legacy session with no request in flight, no open stream and no server->client request awaiting an answer
   * for this long releases its `McpServer` + transport (your registrations plus about 20 KB of SDK state; about
   * 1 KB per session stays). Its next request builds a new pair with `createServer` and replays `initialize`, the
   * logging level and the subscriptions into it, from memory, without a store call. @default 5_000
   */
  idleServerMs?: number;
  /** Non-active records last active longer ago than this are purged by the deep tier. @default 86_400_000 */
  purgeAfterMs?: number;
  /** How long `close()` waits for in-flight requests. @default 5_000 */
  shutdownTimeoutMs?: number;
  /**
   * How long a live session's validation is served from memory before the store is asked again. Bounds how
   * long a session closed or expired by another instance keeps working here. @default 5_000
   */
  sessionCacheMs?: number;
  /** Activity (`lastActivityAt`) and request records are written to the store in batches this often. @default 1_000 */
  activityFlushMs?: number;
  /**
   * Key sealing `requestState` (2026-07-28 input_required rounds), at least 32 bytes. Without one, a random key
   * is claimed once in the store, so every instance sharing the store uses the same key.
   */
  requestStateKey?: string | Uint8Array;
  /** How long a sealed `requestState` stays valid. @default 600 */
  requestStateTtlSeconds?: number;
  /** Identifies this process in session records (`ownerInstance`). @default a random UUID */
  instanceId?: string;
  /** Structured logger (console or pino). Silent by default. */
  logger?: ServerLogger;
}

/**
 * Options of `createSessionHandler`: the session layer's options plus the factory of your `McpServer`.
 *
 * @example
 * ```ts
 * const options: SessionHandlerOptions = { createServer: () => new McpServer({ name: 'notes', version: '1.0.0' }), store: 'memory' };
 * ```
 */
export interface SessionHandlerOptions extends SessionLayerOptions {
  /**
   * Builds YOUR server. Modern era: once per request. Legacy era: at `initialize`, and again whenever the session
   * gets a new instance: after it was idle for `idleServerMs` (its instance was released to save memory), or when
   * it is adopted after a restart or from another instance. `initialize`, `logging/setLevel` and
   * `resources/subscribe` are replayed into each new instance; keep any other per-session state outside the
   * instance, keyed by `context.session.sessionId` (or `appSessionId`). Register tools, resources and prompts
   * inside it, exactly as for the SDK's `createMcpHandler`.
   */
  createServer: SessionServerFactory;
}

type DefaultedOptions = Required<Omit<SessionLayerOptions, 'authToken' | 'oauth' | 'logger' | 'instanceId' | 'requestStateKey'>>;

/**
 * Every default of the session layer in one place.
 *
 * @example
 * ```ts
 * SESSION_HANDLER_DEFAULTS.sessionTtlMs; // 1_800_000
 * ```
 */
export const SESSION_HANDLER_DEFAULTS = {
  store: 'memory',
  eras: ['legacy', 'modern'],
  host: '127.0.0.1',
  eventStore: true,
  sessionTtlMs: 30 * 60_000,
  retryIntervalMs: 1_000,
  eventTtlMs: 300_000,
  maxEventsPerStream: 1_000,
  maxSessions: 10_000,
  allowedOrigins: [],
  allowedHosts: [],
  maxBodyBytes: 4 * 1024 * 1024,
  sessionHeader: 'X-Archon-Session-Id',
  rateLimitRequests: 1_000,
  rateLimitWindowMs: 1_000,
  cleanupFastIntervalMs: 30_000,
  cleanupRegularIntervalMs: 300_000,
  cleanupDeepIntervalMs: 86_400_000,
  idleTransportMs: 600_000,
  idleServerMs: 5_000,
  purgeAfterMs: 86_400_000,
  shutdownTimeoutMs: 5_000,
  sessionCacheMs: 5_000,
  activityFlushMs: 1_000,
  requestStateTtlSeconds: 600,
  ...PEER_LIMIT_DEFAULTS,
} as const satisfies DefaultedOptions;

/**
 * Session layer options after defaults and validation.
 *
 * @example
 * ```ts
 * const resolved: ResolvedSessionOptions = resolveSessionLayerOptions({ sessionTtlMs: 60_000 });
 * ```
 */
export interface ResolvedSessionOptions extends DefaultedOptions {
  authTokens: readonly string[];
  /** The `oauth` option resolved, or undefined without it. */
  oauth: ResolvedOAuthOptions | undefined;
  logger: ServerLogger;
  instanceId: string;
  requestStateKey: Uint8Array | undefined;
}

const POSITIVE_INTEGER_OPTIONS = [
  'sessionTtlMs',
  'retryIntervalMs',
  'eventTtlMs',
  'maxEventsPerStream',
  'maxSessions',
  'maxBodyBytes',
  'rateLimitRequests',
  'rateLimitWindowMs',
  'cleanupFastIntervalMs',
  'cleanupRegularIntervalMs',
  'cleanupDeepIntervalMs',
  'idleTransportMs',
  'idleServerMs',
  'purgeAfterMs',
  'shutdownTimeoutMs',
  'sessionCacheMs',
  'activityFlushMs',
  'requestStateTtlSeconds',
  ...PEER_LIMIT_KEYS,
] as const;

/** Every option name of the session layer, for the unknown-key check. */
const SESSION_LAYER_KEYS: ReadonlySet<string> = new Set([
  ...Object.keys(SESSION_HANDLER_DEFAULTS),
  'authToken',
  'oauth',
  'logger',
  'instanceId',
  'requestStateKey',
]);

/** RFC 7230 token characters: what a header name may contain. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** The SDK's request-state codec needs at least this many key bytes (HMAC-SHA256). */
const MIN_REQUEST_STATE_KEY_BYTES = 32;

function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<T>;
}

/**
 * Throws a `TypeError` naming the first key of `options` that is not in `known`.
 *
 * @example
 * ```ts
 * rejectUnknownOptions({ sesionTtlMs: 1 }, new Set(['sessionTtlMs'])); // TypeError: Unknown option `sesionTtlMs`
 * ```
 */
export function rejectUnknownOptions(options: object, known: ReadonlySet<string>): void {
  for (const key of Object.keys(options)) {
    if (!known.has(key)) {
      const near = [...known].find((name) => name.toLowerCase() === key.toLowerCase());
      throw new TypeError(`Unknown option \`${key}\`${near === undefined ? '' : ` (did you mean \`${near}\`?)`}`);
    }
  }
}

function resolveRequestStateKey(key: string | Uint8Array | undefined): Uint8Array | undefined {
  if (key === undefined) return undefined;
  const bytes = typeof key === 'string' ? new TextEncoder().encode(key) : key instanceof Uint8Array ? Uint8Array.from(key) : undefined;
  if (bytes === undefined || bytes.byteLength < MIN_REQUEST_STATE_KEY_BYTES) {
    const got = bytes === undefined ? typeof key : `${bytes.byteLength} bytes`;
    throw new TypeError(`Expected \`requestStateKey\` to be a string or Uint8Array of at least ${MIN_REQUEST_STATE_KEY_BYTES} bytes, got ${got}`);
  }
  return bytes;
}

function validateEras(eras: unknown): readonly ProtocolEraName[] {
  const valid = Array.isArray(eras) && eras.length > 0 && eras.every((era) => era === 'legacy' || era === 'modern');
  if (!valid) throw new TypeError(`Expected \`eras\` to be a non-empty array of 'legacy' and 'modern', got ${JSON.stringify(eras)}`);
  return [...new Set(eras as ProtocolEraName[])];
}

/**
 * Applies defaults and throws a `TypeError` naming the option for anything out of range. `extraKeys` are option
 * names a caller layers on top (the reference server's `port`, `path`, ...), accepted and ignored here.
 *
 * @example
 * ```ts
 * resolveSessionLayerOptions({ sessionTtlMs: -1 }); // TypeError: Expected `sessionTtlMs` to be a positive integer, got -1
 * ```
 */
export function resolveSessionLayerOptions(
  options: SessionLayerOptions = {},
  extraKeys: readonly string[] = [],
): ResolvedSessionOptions {
  if (typeof options !== 'object' || options === null) throw new TypeError(`Expected options to be an object, got ${String(options)}`);
  rejectUnknownOptions(options, new Set([...SESSION_LAYER_KEYS, ...extraKeys]));
  const picked = Object.fromEntries(Object.entries(options).filter(([key]) => SESSION_LAYER_KEYS.has(key)));
  const merged = { ...SESSION_HANDLER_DEFAULTS, ...definedOnly(picked as SessionLayerOptions) };
  for (const name of POSITIVE_INTEGER_OPTIONS) {
    const value: unknown = merged[name];
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
      throw new TypeError(`Expected \`${name}\` to be a positive integer, got ${String(value)}`);
    }
  }
  if (typeof merged.host !== 'string' || merged.host.length === 0) {
    throw new TypeError(`Expected \`host\` to be a non-empty string, got ${JSON.stringify(merged.host)}`);
  }
  if (typeof merged.sessionHeader !== 'string' || !HEADER_NAME.test(merged.sessionHeader)) {
    throw new TypeError(`Expected \`sessionHeader\` to be a valid header name, got ${JSON.stringify(merged.sessionHeader)}`);
  }
  for (const name of ['allowedOrigins', 'allowedHosts'] as const) {
    const list: unknown = merged[name];
    if (!Array.isArray(list) || list.some((item) => typeof item !== 'string')) {
      throw new TypeError(`Expected \`${name}\` to be an array of strings, got ${JSON.stringify(list)}`);
    }
  }
  if (typeof merged.eventStore !== 'boolean') throw new TypeError(`Expected \`eventStore\` to be a boolean, got ${String(merged.eventStore)}`);
  const authTokens = options.authToken === undefined ? [] : [options.authToken].flat();
  if (authTokens.some((token) => typeof token !== 'string' || token.length === 0)) {
    throw new TypeError('Expected `authToken` to be a non-empty string or an array of them');
  }
  if (options.oauth !== undefined && authTokens.length > 0) {
    throw new TypeError('Expected either `authToken` (static bearer tokens) or `oauth` (an OAuth resource server), got both');
  }
  const oauth = options.oauth === undefined ? undefined : resolveOAuthOptions(options.oauth);
  if (options.instanceId !== undefined && (typeof options.instanceId !== 'string' || options.instanceId.length === 0)) {
    throw new TypeError(`Expected \`instanceId\` to be a non-empty string, got ${String(options.instanceId)}`);
  }
  if (options.logger !== undefined && (typeof options.logger !== 'object' || options.logger === null)) {
    throw new TypeError(`Expected \`logger\` to be an object with debug/info/warn/error methods, got ${String(options.logger)}`);
  }
  return {
    ...merged,
    // Unset: the declared default, or fewer when the process's heap cannot hold that many live sessions.
    maxSessions: options.maxSessions === undefined ? Math.min(merged.maxSessions, sessionsTheHeapHolds()) : merged.maxSessions,
    eras: validateEras(merged.eras),
    authTokens,
    oauth,
    logger: options.logger ?? {},
    instanceId: options.instanceId ?? randomUUID(),
    requestStateKey: resolveRequestStateKey(options.requestStateKey),
  };
}
