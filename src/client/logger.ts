/**
 * The logger seam: console- and pino-compatible (`logger.warn({ ...fields }, 'message')`). Nothing is
 * logged unless a logger is given or the environment asks for one (`ARCHON_MCP_LOG`, `DEBUG`; see
 * `env-logger.ts`) (STYLE.md #15). No header value is ever put in the fields, and a `url` field is logged
 * without credentials.
 */
import { redactUrl } from '../errors/redact-url';
import { environmentLogger } from './env-logger';

/**
 * Any of `console`, a pino logger, or your own object with some of these methods.
 *
 * @example
 * ```ts
 * import pino from 'pino';
 * const client = new MCPClient({ url, logger: pino() });
 * ```
 */
export interface McpClientLogger {
  debug?(fields: Record<string, unknown>, message: string): void;
  info?(fields: Record<string, unknown>, message: string): void;
  warn?(fields: Record<string, unknown>, message: string): void;
  error?(fields: Record<string, unknown>, message: string): void;
}

/**
 * Log levels the client uses.
 *
 * @example
 * ```ts
 * const level: LogLevel = 'warn';
 * ```
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/**
 * Writes one structured line if a logger is configured (or the environment's stderr logger when none is);
 * a throwing logger never breaks the client.
 *
 * @example
 * ```ts
 * log(options.logger, 'warn', { url }, 'GET stream gave up');
 * ```
 */
export function log(logger: McpClientLogger | undefined, level: LogLevel, fields: Record<string, unknown>, message: string): void {
  const target = logger ?? environmentLogger();
  const write = target?.[level];
  if (!write) return;
  try {
    // `https://user:token@host` must not reach a log file.
    const url = fields.url;
    const safe = typeof url === 'string' || url instanceof URL ? { ...fields, url: redactUrl(url) } : fields;
    write.call(target, safe, message);
  } catch {
    // Logging is best effort.
  }
}
