/**
 * `archon-mcp call <tool> [k=v ...] [--args JSON]`: call one tool and print its result.
 */
import { createUnknownToolError } from '../../typed/tool-errors';
import { EXIT, writeLine } from '../cli-io';
import { resolveCliAuthorization } from '../cli-auth';
import { CLI_TIMEOUT_DEFAULT_MS, openCliClient } from '../cli-client';
import type { CliCommand } from '../command';
import { parseCommandLine, parsePositiveInteger, resolveServerUrl } from '../command-line';
import { formatToolResult } from '../format-tool-result';
import { parseToolArguments } from '../tool-arguments';
import { UsageError } from '../usage-error';

const HELP = `Usage: archon-mcp call <tool> [key=value ...] [options]

Call one tool and print its result: text content as is, structured content as JSON.
Exit code 0 on success, 1 when the call fails or the tool reports an error, 2 on a usage error.

Arguments:
  tool              Tool name
  key=value         One argument; the value is parsed as JSON when it parses (3, true, [1,2], null),
                    else taken as a string. Quote JSON strings to keep them strings: id='"42"'

Options:
  --args <json>     All arguments as one JSON object (key=value pairs override its keys)
  --url <url>       MCP endpoint (default: $ARCHON_MCP_URL, then http://localhost:8051/mcp)
  --json            Print the whole CallToolResult as one JSON object
  --timeout <ms>    Time limit for connecting and for the call (default: ${CLI_TIMEOUT_DEFAULT_MS})
  --token <token>   Bearer token (default: $ARCHON_MCP_TOKEN, then the tokens of archon-mcp login)
  --verbose         Print stack traces of unexpected errors
  -h, --help        Show this help

Example:
  archon-mcp call find_projects query=auth limit=5`;

/**
 * @example
 * ```ts
 * const code = await callCommand.run(['echo', 'text=hi', '--url', url], io);
 * ```
 */
export const callCommand: CliCommand = {
  name: 'call',
  summary: 'Call a tool: archon-mcp call <tool> key=value ...',
  help: HELP,
  async run(args, io) {
    const { values, positionals } = parseCommandLine('call', args, {
      args: { type: 'string' },
      url: { type: 'string' },
      json: { type: 'boolean' },
      timeout: { type: 'string' },
      token: { type: 'string' },
    });
    const [toolName, ...pairs] = positionals;
    if (toolName === undefined || toolName === '') throw new UsageError('Expected a tool name: archon-mcp call <tool> [key=value ...]', 'call');
    const toolArgs = parseToolArguments(pairs, values.args);
    const url = resolveServerUrl(values.url, io.env, 'call');
    const timeoutMs = values.timeout === undefined ? CLI_TIMEOUT_DEFAULT_MS : parsePositiveInteger('--timeout', values.timeout, 'call');

    const { options } = await resolveCliAuthorization(url, values.token, io, 'call');
    await using client = openCliClient(url, timeoutMs, options);
    // One tools/list first: a typo gets "did you mean" instead of the server's bare "not found". The client
    // caches the list, so this costs nothing extra if callTool checks names itself.
    const { tools } = await client.listTools({ signal: io.signal });
    if (!tools.some((tool) => tool.name === toolName)) {
      throw createUnknownToolError(toolName, tools.map((tool) => tool.name));
    }
    const result = await client.callTool(toolName, toolArgs, { throwOnError: false, signal: io.signal });
    if (values.json === true) writeLine(io.stdout, JSON.stringify(result));
    else if (result.isError !== true) writeLine(io.stdout, formatToolResult(result));
    if (result.isError === true) {
      if (values.json !== true) {
        writeLine(io.stderr, `archon-mcp: tool ${toolName} reported an error: ${formatToolResult(result).replace(/\s*\n\s*/g, ' ')}`);
      }
      return EXIT.failure;
    }
    return EXIT.ok;
  },
};
