/**
 * One-shot tool call: connect, call, close.
 *
 * Typing (issue #10 item 7). TypeScript infers no type argument once one is written (no partial inference,
 * microsoft/TypeScript#26242), so `callMcpTool<Tools>(name, ...)` cannot learn `name`'s literal type the way
 * `MCPClient<Tools>.callTool` does (there `Tools` is fixed by the client and the method infers the name).
 * The overloads give each spelling the best the language allows:
 * - no type arguments: any tool, object arguments, `structuredContent` a loose record;
 * - `<Tools, 'name'>`: name, arguments and result exactly typed (like `MCPClient<Tools>`);
 * - `<Tools>`: name and arguments checked together; the result is the union of the map's results.
 */
import { MCPClient } from '../client/mcp-client';
import type { MCPClientOptions } from '../client/options';
import type { CallToolOptions } from '../client/request-options';
import { CALL_OPTION_KEYS, assertKnownOptions } from '../client/unknown-options';
import type { AnyToolMap, ToolArgs, ToolCall, ToolMap, ToolName, ToolResult, ToolResultOrError } from '../typed/tool-map';

/**
 * Options of {@link callMcpTool}: the client's options plus the call's.
 *
 * @example
 * ```ts
 * const options: CallMcpToolOptions = { url, timeoutMs: 5_000 };
 * ```
 */
export type CallMcpToolOptions = MCPClientOptions & CallToolOptions;

/** Options of a call that rejects on `isError: true` (the default). */
type ThrowingOptions = CallMcpToolOptions & { throwOnError?: true };

/**
 * Connects, calls one tool, and closes (DELETE + sockets released) whatever happened.
 *
 * @example
 * ```ts
 * const result = await callMcpTool('health_check', {}, { url: 'http://localhost:8051/mcp' });
 * ```
 */
export function callMcpTool<N extends string>(
  name: N,
  args: Record<string, unknown>,
  options?: CallMcpToolOptions,
): Promise<ToolResult<AnyToolMap, N>>;
/**
 * Connects, calls one tool of a typed map, and closes. Name, arguments and `structuredContent` are typed.
 *
 * @example
 * ```ts
 * const found = await callMcpTool<ReferenceTools, 'find_projects'>('find_projects', { query: 'auth' }, { url });
 * console.log(found.structuredContent.total);
 * ```
 */
export function callMcpTool<Tools extends ToolMap, N extends ToolName<Tools>>(
  name: N,
  args: ToolArgs<Tools, N>,
  options?: ThrowingOptions,
): Promise<ToolResult<Tools, N>>;
/**
 * With `throwOnError: false`: the result is a typed result or a tool error; narrow on `isError`.
 *
 * @example
 * ```ts
 * const result = await callMcpTool<ReferenceTools, 'echo'>('echo', { text: 'hi' }, { url, throwOnError: false });
 * if (!result.isError) console.log(result.structuredContent.text);
 * ```
 */
export function callMcpTool<Tools extends ToolMap, N extends ToolName<Tools>>(
  name: N,
  args: ToolArgs<Tools, N>,
  options: CallMcpToolOptions & { throwOnError: false },
): Promise<ToolResultOrError<Tools, N>>;
/**
 * With the map only: name and arguments are checked together; `structuredContent` is the union of the
 * map's results (name the tool as the second type argument to get its own).
 *
 * @example
 * ```ts
 * await callMcpTool<ReferenceTools>('echo', { text: 'hi' }, { url });
 * ```
 */
export function callMcpTool<Tools extends ToolMap>(...call: ToolCall<Tools, CallMcpToolOptions>): Promise<ToolResult<Tools, ToolName<Tools>>>;
export async function callMcpTool(
  name: string,
  args: Record<string, unknown>,
  options: CallMcpToolOptions = {},
): Promise<ToolResult<AnyToolMap, string>> {
  assertKnownOptions(options, 'client', CALL_OPTION_KEYS);
  const { signal, timeoutMs, onProgress, idempotent, throwOnError, ...clientOptions } = options;
  await using client = new MCPClient({ ...clientOptions, timeoutMs, listen: clientOptions.listen ?? false });
  return await client.callTool(name, args, { signal, timeoutMs, onProgress, idempotent, throwOnError });
}
