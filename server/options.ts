import { randomUUID } from 'node:crypto';
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
 * await startReferenceServer({ logger: console });            // or a pino logger
 * ```
 */
export interface ServerLogger {
  debug?(entry: ServerLogEntry): void;
  info?(entry: ServerLogEntry): void;
  warn?(entry: ServerLogEntry): void;
  error?(entry: ServerLogEntry): void;
}

/**
 * Options of `startReferenceServer`; every field is optional (see `SERVER_DEFAULTS`).
 *
 * @example
 * ```ts
 * const options: ReferenceServerOptions = { port: 0, store: 'pglite:.mcp-data', authToken: process.env.MCP_AUTH_TOKEN };
 * ```
 */
export interface ReferenceServerOptions {
  /** TCP port; 0 picks a free one. @default 0 */
  port?: number;
  /** Bind address. Loopback by default so a dev server is not reachable from the network. @default '127.0.0.1' */
  host?: string;
  /** Path of the MCP endpoint. @default '/mcp' */
  path?: string;
  /** Where sessions live. @default 'memory' */
  store?: StoreSpec;
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
  /** Live sessions this instance accepts; beyond it `initialize` gets 503 + Retry-After. @default 10_000 */
  maxSessions?: number;
  /** Bearer token(s); when set every request needs one, and a session is bound to the token that created it. */
  authToken?: string | readonly string[];
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
  /** Non-active records last active longer ago than this are purged by the deep tier. @default 86_400_000 */
  purgeAfterMs?: number;
  /** How long `close()` waits for in-flight requests. @default 5_000 */
  shutdownTimeoutMs?: number;
  /** Identifies this process in session records (`ownerInstance`). @default a random UUID */
  instanceId?: string;
  /** Enables `/__archon/*` test endpoints (faults, stats). Never in production. @default false */
  testHooks?: boolean;
  /** When set, `counter` appends one line per execution here before answering. */
  counterFile?: string;
  /** Structured logger (console or pino). Silent by default. */
  logger?: ServerLogger;
}

type DefaultedOptions = Required<Omit<ReferenceServerOptions, 'authToken' | 'counterFile' | 'logger' | 'instanceId'>>;

/**
 * Every default in one place.
 *
 * @example
 * ```ts
 * SERVER_DEFAULTS.sessionTtlMs; // 1_800_000
 * ```
 */
export const SERVER_DEFAULTS = {
  port: 0,
  host: '127.0.0.1',
  path: '/mcp',
  store: 'memory',
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
  purgeAfterMs: 86_400_000,
  shutdownTimeoutMs: 5_000,
  testHooks: false,
} as const satisfies DefaultedOptions;

/**
 * Options after defaults and validation.
 *
 * Options after `resolveServerOptions`.
 *
 * @example
 * ```ts
 * const resolved: ResolvedServerOptions = resolveServerOptions({ port: 0 });
 * ```
 */
export interface ResolvedServerOptions extends DefaultedOptions {
  authTokens: readonly string[];
  counterFile: string | undefined;
  logger: ServerLogger;
  instanceId: string;
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
  'purgeAfterMs',
  'shutdownTimeoutMs',
] as const;

/** RFC 7230 token characters: what a header name may contain. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<T>;
}

/**
 * Applies defaults and throws a `TypeError` naming the option for anything out of range.
 *
 * @example
 * ```ts
 * resolveServerOptions({ sessionTtlMs: -1 }); // TypeError: Expected `sessionTtlMs` to be a positive integer, got -1
 * ```
 */
export function resolveServerOptions(options: ReferenceServerOptions = {}): ResolvedServerOptions {
  const merged = { ...SERVER_DEFAULTS, ...definedOnly(options) };
  for (const name of POSITIVE_INTEGER_OPTIONS) {
    const value: unknown = merged[name];
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
      throw new TypeError(`Expected \`${name}\` to be a positive integer, got ${String(value)}`);
    }
  }
  if (!Number.isInteger(merged.port) || merged.port < 0 || merged.port > 65_535) {
    throw new TypeError(`Expected \`port\` to be an integer from 0 to 65535, got ${String(merged.port)}`);
  }
  if (!merged.path.startsWith('/')) {
    throw new TypeError(`Expected \`path\` to start with "/", got ${JSON.stringify(merged.path)}`);
  }
  if (!HEADER_NAME.test(merged.sessionHeader)) {
    throw new TypeError(`Expected \`sessionHeader\` to be a valid header name, got ${JSON.stringify(merged.sessionHeader)}`);
  }
  const authTokens = options.authToken === undefined ? [] : [options.authToken].flat();
  if (authTokens.some((token) => typeof token !== 'string' || token.length === 0)) {
    throw new TypeError('Expected `authToken` to be a non-empty string or an array of them');
  }
  return {
    ...merged,
    authTokens,
    counterFile: options.counterFile,
    logger: options.logger ?? {},
    instanceId: options.instanceId ?? randomUUID(),
  };
}
