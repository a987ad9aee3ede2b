/**
 * `archon-mcp serve`: run the reference server. Option parsing, help text and the run loop belong to the
 * server (`server/serve.ts`); this file only adapts them to the CLI's I/O and exit codes.
 */
import { EXIT, writeLine } from '../cli-io';
import type { CliCommand } from '../command';
import { UsageError } from '../usage-error';

/**
 * @example
 * ```ts
 * const code = await serveCommand.run(['--port', '0', '--store', 'memory'], { ...io, signal });
 * ```
 */
export const serveCommand: CliCommand = {
  name: 'serve',
  summary: 'Run the reference MCP server (persistent sessions)',
  // Loaded on demand so other commands (and `archon-mcp --help`) never load the server and its stores.
  help: async () => (await import('../../../server/serve')).serveHelp.trimEnd(),
  async run(args, io) {
    const serve = await import('../../../server/serve');
    let command: ReturnType<typeof serve.parseServeOptions>;
    try {
      command = serve.parseServeOptions(args, io.env);
    } catch (error) {
      // parseArgs errors carry advice about `--` after the first sentence; one line is enough here.
      const message = error instanceof Error ? (error.message.split(/\.\s/)[0] ?? error.message) : String(error);
      throw new UsageError(message, 'serve', { cause: error });
    }
    if (command.help) {
      // Only reachable when `--help` follows a `--` terminator that runCli respects and parseArgs does not.
      writeLine(io.stdout, serve.serveHelp.trimEnd());
      return EXIT.ok;
    }
    // The listening line carries the URL; the shutdown line repeats it, with or without `--log` (issue #10).
    let url = '';
    const stdout = {
      write: (chunk: string) => {
        url = /listening on (\S+)/.exec(chunk)?.[1] ?? url;
        return io.stdout.write(chunk);
      },
    };
    await serve.runServe(command.options, { stdout, ...(io.signal === undefined ? {} : { signal: io.signal }) });
    writeLine(io.stdout, `Archon MCP server on ${url} stopped`);
    return EXIT.ok;
  },
};
