/**
 * The logger seam: console- and pino-compatible (`logger.warn({ ...fields }, 'message')`). Nothing is
 * logged unless a logger is given (STYLE.md #15), and no header value is ever put in the fields.
 */

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
 * Writes one structured line if a logger is configured; a throwing logger never breaks the client.
 *
 * @example
 * ```ts
 * log(options.logger, 'warn', { url }, 'GET stream gave up');
 * ```
 */
export function log(logger: McpClientLogger | undefined, level: LogLevel, fields: Record<string, unknown>, message: string): void {
  const write = logger?.[level];
  if (!write) return;
  try {
    write.call(logger, fields, message);
  } catch {
    // Logging is best effort.
  }
}
