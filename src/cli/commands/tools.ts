/**
 * `archon-mcp tools [url]`: list the server's tools with their descriptions and annotations.
 */
import type { Tool } from '@modelcontextprotocol/client';
import { EXIT, writeLine } from '../cli-io';
import { resolveCliAuthorization } from '../cli-auth';
import { CLI_TIMEOUT_DEFAULT_MS, openCliClient } from '../cli-client';
import type { CliCommand } from '../command';
import { expectAtMostPositionals, parseCommandLine, parsePositiveInteger, resolveServerUrl } from '../command-line';

const HELP = `Usage: archon-mcp tools [url] [options]

List the server's tools, their descriptions and annotations (read-only, idempotent, ...).

Arguments:
  url               MCP endpoint (default: $ARCHON_MCP_URL, then http://localhost:8051/mcp)

Options:
  --json            Print { "tools": [...] } exactly as the server listed them
  --timeout <ms>    Time limit for connecting and for the listing (default: ${CLI_TIMEOUT_DEFAULT_MS})
  --token <token>   Bearer token (default: $ARCHON_MCP_TOKEN, then the tokens of archon-mcp login)
  --verbose         Print stack traces of unexpected errors
  -h, --help        Show this help`;

/** Annotation hints worth a word in the listing, in the order they are shown. */
const HINT_LABELS = [
  ['readOnlyHint', true, 'read-only'],
  ['destructiveHint', true, 'destructive'],
  ['idempotentHint', true, 'idempotent'],
  ['openWorldHint', true, 'open-world'],
] as const;

/**
 * @example
 * ```ts
 * const code = await toolsCommand.run([url, '--json'], io);
 * ```
 */
export const toolsCommand: CliCommand = {
  name: 'tools',
  summary: 'List tools with descriptions and annotations',
  help: HELP,
  async run(args, io) {
    const { values, positionals } = parseCommandLine('tools', args, {
      json: { type: 'boolean' },
      timeout: { type: 'string' },
      token: { type: 'string' },
    });
    const [explicitUrl] = expectAtMostPositionals(positionals, 1, 'tools');
    const url = resolveServerUrl(explicitUrl, io.env, 'tools');
    const timeoutMs = values.timeout === undefined ? CLI_TIMEOUT_DEFAULT_MS : parsePositiveInteger('--timeout', values.timeout, 'tools');

    const { options } = await resolveCliAuthorization(url, values.token, io, 'tools');
    await using client = openCliClient(url, timeoutMs, options);
    const { tools } = await client.listTools({ signal: io.signal });
    if (values.json === true) {
      writeLine(io.stdout, JSON.stringify({ tools }));
      return EXIT.ok;
    }
    const sorted = [...tools].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const width = Math.max(0, ...sorted.map((tool) => tool.name.length));
    for (const tool of sorted) writeLine(io.stdout, describeTool(tool, width));
    writeLine(io.stdout, `${tools.length} tool${tools.length === 1 ? '' : 's'}`);
    return EXIT.ok;
  },
};

function describeTool(tool: Tool, width: number): string {
  const description = (tool.description ?? tool.title ?? '').trim().split('\n')[0] ?? '';
  const hints: string[] = HINT_LABELS.filter(([hint, value]) => tool.annotations?.[hint] === value).map(([, , label]) => label);
  if (tool.outputSchema !== undefined) hints.push('structured output');
  const suffix = hints.length > 0 ? `  [${hints.join(', ')}]` : '';
  return `${tool.name.padEnd(width)}  ${description}${suffix}`.trimEnd();
}
