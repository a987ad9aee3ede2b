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

/**
 * A `tools/call` result whose `structuredContent` has the tool's declared type.
 *
 * Not `Omit<CallToolResult, 'structuredContent'>`: the SDK's result type has an index signature (zod
 * passthrough), so `keyof` is `string` and `Omit` would drop `content`, `isError` and `_meta` down to
 * `unknown`. A key-remapping mapped type keeps the declared members.
 */
export type TypedCallToolResult<Result> = {
  [Key in keyof CallToolResult as Key extends 'structuredContent' ? never : Key]: CallToolResult[Key];
} & {
  structuredContent?: Result;
};

/** The result of calling one tool of a map. */
export type ToolResult<Tools extends ToolMap, Name extends ToolName<Tools>> = TypedCallToolResult<
  Tools[Name]['result']
>;
