/**
 * What a CLI run may touch: two output streams and the environment. `runCli` takes them as arguments so tests
 * run commands in-process with captured output instead of spawning the bin.
 */

/**
 * The subset of `process.stdout`/`process.stderr` the CLI writes to.
 *
 * @example
 * ```ts
 * let captured = '';
 * const output: CliOutput = { write: (chunk) => (captured += chunk) };
 * ```
 */
export interface CliOutput {
  write(chunk: string): unknown;
}

/**
 * @example
 * ```ts
 * const io: CliIo = { stdout: process.stdout, stderr: process.stderr, env: process.env };
 * ```
 */
export interface CliIo {
  readonly stdout: CliOutput;
  readonly stderr: CliOutput;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Aborts long-running commands (`serve`, slow calls); `main.ts` wires SIGINT/SIGTERM to it. */
  readonly signal?: AbortSignal;
}

/**
 * Exit codes shared by every command: 0 success/healthy, 1 failure/unhealthy/stale, 2 usage error; `health`
 * also says 3 when the server wants credentials it was not given, 4 when the ones given are expired or refused.
 *
 * @example
 * ```ts
 * return report.healthy ? EXIT.ok : EXIT.failure;
 * ```
 */
export const EXIT = { ok: 0, failure: 1, usage: 2, authRequired: 3, authExpired: 4 } as const;

/**
 * One of the exit codes in `EXIT`.
 *
 * @example
 * ```ts
 * const code: ExitCode = EXIT.usage;
 * ```
 */
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/**
 * Writes a line (adds the newline).
 *
 * @example
 * ```ts
 * writeLine(io.stdout, 'healthy');
 * ```
 */
export function writeLine(output: CliOutput, line = ''): void {
  output.write(`${line}\n`);
}
