/**
 * The debug switch from the environment (issue #10, "Debugging"): `ARCHON_MCP_LOG=debug` (or `info`, `warn`,
 * `error`) or `DEBUG=archon-mcp*` (the `debug` package's convention, as in undici's `NODE_DEBUG=undici`)
 * turns on one line on stderr per retry, recovery, era and session decision, for clients that were given
 * no `logger`. Read once, at the first log line.
 */
import type { LogLevel, McpClientLogger } from './logger';

/** The namespace `DEBUG` patterns are matched against. */
const NAMESPACE = 'archon-mcp:client';
const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

type Env = Readonly<Record<string, string | undefined>>;

/** `DEBUG` holds comma- or space-separated patterns with `*` wildcards; a leading `-` excludes. */
function debugPatternsMatch(patterns: string, namespace: string): boolean {
  let enabled = false;
  for (const pattern of patterns.split(/[\s,]+/).filter((entry) => entry !== '')) {
    const negated = pattern.startsWith('-');
    const body = negated ? pattern.slice(1) : pattern;
    const regex = new RegExp(`^${body.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
    if (!regex.test(namespace)) continue;
    if (negated) return false;
    enabled = true;
  }
  return enabled;
}

/**
 * The lowest level the environment asks for, or `undefined` when the switch is off. `ARCHON_MCP_LOG` wins
 * over `DEBUG`; an unknown `ARCHON_MCP_LOG` value (`1`, `true`, `on`) means `debug`, and `off`/`0`/`false`/''
 * means off.
 *
 * @example
 * ```ts
 * envLogLevel({ DEBUG: 'archon-mcp*' }); // 'debug'
 * envLogLevel({ ARCHON_MCP_LOG: 'warn' }); // 'warn'
 * ```
 */
export function envLogLevel(env: Env): LogLevel | undefined {
  const explicit = env.ARCHON_MCP_LOG?.trim().toLowerCase();
  if (explicit !== undefined && explicit !== '') {
    if (['off', '0', 'false', 'no', 'none', 'silent'].includes(explicit)) return undefined;
    return (LEVELS as readonly string[]).includes(explicit) ? (explicit as LogLevel) : 'debug';
  }
  const debug = env.DEBUG;
  return debug !== undefined && debugPatternsMatch(debug, NAMESPACE) ? 'debug' : undefined;
}

function formatValue(value: unknown): string {
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  if (value instanceof Error) return JSON.stringify(value.message);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * A logger writing one `key=value` line per entry to `write` (stderr), at `level` and above:
 * `2026-11-21T15:17:00.000Z archon-mcp debug retrying an MCP request method=tools/call attempt=1 delayMs=87`.
 *
 * @example
 * ```ts
 * const logger = createLineLogger('info', (line) => process.stderr.write(line));
 * ```
 */
export function createLineLogger(level: LogLevel, write: (line: string) => void): McpClientLogger {
  const logger: McpClientLogger = {};
  for (const candidate of LEVELS.slice(LEVELS.indexOf(level))) {
    logger[candidate] = (fields, message) => {
      const pairs = Object.entries(fields)
        .filter(([, value]) => value !== undefined)
        .map(([key, value]) => `${key}=${formatValue(value)}`);
      write(`${new Date().toISOString()} archon-mcp ${candidate} ${message}${pairs.length > 0 ? ` ${pairs.join(' ')}` : ''}\n`);
    };
  }
  return logger;
}

let cached: { logger: McpClientLogger | undefined } | undefined;

/**
 * The stderr logger the environment asks for, or `undefined`. Computed once per process (browsers and
 * edge runtimes without `process` get `undefined`).
 *
 * @example
 * ```ts
 * const logger = options.logger ?? environmentLogger();
 * ```
 */
export function environmentLogger(): McpClientLogger | undefined {
  if (cached === undefined) {
    const env = typeof process === 'undefined' ? undefined : process.env;
    const level = env === undefined ? undefined : envLogLevel(env);
    cached = { logger: level === undefined ? undefined : createLineLogger(level, (line) => process.stderr.write(line)) };
  }
  return cached.logger;
}
