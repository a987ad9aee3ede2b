/**
 * The `archon-mcp` command line, runnable in-process: `runCli(argv, io)` resolves to the exit code and never
 * throws. Errors become one line on stderr (`archon-mcp: <message>`), with the stack only under `--verbose`.
 */
import { CLIENT_VERSION } from '../client/version';
import { EXIT, writeLine, type CliIo, type ExitCode } from './cli-io';
import type { CliCommand } from './command';
import { callCommand } from './commands/call';
import { healthCommand } from './commands/health';
import { loginCommand } from './commands/login';
import { logoutCommand } from './commands/logout';
import { serveCommand } from './commands/serve';
import { sessionsCommand } from './commands/sessions';
import { toolsCommand } from './commands/tools';
import { typesCommand } from './commands/types';
import { UsageError } from './usage-error';

const COMMANDS: readonly CliCommand[] = [
  healthCommand,
  callCommand,
  toolsCommand,
  typesCommand,
  serveCommand,
  sessionsCommand,
  loginCommand,
  logoutCommand,
];

const TOP_HELP = `Usage: archon-mcp <command> [options]

A resilient MCP client for Streamable HTTP servers.

Commands:
${COMMANDS.map((command) => `  ${command.name.padEnd(10)}${command.summary}`).join('\n')}

Options:
  -h, --help        Show help (also after a command: archon-mcp health --help)
  -v, --version     Show the version
  --verbose         Print stack traces of unexpected errors

The server URL defaults to $ARCHON_MCP_URL, then http://localhost:8051/mcp.`;

/**
 * Runs one command line (without the `node` and script paths) and resolves to its exit code:
 * 0 success/healthy, 1 failure/unhealthy/stale, 2 usage error.
 *
 * @example
 * ```ts
 * const code = await runCli(['health', 'http://localhost:8051/mcp', '--json'], {
 *   stdout: process.stdout,
 *   stderr: process.stderr,
 *   env: process.env,
 * });
 * process.exitCode = code;
 * ```
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  // `--verbose` is global: accepted anywhere before `--` and removed before the command parses its flags.
  const terminator = argv.indexOf('--');
  const verbose = beforeTerminator(argv).includes('--verbose');
  const [first, ...rest] = argv.filter((arg, index) => arg !== '--verbose' || (terminator !== -1 && index > terminator));
  try {
    if (first === undefined || first === '-h' || first === '--help') {
      writeLine(first === undefined ? io.stderr : io.stdout, TOP_HELP);
      return first === undefined ? EXIT.usage : EXIT.ok;
    }
    if (first === '-v' || first === '--version') {
      writeLine(io.stdout, CLIENT_VERSION);
      return EXIT.ok;
    }
    const command = COMMANDS.find((candidate) => candidate.name === first);
    if (command === undefined) {
      const known = COMMANDS.map((candidate) => candidate.name).join(', ');
      throw new UsageError(`Unknown command ${JSON.stringify(first)} (expected one of: ${known})`);
    }
    if (beforeTerminator(rest).some((arg) => arg === '--help' || arg === '-h')) {
      writeLine(io.stdout, typeof command.help === 'string' ? command.help : await command.help());
      return EXIT.ok;
    }
    return await command.run(rest, io);
  } catch (error) {
    return reportError(error, io, verbose);
  }
}

function reportError(error: unknown, io: CliIo, verbose: boolean): ExitCode {
  if (error instanceof UsageError) {
    writeLine(io.stderr, `archon-mcp: ${error.message}`);
    writeLine(io.stderr, `Run \`archon-mcp ${error.command === undefined ? '' : `${error.command} `}--help\` for usage.`);
    return EXIT.usage;
  }
  const message = error instanceof Error ? error.message : String(error);
  writeLine(io.stderr, `archon-mcp: ${message.split('\n')[0] ?? message}`);
  if (verbose) writeLine(io.stderr, describeChain(error));
  return EXIT.failure;
}

/** The stack, then each `cause` in turn: a wrapped network error is usually the useful part. */
function describeChain(error: unknown): string {
  const lines: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && depth < 8; depth++) {
    lines.push(`${depth === 0 ? '' : 'Caused by: '}${current instanceof Error ? (current.stack ?? current.message) : String(current)}`);
    current = current instanceof Error ? current.cause : undefined;
  }
  return lines.join('\n');
}

/** Flags after a bare `--` are arguments, not options (POSIX utility conventions, guideline 10). */
function beforeTerminator(args: readonly string[]): readonly string[] {
  const end = args.indexOf('--');
  return end === -1 ? args : args.slice(0, end);
}
