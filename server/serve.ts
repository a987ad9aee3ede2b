/**
 * `archon-mcp serve`: option parsing and the run loop, for the CLI to call. Flags win over
 * environment variables, which win over defaults.
 */
import { parseArgs } from 'node:util';
import { oauthFromFlags } from './auth/oauth-serve-flags';
import {
  REFERENCE_ONLY_KEYS,
  type ReferenceServerOptions,
  type ServerLogEntry,
  type ServerLogger,
  resolveReferenceOptions,
} from './reference-options';
import { startReferenceServer } from './reference-server';
import { type ProtocolEraName, resolveSessionLayerOptions } from './session-options';
import type { StoreSpec } from './stores/index';
import { storeKindOf } from './stores/index';

/**
 * `serve` defaults that differ from `startReferenceServer`'s: a fixed port and a persistent store.
 *
 * @example
 * ```ts
 * SERVE_DEFAULTS.port; // 8051
 * ```
 */
export const SERVE_DEFAULTS = { port: 8051, store: 'file:.mcp-data' } as const;

/** Integer flags: flag name -> [option, environment variable]. */
const INTEGER_FLAGS = {
  port: ['port', 'MCP_PORT'],
  'session-ttl': ['sessionTtlMs', 'MCP_SESSION_TTL_MS'],
  'max-sessions': ['maxSessions', 'MCP_MAX_SESSIONS'],
  'retry-interval': ['retryIntervalMs', 'MCP_RETRY_INTERVAL_MS'],
  'max-body-bytes': ['maxBodyBytes', 'MCP_MAX_BODY_BYTES'],
  'cleanup-fast-interval': ['cleanupFastIntervalMs', 'MCP_CLEANUP_FAST_INTERVAL_MS'],
  'cleanup-regular-interval': ['cleanupRegularIntervalMs', 'MCP_CLEANUP_REGULAR_INTERVAL_MS'],
  'cleanup-deep-interval': ['cleanupDeepIntervalMs', 'MCP_CLEANUP_DEEP_INTERVAL_MS'],
  'idle-transport': ['idleTransportMs', 'MCP_IDLE_TRANSPORT_MS'],
  'purge-after': ['purgeAfterMs', 'MCP_PURGE_AFTER_MS'],
  'shutdown-timeout': ['shutdownTimeoutMs', 'MCP_SHUTDOWN_TIMEOUT_MS'],
  'rate-limit': ['rateLimitRequests', 'MCP_RATE_LIMIT'],
} as const satisfies Record<string, readonly [keyof ReferenceServerOptions, string]>;

/** String flags: flag name -> environment variable. */
const STRING_FLAGS = {
  host: 'MCP_HOST',
  path: 'MCP_PATH',
  store: 'MCP_STORE',
  'auth-token': 'MCP_AUTH_TOKEN',
  'allowed-origins': 'MCP_ALLOWED_ORIGINS',
  'allowed-hosts': 'MCP_ALLOWED_HOSTS',
  'session-header': 'MCP_SESSION_HEADER',
  'counter-file': 'MCP_COUNTER_FILE',
  eras: 'MCP_ERAS',
  'oauth-issuer': 'MCP_OAUTH_ISSUER',
  'oauth-resource': 'MCP_OAUTH_RESOURCE',
  'oauth-audience': 'MCP_OAUTH_AUDIENCE',
  'oauth-jwks-uri': 'MCP_OAUTH_JWKS_URI',
  'oauth-scopes': 'MCP_OAUTH_SCOPES',
  'oauth-tool-scopes': 'MCP_OAUTH_TOOL_SCOPES',
} as const;

/**
 * The `serve --help` text.
 *
 * @example
 * ```ts
 * process.stdout.write(serveHelp);
 * ```
 */
export const serveHelp = `Usage: archon-mcp serve [options]

Run the reference MCP server (Streamable HTTP) with persistent sessions.

Options (environment variable in brackets):
  --port <n>                      TCP port, 0 = any free port (default 8051) [MCP_PORT]
  --host <addr>                   Bind address (default 127.0.0.1) [MCP_HOST]
  --path <path>                   MCP endpoint path (default /mcp) [MCP_PATH]
  --store <spec>                  memory | file:<dir> | pglite:<dir> | postgres://... | redis://...
                                  (default file:.mcp-data) [MCP_STORE]
  --session-ttl <ms>              Idle time before a session expires (default 1800000) [MCP_SESSION_TTL_MS]
  --max-sessions <n>              Live sessions before 503 (default 10000) [MCP_MAX_SESSIONS]
  --auth-token <token>            Require this bearer token; sessions bind to it [MCP_AUTH_TOKEN]
  --oauth-issuer <url>            Be an OAuth resource server: JWT access tokens from this issuer;
                                  sessions bind to the token's subject [MCP_OAUTH_ISSUER]
  --oauth-resource <url>          This endpoint's public URL, the tokens' audience (default: the
                                  server's own URL) [MCP_OAUTH_RESOURCE]
  --oauth-audience <a,b>          More accepted token audiences [MCP_OAUTH_AUDIENCE]
  --oauth-jwks-uri <url>          Signing keys (default: jwks_uri of the issuer's metadata) [MCP_OAUTH_JWKS_URI]
  --oauth-scopes <a,b>            Scopes every request needs (403 insufficient_scope) [MCP_OAUTH_SCOPES]
  --oauth-tool-scopes <t=s,...>   Scopes a tool needs, e.g. counter=mcp:write [MCP_OAUTH_TOOL_SCOPES]
  --no-event-store                Disable SSE resumption (Last-Event-ID) [MCP_EVENT_STORE=false]
  --retry-interval <ms>           SSE retry hint (default 1000) [MCP_RETRY_INTERVAL_MS]
  --allowed-origins <a,b>         Extra allowed Origins (DNS rebinding protection) [MCP_ALLOWED_ORIGINS]
  --allowed-hosts <a,b>           Extra allowed Host names [MCP_ALLOWED_HOSTS]
  --max-body-bytes <n>            Request body limit (default 4194304) [MCP_MAX_BODY_BYTES]
  --rate-limit <n>                Requests per second per session before 429 (default 1000) [MCP_RATE_LIMIT]
  --cleanup-fast-interval <ms>    Evict idle local transports (default 30000) [MCP_CLEANUP_FAST_INTERVAL_MS]
  --cleanup-regular-interval <ms> Expire sessions (default 300000) [MCP_CLEANUP_REGULAR_INTERVAL_MS]
  --cleanup-deep-interval <ms>    Purge old records and events (default 86400000) [MCP_CLEANUP_DEEP_INTERVAL_MS]
  --idle-transport <ms>           Idle time before a local transport is evicted (default 600000) [MCP_IDLE_TRANSPORT_MS]
  --purge-after <ms>              Age of ended sessions purged by the deep tier (default 86400000) [MCP_PURGE_AFTER_MS]
  --shutdown-timeout <ms>         Drain deadline on SIGTERM (default 5000) [MCP_SHUTDOWN_TIMEOUT_MS]
  --session-header <name>         App session header (default X-Archon-Session-Id) [MCP_SESSION_HEADER]
  --eras <legacy,modern>          Protocol eras served (default both) [MCP_ERAS]
  --counter-file <path>           Append one line per counter execution [MCP_COUNTER_FILE]
  --test-hooks                    Enable /__archon/* fault injection (never in production) [MCP_TEST_HOOKS=true]
  --conformance-fixtures          Also serve the conformance suite's fixtures (test_simple_text, ...) [MCP_CONFORMANCE_FIXTURES=true]
  --log                           JSON logs on stderr [MCP_LOG=true]
  -h, --help                      Show this help
`;

function parseInteger(source: string, raw: string): number {
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(value)) {
    throw new TypeError(`Expected \`${source}\` to be a non-negative integer, got ${JSON.stringify(raw)}`);
  }
  return value;
}

function parseBoolean(name: string, raw: string): boolean {
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new TypeError(`Expected \`${name}\` to be true or false, got ${JSON.stringify(raw)}`);
}

function parseEras(source: string, raw: string): ProtocolEraName[] {
  const eras = list(raw);
  if (eras.length === 0 || eras.some((era) => era !== 'legacy' && era !== 'modern')) {
    throw new TypeError(`Expected \`${source}\` to be legacy, modern or legacy,modern, got ${JSON.stringify(raw)}`);
  }
  return eras as ProtocolEraName[];
}

function list(raw: string): string[] {
  return raw
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

/** A logger writing one JSON line per entry to stderr. */
function jsonLogger(write: (line: string) => void): ServerLogger {
  const log = (level: string) => (entry: ServerLogEntry) => write(`${JSON.stringify({ level, time: Date.now(), ...entry })}\n`);
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

/**
 * `parseServeOptions` result: server options, or a request for help.
 *
 * @example
 * ```ts
 * const command: ServeCommand = parseServeOptions(process.argv.slice(3), process.env);
 * ```
 */
export type ServeCommand = { help: true } | { help: false; options: ReferenceServerOptions };

/**
 * Parses `serve` flags and environment variables. Throws `TypeError` naming the flag on bad input.
 *
 * @example
 * ```ts
 * const command = parseServeOptions(['--port', '0', '--store', 'memory'], process.env);
 * if (!command.help) await runServe(command.options);
 * ```
 */
export function parseServeOptions(argv: readonly string[], env: Readonly<Record<string, string | undefined>> = {}): ServeCommand {
  const { values, positionals } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: true,
    options: {
      ...Object.fromEntries(Object.keys(INTEGER_FLAGS).map((flag) => [flag, { type: 'string' as const }])),
      ...Object.fromEntries(Object.keys(STRING_FLAGS).map((flag) => [flag, { type: 'string' as const }])),
      'no-event-store': { type: 'boolean' },
      'test-hooks': { type: 'boolean' },
      'conformance-fixtures': { type: 'boolean' },
      log: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const flags: Readonly<Record<string, unknown>> = values;
  if (flags['help'] === true) return { help: true };
  if (positionals.length > 0) throw new TypeError(`Unexpected argument ${JSON.stringify(positionals[0])}`);
  const pick = (flag: string, envName: string): string | undefined => {
    const value = flags[flag];
    return typeof value === 'string' ? value : env[envName];
  };
  // Where a value came from, for messages: the flag when given, else the environment variable.
  const sourceOf = (flag: string, envName: string): string => (typeof flags[flag] === 'string' ? `--${flag}` : envName);
  const options: ReferenceServerOptions = { port: SERVE_DEFAULTS.port, store: SERVE_DEFAULTS.store };
  const integers: Partial<Record<keyof ReferenceServerOptions, number>> = {};
  for (const [flag, [option, envName]] of Object.entries(INTEGER_FLAGS)) {
    const raw = pick(flag, envName);
    if (raw !== undefined) integers[option] = parseInteger(sourceOf(flag, envName), raw);
  }
  Object.assign(options, integers);
  const host = pick('host', STRING_FLAGS.host);
  if (host !== undefined) options.host = host;
  const path = pick('path', STRING_FLAGS.path);
  if (path !== undefined) options.path = path;
  const store = pick('store', STRING_FLAGS.store);
  if (store !== undefined) {
    renamingOption('store', sourceOf('store', STRING_FLAGS.store), () => storeKindOf(store));
    options.store = store as StoreSpec;
  }
  const authToken = pick('auth-token', STRING_FLAGS['auth-token']);
  if (authToken !== undefined) options.authToken = authToken;
  const oauth = oauthFromFlags((flag) => pick(flag, STRING_FLAGS[flag]));
  if (oauth !== undefined) options.oauth = oauth;
  const origins = pick('allowed-origins', STRING_FLAGS['allowed-origins']);
  if (origins !== undefined) options.allowedOrigins = list(origins);
  const hosts = pick('allowed-hosts', STRING_FLAGS['allowed-hosts']);
  if (hosts !== undefined) options.allowedHosts = list(hosts);
  const header = pick('session-header', STRING_FLAGS['session-header']);
  if (header !== undefined) options.sessionHeader = header;
  const counterFile = pick('counter-file', STRING_FLAGS['counter-file']);
  if (counterFile !== undefined) options.counterFile = counterFile;
  if (flags['no-event-store'] === true) options.eventStore = false;
  else if (env['MCP_EVENT_STORE'] !== undefined) options.eventStore = parseBoolean('MCP_EVENT_STORE', env['MCP_EVENT_STORE']);
  const eras = pick('eras', STRING_FLAGS.eras);
  if (eras !== undefined) options.eras = parseEras(sourceOf('eras', STRING_FLAGS.eras), eras);
  if (flags['test-hooks'] === true) options.testHooks = true;
  else if (env['MCP_TEST_HOOKS'] !== undefined) options.testHooks = parseBoolean('MCP_TEST_HOOKS', env['MCP_TEST_HOOKS']);
  if (flags['conformance-fixtures'] === true) options.conformanceFixtures = true;
  else if (env['MCP_CONFORMANCE_FIXTURES'] !== undefined) {
    options.conformanceFixtures = parseBoolean('MCP_CONFORMANCE_FIXTURES', env['MCP_CONFORMANCE_FIXTURES']);
  }
  const log = flags['log'] === true || (env['MCP_LOG'] !== undefined && parseBoolean('MCP_LOG', env['MCP_LOG']));
  if (log) options.logger = jsonLogger((line) => process.stderr.write(line));
  checkAsTheServerWill(options, sourceOf);
  return { help: false, options };
}

function camelCase(flag: string): string {
  return flag.replace(/-(\w)/g, (_, letter: string) => letter.toUpperCase());
}

/** `--oauth-*` flag -> the `oauth.*` option it sets, as the option checks name it. */
const OAUTH_OPTION_BY_FLAG: ReadonlyMap<string, string> = new Map([
  ['oauth-issuer', 'oauth.issuer'],
  ['oauth-resource', 'oauth.resource'],
  ['oauth-audience', 'oauth.audience'],
  ['oauth-jwks-uri', 'oauth.jwksUri'],
  ['oauth-scopes', 'oauth.requiredScopes'],
  ['oauth-tool-scopes', 'oauth.toolScopes'],
]);

/** Option name -> [flag, environment variable], for every option a `serve` flag sets. */
const SOURCES_BY_OPTION: ReadonlyMap<string, readonly [string, string]> = new Map<string, readonly [string, string]>([
  ...Object.entries(INTEGER_FLAGS).map(([flag, [option, envName]]) => [option, [flag, envName]] as const),
  ...Object.entries(STRING_FLAGS).map(([flag, envName]) => [OAUTH_OPTION_BY_FLAG.get(flag) ?? camelCase(flag), [flag, envName]] as const),
]);

/** Runs `check`; a `TypeError` about `` `option` `` is rethrown about `` `source` `` instead. */
function renamingOption(option: string, source: string, check: () => unknown): void {
  try {
    check();
  } catch (error) {
    if (!(error instanceof TypeError) || !error.message.includes(`\`${option}\``)) throw error;
    throw new TypeError(error.message.replace(`\`${option}\``, `\`${source}\``), { cause: error });
  }
}

/**
 * Runs the server's own option checks (session layer, then reference server) now, naming the flag or variable the
 * bad value came from: `--session-ttl 0` is a usage error that says `--session-ttl` (issue #10), not a start-up
 * failure that says `sessionTtlMs`.
 */
function checkAsTheServerWill(options: ReferenceServerOptions, sourceOf: (flag: string, envName: string) => string): void {
  try {
    resolveSessionLayerOptions(options, REFERENCE_ONLY_KEYS);
    resolveReferenceOptions(options);
  } catch (error) {
    const option = error instanceof TypeError ? /^Expected `([\w.]+)`/.exec(error.message)?.[1] : undefined;
    const flag = option === undefined ? undefined : SOURCES_BY_OPTION.get(option);
    if (flag === undefined || option === undefined) throw error;
    renamingOption(option, sourceOf(...flag), () => {
      throw error;
    });
  }
}

/**
 * What `runServe` writes to and listens on.
 *
 * @example
 * ```ts
 * await runServe(options, { stdout: process.stdout, signal: AbortSignal.timeout(60_000) });
 * ```
 */
export interface ServeIo {
  /** Where the listening line goes. @default process.stdout */
  stdout?: { write(chunk: string): unknown };
  /** Stops the server when aborted. Without it, SIGTERM/SIGINT stop it. */
  signal?: AbortSignal;
}

/**
 * Starts the server, prints `Archon MCP server listening on <url>`, and runs until SIGTERM/SIGINT
 * (or `io.signal`), then shuts down gracefully (sessions kept as `draining` for the next start).
 *
 * @example
 * ```ts
 * await runServe({ port: 8051, store: 'file:.mcp-data' });
 * ```
 */
export async function runServe(options: ReferenceServerOptions, io: ServeIo = {}): Promise<void> {
  // The test layer (faults, test stats) stays out of the production path unless test hooks are asked for.
  const server = await startReferenceServer({ testLayer: options.testHooks === true, ...options });
  (io.stdout ?? process.stdout).write(`Archon MCP server listening on ${server.url}\n`);
  const stopRequested = new Promise<void>((resolve) => {
    if (io.signal !== undefined) {
      if (io.signal.aborted) resolve();
      else io.signal.addEventListener('abort', () => resolve(), { once: true });
      return;
    }
    const onSignal = (): void => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      resolve();
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
  await stopRequested;
  await server.close();
}
