/**
 * The two typed-tool failures `MCPClient.callTool` raises, built in one place so their messages read the
 * same everywhere: structured output that breaks `outputSchema`, and a tool name the server does not list.
 */
import type { CallToolResult, Tool } from '@modelcontextprotocol/client';
import { OutputValidationError, UnknownToolError } from '../errors/index';
import { suggestToolNames } from './suggest';
import type { OutputValidator } from './validate-output';

/** Issues quoted in the error message; all of them stay on `error.issues`. */
const ISSUES_IN_MESSAGE = 3;

/**
 * Checks `result.structuredContent` against `tool.outputSchema`. Resolves `undefined` when there is nothing
 * to check (no schema, or `isError: true`: MCP 2025-06-18 exempts error results from the schema) or the
 * output conforms; otherwise the `OutputValidationError` to throw (carrying the result, so nothing is lost).
 *
 * @example
 * ```ts
 * const error = await checkToolOutput(validator, client.cachedTool('find_projects'), result);
 * if (error) throw error;
 * ```
 */
export async function checkToolOutput(
  validator: OutputValidator,
  tool: Tool | undefined,
  result: CallToolResult,
): Promise<OutputValidationError | undefined> {
  if (tool?.outputSchema === undefined || result.isError === true) return undefined;
  const issues = await validator.validate(tool.outputSchema, result.structuredContent);
  if (issues.length === 0) return undefined;
  const quoted = issues
    .slice(0, ISSUES_IN_MESSAGE)
    .map((issue) => `${issue.path === '' ? '(root)' : issue.path} ${issue.message}`)
    .join('; ');
  const more = issues.length > ISSUES_IN_MESSAGE ? ` (+${issues.length - ISSUES_IN_MESSAGE} more)` : '';
  return new OutputValidationError(`Tool ${tool.name} returned output that does not match its outputSchema: ${quoted}${more}`, {
    toolName: tool.name,
    issues,
    result,
  });
}

/** Names quoted in the message before "... and N more": the whole list of a small server, a taste of a big one. */
const NAMES_IN_MESSAGE = 10;

/**
 * The error for a tool name the server does not list, with "did you mean" suggestions and the tools that
 * do exist (all of them when there are few, the first ten and a count when there are many).
 *
 * @example
 * ```ts
 * const known = (await client.listTools()).tools.map((tool) => tool.name);
 * if (!known.includes(name)) throw createUnknownToolError(name, known);
 * // UnknownToolError: Unknown tool "find_project"; did you mean "find_projects"? The server lists: echo, find_projects
 * ```
 */
export function createUnknownToolError(name: string, knownNames: readonly string[]): UnknownToolError {
  const suggestions = suggestToolNames(name, knownNames);
  const hint = suggestions.length > 0 ? `; did you mean ${suggestions.map((suggestion) => JSON.stringify(suggestion)).join(' or ')}?` : '.';
  const available = [...new Set(knownNames)].sort();
  const listed = available.slice(0, NAMES_IN_MESSAGE).join(', ');
  const more = available.length > NAMES_IN_MESSAGE ? ` and ${available.length - NAMES_IN_MESSAGE} more` : '';
  const list = available.length === 0 ? ' The server lists no tools.' : ` The server lists: ${listed}${more}.`;
  return new UnknownToolError(`Unknown tool ${JSON.stringify(name)}${hint}${list}`, {
    toolName: name,
    suggestions,
    availableTools: available,
  });
}
