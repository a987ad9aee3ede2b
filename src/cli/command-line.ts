/**
 * Argument parsing shared by every command: `node:util` `parseArgs` in strict mode (no CLI framework), with
 * its errors turned into `UsageError`s, plus the value checks several commands need.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './usage-error';

/**
 * The default MCP endpoint, after `ARCHON_MCP_URL` (DESIGN.md "Who uses it and how").
 *
 * @example
 * ```ts
 * const url = env.ARCHON_MCP_URL || DEFAULT_SERVER_URL;
 * ```
 */
export const DEFAULT_SERVER_URL = 'http://localhost:8051/mcp';

/** Flags every command accepts. */
const COMMON_OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  verbose: { type: 'boolean' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

/**
 * Parses one command's arguments. Unknown flags and missing flag values become a `UsageError` naming the
 * command, so the user is sent to the right `--help`.
 *
 * @example
 * ```ts
 * const { values, positionals } = parseCommandLine('tools', argv, { json: { type: 'boolean' } });
 * ```
 */
export function parseCommandLine<const Options extends NonNullable<ParseArgsConfig['options']>>(
  command: string,
  args: readonly string[],
  options: Options,
) {
  try {
    return parseArgs({ args: [...args], options: { ...COMMON_OPTIONS, ...options }, allowPositionals: true, strict: true });
  } catch (error) {
    // Node's messages append advice about `--` that does not fit a one-line error; keep the first sentence.
    const message = error instanceof Error ? (error.message.split(/\.\s/)[0] ?? error.message) : String(error);
    throw new UsageError(message, command, { cause: error });
  }
}

/**
 * The server URL: the explicit value, else `ARCHON_MCP_URL`, else `http://localhost:8051/mcp`.
 *
 * @example
 * ```ts
 * resolveServerUrl(undefined, { ARCHON_MCP_URL: 'http://mcp.internal/mcp' }, 'health'); // 'http://mcp.internal/mcp'
 * ```
 */
export function resolveServerUrl(
  explicit: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  command: string,
): string {
  const raw = explicit ?? (env.ARCHON_MCP_URL || undefined) ?? DEFAULT_SERVER_URL;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`Expected the server URL to be an http(s) URL, got ${JSON.stringify(raw)}`, command);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`Expected the server URL to be an http(s) URL, got ${JSON.stringify(raw)}`, command);
  }
  return url.href;
}

/**
 * A `--flag` value that must be a positive integer (milliseconds, ports are checked separately).
 *
 * @example
 * ```ts
 * parsePositiveInteger('--timeout', '5000', 'health'); // 5000
 * ```
 */
export function parsePositiveInteger(flag: string, value: string, command: string): number {
  const parsed = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(parsed) || parsed <= 0) {
    throw new UsageError(`Expected \`${flag}\` to be a positive integer, got ${JSON.stringify(value)}`, command);
  }
  return parsed;
}

/**
 * Rejects positionals beyond what a command takes, so `archon-mcp tools a b` is not silently half-read.
 *
 * @example
 * ```ts
 * const [url] = expectAtMostPositionals(positionals, 1, 'tools');
 * ```
 */
export function expectAtMostPositionals(positionals: readonly string[], max: number, command: string): readonly string[] {
  if (positionals.length > max) {
    const extra = positionals.slice(max).map((value) => JSON.stringify(value)).join(', ');
    throw new UsageError(`Unexpected argument${positionals.length - max > 1 ? 's' : ''} ${extra}`, command);
  }
  return positionals;
}
