/**
 * Options of `createAuthCoordinator`, their defaults (declared once, here) and their validation.
 */
import type { AuthProvider, OAuthClientProvider } from '@modelcontextprotocol/client';
import type { McpClientLogger } from '../client/logger';
import type { FetchLike } from '../transport/http-seam';
import type { TokenStore } from './token-store';

/**
 * @example
 * ```ts
 * const options: AuthCoordinatorOptions = { serverUrl: 'https://mcp.example.com/mcp', authProvider, tokenStore: new FileTokenStore() };
 * ```
 */
export interface AuthCoordinatorOptions {
  /** The MCP endpoint: the protected resource the tokens are for. */
  serverUrl: string | URL;
  /**
   * The official SDK's `OAuthClientProvider` (its `ClientCredentialsProvider`, `PrivateKeyJwtProvider`, or your
   * own), or the minimal `{ token(), onUnauthorized?() }`.
   */
  authProvider: OAuthClientProvider | AuthProvider;
  /**
   * Where tokens and client registrations live instead of in the provider: a `FileTokenStore` shares them (and
   * one refresh) between processes. Only used with an `OAuthClientProvider`. @default undefined (the provider's own storage)
   */
  tokenStore?: TokenStore;
  /** Refresh when less than this is left of the access token's `expires_in`, in ms. @default 60_000 */
  refreshAheadMs?: number;
  /** Up to this much earlier again, random per token, so processes sharing a token do not refresh in step, in ms. @default 30_000 */
  refreshJitterMs?: number;
  /** After a failed early refresh, keep using the current token and try again no sooner than this, in ms. @default 5_000 */
  refreshRetryDelayMs?: number;
  /** Step-up authorizations one request may trigger after `403 insufficient_scope` before it fails. @default 1 */
  maxStepUps?: number;
  /** Time limit for each request to the authorization server (and the resource metadata), in ms. @default 10_000 */
  requestTimeoutMs?: number;
  /** Largest authorization-server response body read, in bytes (after decoding). @default 1_048_576 */
  maxResponseBytes?: number;
  /** Fetch for the authorization server and the metadata documents. @default globalThis.fetch */
  fetch?: FetchLike;
  /** Structured logs (console- and pino-compatible); silent by default, never logs tokens. @default undefined */
  logger?: McpClientLogger;
  /** Clock seam for tests, epoch ms. @default Date.now */
  now?: () => number;
  /** Randomness seam for the refresh jitter, in [0, 1). @default Math.random */
  random?: () => number;
}

/**
 * The token-lifecycle knobs MCPClient takes in its `auth` option (its `authProvider`, `tokenStore`, `fetch`,
 * `logger`, `now` and `random` options fill in the rest).
 *
 * @example
 * ```ts
 * const auth: MCPClientAuthOptions = { refreshAheadMs: 120_000, maxStepUps: 2 };
 * ```
 */
export type MCPClientAuthOptions = Pick<
  AuthCoordinatorOptions,
  'refreshAheadMs' | 'refreshJitterMs' | 'refreshRetryDelayMs' | 'maxStepUps' | 'requestTimeoutMs' | 'maxResponseBytes'
>;

/**
 * The defaults of {@link AuthCoordinatorOptions}.
 *
 * @example
 * ```ts
 * const aheadMs = options.refreshAheadMs ?? AUTH_COORDINATOR_DEFAULTS.refreshAheadMs;
 * ```
 */
export const AUTH_COORDINATOR_DEFAULTS = {
  refreshAheadMs: 60_000,
  refreshJitterMs: 30_000,
  refreshRetryDelayMs: 5_000,
  maxStepUps: 1,
  requestTimeoutMs: 10_000,
  maxResponseBytes: 1_048_576,
} as const satisfies Required<
  Pick<
    AuthCoordinatorOptions,
    'refreshAheadMs' | 'refreshJitterMs' | 'refreshRetryDelayMs' | 'maxStepUps' | 'requestTimeoutMs' | 'maxResponseBytes'
  >
>;

/** Options after validation, with defaults applied. */
export interface ResolvedAuthOptions {
  readonly serverUrl: URL;
  readonly authProvider: OAuthClientProvider | AuthProvider;
  readonly tokenStore: TokenStore | undefined;
  readonly refreshAheadMs: number;
  readonly refreshJitterMs: number;
  readonly refreshRetryDelayMs: number;
  readonly maxStepUps: number;
  readonly requestTimeoutMs: number;
  readonly maxResponseBytes: number;
  readonly fetch: FetchLike;
  readonly logger: McpClientLogger | undefined;
  readonly now: () => number;
  readonly random: () => number;
}

/** Timers cannot wait longer than 2^31-1 ms; longer values would fire at once. */
const MAX_DELAY_MS = 2_147_483_647;

function fail(name: string, expected: string, got: unknown): never {
  const shown =
    typeof got === 'function'
      ? 'a function'
      : typeof got === 'string'
        ? JSON.stringify(got)
        : typeof got === 'object' && got !== null
          ? Array.isArray(got) ? 'an array' : 'an object'
          : String(got);
  throw new TypeError(`Expected \`${name}\` to be ${expected}, got ${shown}`);
}

function integerOption(options: AuthCoordinatorOptions, name: keyof typeof AUTH_COORDINATOR_DEFAULTS, min: number, max: number): number {
  const value = options[name] ?? AUTH_COORDINATOR_DEFAULTS[name];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    fail(name, `an integer from ${min} to ${max}`, value);
  }
  return value;
}

/** True for the SDK's full OAuth provider shape; the same test the SDK's transports apply. */
export function isOAuthClientProvider(provider: unknown): provider is OAuthClientProvider {
  if (typeof provider !== 'object' || provider === null) return false;
  const candidate = provider as Partial<OAuthClientProvider>;
  return typeof candidate.tokens === 'function' && typeof candidate.clientInformation === 'function';
}

/**
 * Validates and completes the options; throws `TypeError` naming the option, what was expected and what came.
 *
 * @example
 * ```ts
 * const resolved = resolveAuthOptions({ serverUrl: 'http://127.0.0.1:8051/mcp', authProvider: { token: async () => 'secret' } });
 * ```
 */
export function resolveAuthOptions(options: AuthCoordinatorOptions): ResolvedAuthOptions {
  if (typeof options !== 'object' || options === null) fail('options', 'an object', options);
  let serverUrl: URL;
  try {
    serverUrl = new URL(String(options.serverUrl));
  } catch {
    fail('serverUrl', 'an http(s) URL', options.serverUrl);
  }
  if (serverUrl.protocol !== 'http:' && serverUrl.protocol !== 'https:') fail('serverUrl', 'an http(s) URL', options.serverUrl);
  serverUrl.hash = '';
  const provider = options.authProvider;
  const minimal = typeof provider === 'object' && provider !== null && typeof (provider as Partial<AuthProvider>).token === 'function';
  if (!isOAuthClientProvider(provider) && !minimal) {
    fail('authProvider', 'an OAuthClientProvider or { token(), onUnauthorized?() }', provider);
  }
  const store = options.tokenStore;
  if (store !== undefined && (typeof store !== 'object' || store === null || typeof store.read !== 'function' || typeof store.write !== 'function')) {
    fail('tokenStore', 'a TokenStore (read, write, remove)', store);
  }
  for (const name of ['fetch', 'now', 'random'] as const) {
    if (options[name] !== undefined && typeof options[name] !== 'function') fail(name, 'a function', options[name]);
  }
  const fetchImpl = options.fetch ?? (globalThis.fetch as FetchLike | undefined);
  if (fetchImpl === undefined) fail('fetch', 'a fetch function (this runtime has no global fetch)', undefined);
  return {
    serverUrl,
    authProvider: provider,
    tokenStore: store,
    refreshAheadMs: integerOption(options, 'refreshAheadMs', 0, MAX_DELAY_MS),
    refreshJitterMs: integerOption(options, 'refreshJitterMs', 0, MAX_DELAY_MS),
    refreshRetryDelayMs: integerOption(options, 'refreshRetryDelayMs', 0, MAX_DELAY_MS),
    maxStepUps: integerOption(options, 'maxStepUps', 0, 10),
    requestTimeoutMs: integerOption(options, 'requestTimeoutMs', 1, MAX_DELAY_MS),
    maxResponseBytes: integerOption(options, 'maxResponseBytes', 1_024, 64 * 1_048_576),
    fetch: fetchImpl,
    logger: options.logger,
    now: options.now ?? Date.now,
    random: options.random ?? Math.random,
  };
}
