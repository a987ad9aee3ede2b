import { SESSION_HANDLER_DEFAULTS, type SessionLayerOptions } from './session-options';

export type { ServerLogEntry, ServerLogger } from './session-options';

/**
 * Options of `startReferenceServer`: the session layer's options plus where to listen and the opt-in test layer.
 * Every field is optional (see `SERVER_DEFAULTS`).
 *
 * @example
 * ```ts
 * const options: ReferenceServerOptions = { port: 0, store: 'pglite:.mcp-data', authToken: process.env.MCP_AUTH_TOKEN };
 * ```
 */
export interface ReferenceServerOptions extends SessionLayerOptions {
  /** TCP port; 0 picks a free one. @default 0 */
  port?: number;
  /** Bind address. Loopback by default so a dev server is not reachable from the network. @default '127.0.0.1' */
  host?: string;
  /** Path of the MCP endpoint. @default '/mcp' */
  path?: string;
  /**
   * Mounts the test layer (fault injection, test stats) in front of the handler. In-process servers (tests) have
   * it by default; `archon-mcp serve` only with `--test-hooks`. @default true
   */
  testLayer?: boolean;
  /** Enables `/__archon/*` test endpoints (faults, stats) over HTTP; needs the test layer. Never in production. @default false */
  testHooks?: boolean;
  /** When set, `counter` appends one line per execution here before answering. */
  counterFile?: string;
  /** Also serves the official conformance suite's fixtures (`test_simple_text`, `test://static-text`, ...). @default false */
  conformanceFixtures?: boolean;
}

/** Options of the reference server that are not the session layer's. */
export const REFERENCE_ONLY_KEYS = ['port', 'path', 'testLayer', 'testHooks', 'counterFile', 'conformanceFixtures'] as const;

/**
 * Every default of the reference server in one place: the session layer's, plus its own.
 *
 * @example
 * ```ts
 * SERVER_DEFAULTS.sessionTtlMs; // 1_800_000
 * ```
 */
export const SERVER_DEFAULTS = {
  ...SESSION_HANDLER_DEFAULTS,
  port: 0,
  path: '/mcp',
  testLayer: true,
  testHooks: false,
  conformanceFixtures: false,
} as const satisfies Required<Omit<ReferenceServerOptions, 'authToken' | 'oauth' | 'counterFile' | 'logger' | 'instanceId' | 'requestStateKey'>>;

/**
 * The reference server's own options after defaults and validation (the session layer validates the rest).
 *
 * @example
 * ```ts
 * const { port, path } = resolveReferenceOptions({ port: 8051 });
 * ```
 */
export function resolveReferenceOptions(options: ReferenceServerOptions): {
  port: number;
  path: string;
  testLayer: boolean;
  testHooks: boolean;
  counterFile: string | undefined;
  conformanceFixtures: boolean;
} {
  const port = options.port ?? SERVER_DEFAULTS.port;
  const path = options.path ?? SERVER_DEFAULTS.path;
  const testHooks = options.testHooks ?? SERVER_DEFAULTS.testHooks;
  const testLayer = options.testLayer ?? SERVER_DEFAULTS.testLayer;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new TypeError(`Expected \`port\` to be an integer from 0 to 65535, got ${String(port)}`);
  }
  if (typeof path !== 'string' || !path.startsWith('/')) {
    throw new TypeError(`Expected \`path\` to start with "/", got ${JSON.stringify(path)}`);
  }
  if (testHooks && !testLayer) throw new TypeError('Expected `testLayer` to be true when `testHooks` is, got false');
  if (options.counterFile !== undefined && (typeof options.counterFile !== 'string' || options.counterFile.length === 0)) {
    throw new TypeError(`Expected \`counterFile\` to be a non-empty path, got ${String(options.counterFile)}`);
  }
  const conformanceFixtures = options.conformanceFixtures ?? SERVER_DEFAULTS.conformanceFixtures;
  if (typeof conformanceFixtures !== 'boolean') throw new TypeError(`Expected \`conformanceFixtures\` to be a boolean, got ${String(conformanceFixtures)}`);
  return { port, path, testLayer, testHooks, counterFile: options.counterFile, conformanceFixtures };
}
