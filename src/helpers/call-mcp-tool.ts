/**
 * One-shot tool call: connect, call, close.
 */
import { MCPClient } from '../client/mcp-client';
import type { MCPClientOptions } from '../client/options';
import type { CallToolOptions } from '../client/request-options';
import type { AnyToolMap, ToolArgs, ToolMap, ToolName, ToolResult } from '../typed/tool-map';

/**
 * Options of {@link callMcpTool}: the client's options plus the call's.
 *
 * @example
 * ```ts
 * const options: CallMcpToolOptions = { url, timeoutMs: 5_000 };
 * ```
 */
export type CallMcpToolOptions = MCPClientOptions & CallToolOptions;

/**
 * Connects, calls one tool, and closes (DELETE + sockets released) whatever happened.
 *
 * @example
 * ```ts
 * const result = await callMcpTool('health_check', {}, { url: 'http://localhost:8051/mcp' });
 * ```
 */
export async function callMcpTool<Tools extends ToolMap = AnyToolMap, N extends ToolName<Tools> = ToolName<Tools>>(
  name: N,
  args: ToolArgs<Tools, N>,
  options: CallMcpToolOptions = {},
): Promise<ToolResult<Tools, N>> {
  const { signal, timeoutMs, onProgress, idempotent, throwOnError, ...clientOptions } = options;
  await using client = new MCPClient<Tools>({ ...clientOptions, timeoutMs, listen: clientOptions.listen ?? false });
  return await client.callTool(name, args, { signal, timeoutMs, onProgress, idempotent, throwOnError });
}
