/**
 * The MCPClient the `call`, `tools` and `types` commands use: no notification stream (a one-shot command
 * does not listen), one time budget for connecting and for each request.
 */
import { MCPClient } from '../client/mcp-client';
import type { MCPClientOptions } from '../client/options';
import { CLIENT_VERSION } from '../client/version';

/**
 * `--timeout` when not given, in ms: long enough for a slow tool, short enough for CI to notice a hang.
 *
 * @example
 * ```ts
 * const timeoutMs = flag === undefined ? CLI_TIMEOUT_DEFAULT_MS : Number(flag);
 * ```
 */
export const CLI_TIMEOUT_DEFAULT_MS = 30_000;

/**
 * @example
 * ```ts
 * await using client = openCliClient('http://localhost:8051/mcp', 30_000, { headers: { authorization: 'Bearer ...' } });
 * const { tools } = await client.listTools();
 * ```
 */
export function openCliClient(url: string, timeoutMs: number, auth: Pick<MCPClientOptions, 'headers' | 'authProvider' | 'tokenStore'> = {}): MCPClient {
  return new MCPClient({
    url,
    ...auth,
    listen: false,
    timeoutMs,
    connectTimeoutMs: timeoutMs,
    clientInfo: { name: 'archon-mcp', version: CLIENT_VERSION },
  });
}
