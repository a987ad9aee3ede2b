/**
 * The shape of one `archon-mcp` subcommand. Each lives in `commands/<name>.ts`; `run-cli.ts` lists them.
 */
import type { CliIo, ExitCode } from './cli-io';

/**
 * @example
 * ```ts
 * const tools: CliCommand = { name: 'tools', summary: 'List tools', help: '...', run: async (args, io) => EXIT.ok };
 * ```
 */
export interface CliCommand {
  readonly name: string;
  /** One line for the top-level help. */
  readonly summary: string;
  /** The full `archon-mcp <name> --help` text, or a loader for it when it lives in a module loaded lazily. */
  readonly help: string | (() => Promise<string>);
  /** Runs with the arguments after the command name; `--help` is handled before this is called. */
  run(args: readonly string[], io: CliIo): Promise<ExitCode>;
}
