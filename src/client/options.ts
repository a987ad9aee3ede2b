/**
 * Every MCPClient option, its default (declared once, here) and its validation. The docs test checks
 * that each option in this file is documented, so all options live in this one file.
 */
import type { AuthProvider, ClientCapabilities, Implementation, OAuthClientProvider } from '@modelcontextprotocol/client';
import { AUTH_COORDINATOR_DEFAULTS, type MCPClientAuthOptions, resolveAuthOptions } from '../auth/auth-options';
import type { TokenStore } from '../auth/token-store';
import type { Dispatcher } from 'undici';
import { type CircuitBreakerOptions, type ReplayPolicy, type ResolvedRetryOptions, type RetryOptions, resolveRetryOptions } from '../retry/index';
import type { EraPreference } from '../session/era';
import type { OpenTelemetryTracer } from '../telemetry/index';
import type { FetchLike } from '../transport/http-seam';
import { ClientAuth } from './client-auth';
import { type InputHandlers, capabilitiesWithHandlers } from './input-handlers';
import type { McpClientLogger } from './logger';
import { describe, envUrl, expect, positiveInteger, resolveBreaker, resolveHandlers, resolveInputHandlers, TOKEN } from './option-checks';
import { assertKnownOptions } from './unknown-options';
import { CLIENT_VERSION } from './version';

/**
 * Options of `new MCPClient(options)`.
 *
 * @example
 * ```ts
 * const client = new MCPClient({ url: 'http://localhost:8051/mcp', timeoutMs: 30_000, logger: console });
 * ```
 */
export interface MCPClientOptions {
  /** The MCP endpoint. @default process.env.ARCHON_MCP_URL, then 'http://localhost:8051/mcp' */
  url?: string | URL;
  /** The application session id, sent on every request in `sessionHeader`. @default crypto.randomUUID() */
  sessionId?: string;
  /** Header carrying the application session id. @default 'X-Archon-Session-Id' */
  sessionHeader?: string;
  /** Extra headers on every request (e.g. a static `authorization`). Values are never logged. @default {} */
  headers?: Record<string, string>;
  /**
   * OAuth for servers that require it: the official SDK's `OAuthClientProvider` (its `ClientCredentialsProvider`,
   * `PrivateKeyJwtProvider`, or your own for a user login), or the minimal `{ token(), onUnauthorized?() }`. Every
   * request (handshake, calls, streams) carries its token; a 401 runs discovery, registration, PKCE or refresh once
   * for all concurrent calls and resends the request without spending a retry; `403 insufficient_scope` steps up.
   * When a user must act, calls reject with `AuthRequiredError` (`authorizationUrl`) until `finishAuth()`.
   * @default undefined (no authorization: a 401 is a definite `HttpError`)
   */
  authProvider?: OAuthClientProvider | AuthProvider;
  /**
   * Where tokens and client registrations live instead of in the `OAuthClientProvider`: a `FileTokenStore`
   * shares them, and one refresh, between processes. Needs `authProvider`. @default undefined (the provider's own storage)
   */
  tokenStore?: TokenStore;
  /** Token lifecycle of the `authProvider`: refresh ahead of expiry, step-up bound, authorization-server limits. @default AUTH_COORDINATOR_DEFAULTS */
  auth?: MCPClientAuthOptions;
  /** Sent in initialize. @default { name: 'archon-mcp-client', version: <package version> } */
  clientInfo?: Implementation;
  /** Client capabilities, sent in initialize (legacy) or in every request's `_meta` (modern). @default {} */
  capabilities?: ClientCapabilities;
  /**
   * Protocol era: `'auto'` sends a 2026-07-28 request first and falls back to `initialize` when the server
   * answers as a legacy server (the verdict is cached per endpoint for the process); `'legacy'` and `'modern'`
   * pin one era and never fall back. @default 'auto'
   */
  era?: EraPreference;
  /** Protocol version offered in `initialize` when the server is legacy (the modern version is 2026-07-28). @default '2025-11-25' */
  protocolVersion?: string;
  /** Time limit of one attempt of one request, in ms. @default 60_000 */
  timeoutMs?: number;
  /** Time limit of initialize, in ms. @default 10_000 */
  connectTimeoutMs?: number;
  /** How long `close()` waits for the DELETE, in ms. @default 2_000 */
  closeTimeoutMs?: number;
  /** Largest response body (or single SSE event) accepted, in bytes after content decoding. @default 16 MiB */
  maxResponseBytes?: number;
  /** Most items one "all pages" listing (`listTools()`, `listResources()`...) accepts over all its pages. @default 100_000 */
  maxListItems?: number;
  /** Largest total size of one "all pages" listing: the length of its items' JSON text. @default 32 MiB */
  maxListBytes?: number;
  /** Longest a response stream is drained after its result before its socket is destroyed, in ms. @default 1_000 */
  drainTimeoutMs?: number;
  /** Reject `callTool` with ToolCallError when the result has `isError: true`. @default true */
  throwOnToolError?: boolean;
  /** Open the GET stream for server notifications once connected. @default true */
  listen?: boolean;
  /** Use this fetch instead of undici (msw tests, browsers, edge runtimes). @default undefined (undici) */
  fetch?: FetchLike;
  /** Use this undici dispatcher instead of a client-owned Agent; it is not closed by `close()`. @default undefined */
  dispatcher?: Dispatcher;
  /** Structured logger (console/pino compatible). @default undefined (silent) */
  logger?: McpClientLogger;
  /** Retry policy of every request; `false` turns retrying (and recovery) off. @default RETRY_DEFAULTS (6 retries, 100..5000 ms, 30 s budget) */
  retry?: RetryOptions | false;
  /** When a request whose answer was lost may be resent: 'safe' (read-only/idempotent), 'never', 'always'. @default 'safe' */
  replay?: ReplayPolicy;
  /** Believe the server's readOnlyHint/idempotentHint annotations for replay (spec: only for trusted servers). @default true */
  trustAnnotations?: boolean;
  /** Time limit of one whole call (attempts, waits, recovery), in ms. @default 120_000 */
  totalTimeoutMs?: number;
  /**
   * Circuit breaker: after `failureThreshold` consecutive calls that exhausted their retries, calls fail fast
   * with ConnectionError('circuit_open') for `coolDownMs`, then one probe is let through. More than
   * `sessionLossThreshold` sessions lost soon after their handshake within `sessionLossWindowMs` put the client in
   * the `degraded` state (calls fail fast with ConnectionError('degraded') until a recovery holds). `false`
   * disables both circuits (recoveries are still paced).
   * @default { failureThreshold: 5, coolDownMs: 10_000, sessionLossThreshold: 3, sessionLossWindowMs: 60_000 }
   */
  breaker?: Omit<CircuitBreakerOptions, 'now'> | false;
  /**
   * Typed answers to what the server asks of the client: `elicitation`, `sampling`, `roots`. Used for legacy
   * server->client requests and for modern `input_required` rounds alike; the client declares the matching
   * capabilities and checks each result against the SDK's schema before sending it. @default {}
   */
  handlers?: InputHandlers;
  /** Most `input_required` rounds one modern call may go through before it fails with InputRoundError. @default 8 */
  maxInputRounds?: number;
  /**
   * Serve list results and `resources/read` from the process-wide response cache while the server's `ttlMs`
   * says they are fresh (2026-07-28 servers; `private` results only to clients with the same headers). @default true
   */
  cache?: boolean;
  /**
   * The escape hatch for legacy server->client requests by method that `handlers` does not cover: the return
   * value is the result, a throw becomes a JSON-RPC error. `ping` is always answered; other methods get -32601.
   * Declare the matching `capabilities` yourself. @default {}
   */
  requestHandlers?: Record<string, (params: Record<string, unknown> | undefined) => unknown>;
  /**
   * OpenTelemetry tracing of every request: a CLIENT span per call and `params._meta.traceparent` on the wire.
   * `'auto'`: trace through the global tracer provider when the optional peer `@opentelemetry/api` is
   * installed, and load nothing when it is not. `true`: the same, plus a warning through `logger` when it is
   * missing. `false`: never trace, never load it. @default 'auto'
   */
  tracing?: boolean | 'auto';
  /** Trace with this OpenTelemetry `Tracer` instead of the global provider's: nothing is loaded, the first call is traced. @default undefined */
  tracer?: OpenTelemetryTracer;
  /** Random source in [0, 1) for jitter. @default Math.random */
  random?: () => number;
  /** Clock in ms. @default Date.now */
  now?: () => number;
}

/**
 * Defaults of every option that has a static default.
 *
 * @example
 * ```ts
 * console.log(MCP_CLIENT_DEFAULTS.timeoutMs); // 60000
 * ```
 */
export const MCP_CLIENT_DEFAULTS = {
  url: 'http://localhost:8051/mcp',
  sessionHeader: 'X-Archon-Session-Id',
  headers: {},
  clientInfo: { name: 'archon-mcp-client', version: CLIENT_VERSION },
  capabilities: {},
  era: 'auto',
  // The latest legacy version (both SDK lines default to it for initialize); notes/clients-survey.md.
  protocolVersion: '2025-11-25',
  timeoutMs: 60_000,
  connectTimeoutMs: 10_000,
  closeTimeoutMs: 2_000,
  maxResponseBytes: 16 * 1024 * 1024,
  maxListItems: 100_000,
  maxListBytes: 32 * 1024 * 1024,
  drainTimeoutMs: 1_000,
  throwOnToolError: true,
  listen: true,
  retry: {},
  replay: 'safe',
  trustAnnotations: true,
  totalTimeoutMs: 120_000,
  breaker: { failureThreshold: 5, coolDownMs: 10_000, sessionLossThreshold: 3, sessionLossWindowMs: 60_000 },
  handlers: {},
  maxInputRounds: 8,
  cache: true,
  requestHandlers: {},
  tracing: 'auto',
  random: Math.random,
  now: Date.now,
} as const satisfies Required<Omit<MCPClientOptions, 'sessionId' | 'fetch' | 'dispatcher' | 'logger' | 'tracer' | 'authProvider' | 'tokenStore' | 'auth'>>;

/**
 * Options after defaults and validation.
 *
 * @example
 * ```ts
 * const { timeoutMs, retry } = resolveClientOptions({ url });
 * ```
 */
export interface ResolvedClientOptions {
  readonly url: URL;
  readonly sessionId: string;
  readonly sessionHeader: string;
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  /** The client's authorization (from `authProvider`, `tokenStore`, `auth`); one per client, shared by every exchange. */
  readonly auth: ClientAuth | undefined;
  readonly clientInfo: Implementation;
  readonly capabilities: ClientCapabilities;
  readonly era: EraPreference;
  readonly protocolVersion: string;
  readonly timeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly closeTimeoutMs: number;
  readonly maxResponseBytes: number;
  readonly maxListItems: number;
  readonly maxListBytes: number;
  readonly drainTimeoutMs: number;
  readonly throwOnToolError: boolean;
  readonly listen: boolean;
  readonly fetch: FetchLike | undefined;
  readonly dispatcher: Dispatcher | undefined;
  readonly logger: McpClientLogger | undefined;
  readonly retry: ResolvedRetryOptions;
  readonly replay: ReplayPolicy;
  readonly trustAnnotations: boolean;
  readonly totalTimeoutMs: number;
  readonly breaker: Required<Omit<CircuitBreakerOptions, 'now'>> | false;
  readonly handlers: InputHandlers;
  readonly maxInputRounds: number;
  readonly cache: boolean;
  readonly requestHandlers: ReadonlyMap<string, (params: Record<string, unknown> | undefined) => unknown>;
  readonly tracing: boolean | 'auto';
  readonly tracer: OpenTelemetryTracer | undefined;
  readonly random: () => number;
  readonly now: () => number;
}

/**
 * Applies defaults and validates. Throws `TypeError` with an "Expected `x` to be ..., got ..." message.
 *
 * @example
 * ```ts
 * resolveClientOptions({ timeoutMs: -1 }); // TypeError: Expected `timeoutMs` to be a positive integer, got -1
 * ```
 */
export function resolveClientOptions(options: MCPClientOptions = {}): ResolvedClientOptions {
  expect(typeof options === 'object' && options !== null, 'options', 'an object', options);
  assertKnownOptions(options, 'client');
  const rawUrl = options.url ?? envUrl() ?? MCP_CLIENT_DEFAULTS.url;
  let url: URL | undefined;
  try {
    url = new URL(rawUrl);
  } catch {
    url = undefined;
  }
  expect(url !== undefined && (url.protocol === 'http:' || url.protocol === 'https:'), 'url', 'an http(s) URL', rawUrl);
  const sessionId: unknown = options.sessionId ?? globalThis.crypto.randomUUID();
  if (typeof sessionId !== 'string' || sessionId.length === 0) {
    throw new TypeError(`Expected \`sessionId\` to be a non-empty string, got ${describe(sessionId)}`);
  }
  const sessionHeader = options.sessionHeader ?? MCP_CLIENT_DEFAULTS.sessionHeader;
  expect(typeof sessionHeader === 'string' && TOKEN.test(sessionHeader), 'sessionHeader', 'an HTTP header name', sessionHeader);
  const rawHeaders = options.headers ?? MCP_CLIENT_DEFAULTS.headers;
  expect(typeof rawHeaders === 'object' && rawHeaders !== null && !Array.isArray(rawHeaders), 'headers', 'an object of strings', rawHeaders);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(rawHeaders)) {
    expect(TOKEN.test(name), `headers`, 'an object whose keys are HTTP header names', name);
    expect(typeof value === 'string', `headers.${name}`, 'a string', value);
    headers[name.toLowerCase()] = value;
  }
  const clientInfo = options.clientInfo ?? MCP_CLIENT_DEFAULTS.clientInfo;
  expect(typeof clientInfo?.name === 'string' && typeof clientInfo.version === 'string', 'clientInfo', 'an object with string `name` and `version`', clientInfo);
  const protocolVersion = options.protocolVersion ?? MCP_CLIENT_DEFAULTS.protocolVersion;
  expect(typeof protocolVersion === 'string' && protocolVersion.length > 0, 'protocolVersion', 'a non-empty string', protocolVersion);
  const era = options.era ?? MCP_CLIENT_DEFAULTS.era;
  expect(era === 'auto' || era === 'legacy' || era === 'modern', 'era', "'auto', 'legacy' or 'modern'", era);
  const replay = options.replay ?? MCP_CLIENT_DEFAULTS.replay;
  expect(replay === 'safe' || replay === 'never' || replay === 'always', 'replay', "'safe', 'never' or 'always'", replay);
  const breaker = resolveBreaker(options.breaker, MCP_CLIENT_DEFAULTS.breaker);
  const handlers = resolveInputHandlers(options.handlers);
  const requestHandlers = resolveHandlers(options.requestHandlers, handlers);
  for (const name of ['throwOnToolError', 'listen', 'trustAnnotations', 'cache'] as const) {
    const value = options[name];
    expect(value === undefined || typeof value === 'boolean', name, 'a boolean', value);
  }
  for (const name of ['fetch', 'random', 'now'] as const) {
    const value = options[name];
    expect(value === undefined || typeof value === 'function', name, 'a function', value);
  }
  const dispatcher = options.dispatcher;
  expect(dispatcher === undefined || typeof dispatcher?.request === 'function', 'dispatcher', 'an undici Dispatcher', dispatcher);
  expect(options.logger === undefined || (typeof options.logger === 'object' && options.logger !== null), 'logger', 'a logger object', options.logger);
  const tracing = options.tracing ?? MCP_CLIENT_DEFAULTS.tracing;
  expect(tracing === true || tracing === false || tracing === 'auto', 'tracing', "a boolean or 'auto'", tracing);
  const tracer = options.tracer;
  expect(tracer === undefined || typeof tracer?.startSpan === 'function', 'tracer', 'an OpenTelemetry Tracer', tracer);
  return {
    url: url as URL,
    sessionId,
    sessionHeader,
    headers,
    auth: resolveClientAuth(options, url as URL, headers),
    clientInfo,
    capabilities: capabilitiesWithHandlers(options.capabilities ?? MCP_CLIENT_DEFAULTS.capabilities, handlers),
    era,
    protocolVersion,
    timeoutMs: positiveInteger('timeoutMs', options.timeoutMs ?? MCP_CLIENT_DEFAULTS.timeoutMs),
    connectTimeoutMs: positiveInteger('connectTimeoutMs', options.connectTimeoutMs ?? MCP_CLIENT_DEFAULTS.connectTimeoutMs),
    closeTimeoutMs: positiveInteger('closeTimeoutMs', options.closeTimeoutMs ?? MCP_CLIENT_DEFAULTS.closeTimeoutMs),
    maxResponseBytes: positiveInteger('maxResponseBytes', options.maxResponseBytes ?? MCP_CLIENT_DEFAULTS.maxResponseBytes),
    maxListItems: positiveInteger('maxListItems', options.maxListItems ?? MCP_CLIENT_DEFAULTS.maxListItems),
    maxListBytes: positiveInteger('maxListBytes', options.maxListBytes ?? MCP_CLIENT_DEFAULTS.maxListBytes),
    drainTimeoutMs: positiveInteger('drainTimeoutMs', options.drainTimeoutMs ?? MCP_CLIENT_DEFAULTS.drainTimeoutMs),
    throwOnToolError: options.throwOnToolError ?? MCP_CLIENT_DEFAULTS.throwOnToolError,
    listen: options.listen ?? MCP_CLIENT_DEFAULTS.listen,
    fetch: options.fetch,
    dispatcher,
    logger: options.logger,
    retry: resolveRetryOptions(options.retry ?? MCP_CLIENT_DEFAULTS.retry),
    replay,
    trustAnnotations: options.trustAnnotations ?? MCP_CLIENT_DEFAULTS.trustAnnotations,
    totalTimeoutMs: positiveInteger('totalTimeoutMs', options.totalTimeoutMs ?? MCP_CLIENT_DEFAULTS.totalTimeoutMs),
    breaker,
    handlers,
    maxInputRounds: positiveInteger('maxInputRounds', options.maxInputRounds ?? MCP_CLIENT_DEFAULTS.maxInputRounds),
    cache: options.cache ?? MCP_CLIENT_DEFAULTS.cache,
    requestHandlers,
    tracing,
    tracer,
    random: options.random ?? MCP_CLIENT_DEFAULTS.random,
    now: options.now ?? MCP_CLIENT_DEFAULTS.now,
  };
}

/**
 * The `authProvider`, `tokenStore` and `auth` options as one `ClientAuth`, validated now (the coordinator itself
 * is loaded on the first request).
 */
function resolveClientAuth(options: MCPClientOptions, url: URL, headers: Readonly<Record<string, string>>): ClientAuth | undefined {
  const { authProvider, tokenStore, auth = {} } = options;
  if (authProvider === undefined) {
    expect(tokenStore === undefined, 'tokenStore', 'used with `authProvider` (it stores that provider\'s tokens)', tokenStore);
    expect(options.auth === undefined, 'auth', 'used with `authProvider`', options.auth);
    return undefined;
  }
  expect(headers.authorization === undefined, 'headers.authorization', 'absent when `authProvider` supplies the credentials', headers.authorization);
  expect(typeof auth === 'object' && auth !== null && !Array.isArray(auth), 'auth', 'an object', auth);
  for (const name of Object.keys(auth)) expect(name in AUTH_COORDINATOR_DEFAULTS, 'auth', `an object with only ${Object.keys(AUTH_COORDINATOR_DEFAULTS).join(', ')}`, name);
  const coordinatorOptions = {
    ...auth,
    serverUrl: url,
    authProvider,
    ...(tokenStore === undefined ? {} : { tokenStore }),
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(options.random === undefined ? {} : { random: options.random }),
  };
  // Throws TypeError for a wrong provider shape, store or number, naming the option as the coordinator knows it.
  resolveAuthOptions(coordinatorOptions);
  return new ClientAuth(coordinatorOptions);
}
