/**
 * `archon-mcp types [url] [-o file] [--check]`: generate the `ToolMap` module for `MCPClient<Tools>` from the
 * server's tool schemas, or check that a generated file is current (for CI).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { EXIT, writeLine } from '../cli-io';
import { type CliAuthorization, resolveCliAuthorization } from '../cli-auth';
import { CLI_TIMEOUT_DEFAULT_MS, openCliClient } from '../cli-client';
import type { CliCommand } from '../command';
import { expectAtMostPositionals, parseCommandLine, parsePositiveInteger, resolveServerUrl } from '../command-line';
import { UsageError } from '../usage-error';

const HELP = `Usage: archon-mcp types [url] [options]

Generate TypeScript types for the server's tools (from inputSchema/outputSchema) to use as
MCPClient<Tools>. Prints the module unless -o is given.

Arguments:
  url                 MCP endpoint (default: $ARCHON_MCP_URL, then http://localhost:8051/mcp)

Options:
  -o, --out <file>    Write the module to this file (e.g. mcp-tools.d.ts)
  --check             Do not write: exit 0 when --out is up to date, 1 when it is stale or missing
  --type-name <name>  Name of the exported tool map type (default: Tools)
  --source <text>     What the header says the types were generated from (default: the url)
  --timeout <ms>      Time limit for connecting and for the listing (default: ${CLI_TIMEOUT_DEFAULT_MS})
  --token <token>     Bearer token (default: $ARCHON_MCP_TOKEN, then the tokens of archon-mcp login)
  --verbose           Print stack traces of unexpected errors
  -h, --help          Show this help

Example:
  archon-mcp types http://localhost:8051/mcp -o src/mcp-tools.d.ts
  archon-mcp types http://localhost:8051/mcp -o src/mcp-tools.d.ts --check`;

/**
 * @example
 * ```ts
 * const code = await typesCommand.run([url, '-o', 'mcp-tools.d.ts', '--check'], io);
 * ```
 */
export const typesCommand: CliCommand = {
  name: 'types',
  summary: 'Generate TypeScript types for the tools (MCPClient<Tools>)',
  help: HELP,
  async run(args, io) {
    const { values, positionals } = parseCommandLine('types', args, {
      out: { type: 'string', short: 'o' },
      check: { type: 'boolean' },
      'type-name': { type: 'string' },
      source: { type: 'string' },
      timeout: { type: 'string' },
      token: { type: 'string' },
    });
    const [explicitUrl] = expectAtMostPositionals(positionals, 1, 'types');
    const url = resolveServerUrl(explicitUrl, io.env, 'types');
    const timeoutMs = values.timeout === undefined ? CLI_TIMEOUT_DEFAULT_MS : parsePositiveInteger('--timeout', values.timeout, 'types');
    if (values.check === true && values.out === undefined) {
      throw new UsageError('Expected `--out <file>` with `--check`: there is no file to compare against', 'types');
    }

    const { options } = await resolveCliAuthorization(url, values.token, io, 'types');
    const tools = await listAllTools(url, timeoutMs, options, io.signal);
    // Loaded here, not at the top: the converter pulls in prettier, which no other command needs.
    const { generateToolTypes } = await import('../../typed/generate-tool-types');
    const generated = await generateToolTypes(tools, {
      source: values.source ?? url,
      ...(values['type-name'] === undefined ? {} : { typeName: values['type-name'] }),
    });

    if (values.out === undefined) {
      io.stdout.write(generated);
      return EXIT.ok;
    }
    if (values.check === true) {
      const existing = await readFile(values.out, 'utf8').catch(() => undefined);
      const regenerate = `regenerate with \`archon-mcp types${explicitUrl === undefined ? '' : ` ${explicitUrl}`} -o ${values.out}\``;
      if (existing === undefined) {
        writeLine(io.stderr, `archon-mcp: ${values.out} does not exist; ${regenerate}`);
        return EXIT.failure;
      }
      // Git may check the file out with CRLF line endings on Windows; that is not staleness.
      if (existing.replaceAll('\r\n', '\n') !== generated) {
        writeLine(io.stderr, `archon-mcp: ${values.out} is stale (the server's tools changed); ${regenerate}`);
        return EXIT.failure;
      }
      writeLine(io.stdout, `${values.out} is up to date (${tools.length} tool${tools.length === 1 ? '' : 's'})`);
      return EXIT.ok;
    }
    await writeFile(values.out, generated);
    writeLine(io.stdout, `Wrote ${values.out} (${tools.length} tool${tools.length === 1 ? '' : 's'})`);
    return EXIT.ok;
  },
};

async function listAllTools(url: string, timeoutMs: number, auth: CliAuthorization['options'], signal: AbortSignal | undefined) {
  await using client = openCliClient(url, timeoutMs, auth);
  const { tools } = await client.listTools({ signal });
  return tools;
}
