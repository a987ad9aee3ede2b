/**
 * Compile-time tool typing. A `ToolMap` maps each tool name to its arguments and its structured result;
 * `archon-mcp types URL` generates one from the server's `inputSchema`/`outputSchema`.
 */
import type { CallToolResult } from '@modelcontextprotocol/client';

/** One tool: what `callTool` takes and what `structuredContent` holds. */
export interface ToolSignature {
  args: Record<string, unknown>;
  result: unknown;
}

/**
 * Tool name -> signature. Pass your own (or the generated one) as `MCPClient<Tools>`.
 *
 * @example
 * ```ts
 * type Tools = { echo: { args: { text: string }; result: { text: string } } };
 * const client = new MCPClient<Tools>({ url });
 * ```
 */
export type ToolMap = Record<string, ToolSignature>;

/** The map used when none is given: any tool name, any object arguments, unknown structured content. */
export type AnyToolMap = Record<string, { args: Record<string, unknown>; result: Record<string, unknown> | undefined }>;

/** Tool names of a map, as strings. */
export type ToolName<Tools extends ToolMap> = Extract<keyof Tools, string>;

/** The arguments of one tool. */
export type ToolArgs<Tools extends ToolMap, Name extends ToolName<Tools>> = Tools[Name]['args'];

/** `CallToolResult` without `structuredContent` (re-added typed). */
type CallToolResultBase = {
  [Key in keyof CallToolResult as Key extends 'structuredContent' ? never : Key]: CallToolResult[Key];
};

/**
 * A `tools/call` result whose `structuredContent` has the tool's declared type: required when the map
 * declares a result (the tool has an `outputSchema`: the client validates every non-error result against it,
 * so a missing `structuredContent` rejects with `OutputValidationError` before you see it), optional when the
 * declared result admits `undefined` (`result: undefined` for tools without an `outputSchema`, `AnyToolMap`).
 *
 * The type assumes `isError: true` results throw (`ToolCallError`, the default); `throwOnError: false` per
 * call gives {@link ToolResultOrError}. With the client option `throwOnToolError: false`, check `isError`
 * before reading `structuredContent`.
 *
 * Not `Omit<CallToolResult, 'structuredContent'>`: the SDK's result type has an index signature (zod
 * passthrough), so `keyof` is `string` and `Omit` would drop `content`, `isError` and `_meta` down to
 * `unknown`. A key-remapping mapped type keeps the declared members.
 *
 * @example
 * ```ts
 * type Found = TypedCallToolResult<{ total: number }>;
 * declare const found: Found;
 * found.structuredContent.total; // number: no `?.` needed
 * ```
 */
export type TypedCallToolResult<Result> = CallToolResultBase &
  ([undefined] extends [Result] ? { structuredContent?: Result } : { structuredContent: Result });

/** The result of calling one tool of a map. */
export type ToolResult<Tools extends ToolMap, Name extends ToolName<Tools>> = TypedCallToolResult<
  Tools[Name]['result']
>;

/**
 * The result of `callTool(name, args, { throwOnError: false })`: either a typed result, or a tool error
 * (`isError: true`), whose `structuredContent` the server need not send. Narrow on `isError`.
 *
 * @example
 * ```ts
 * const result = await client.callTool('find_projects', { query: 'auth' }, { throwOnError: false });
 * if (result.isError) console.error(result.content);
 * else console.log(result.structuredContent.total);
 * ```
 */
export type ToolResultOrError<Tools extends ToolMap, Name extends ToolName<Tools>> =
  | (ToolResult<Tools, Name> & { isError?: false })
  | (CallToolResultBase & { isError: true; structuredContent?: Tools[Name]['result'] });

/**
 * One `(name, args, options?)` argument list per tool of the map, as a union: a call's name and arguments are
 * checked together (`callMcpTool<Tools>(...)`).
 *
 * @example
 * ```ts
 * type Call = ToolCall<{ echo: { args: { text: string }; result: { text: string } } }>; // [name: 'echo', args: { text: string }, ...]
 * ```
 */
export type ToolCall<Tools extends ToolMap, Options> = {
  [Name in ToolName<Tools>]: [name: Name, args: ToolArgs<Tools, Name>, options?: Options];
}[ToolName<Tools>];
