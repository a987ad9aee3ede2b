/**
 * A mistake on the command line (unknown flag, missing argument, bad value). Not part of the library's error
 * tree: it never leaves the CLI, and `runCli` turns it into exit code 2 with a pointer to `--help`.
 */

/**
 * @example
 * ```ts
 * throw new UsageError('Expected `--timeout` to be a positive integer (ms), got "soon"', 'health');
 * ```
 */
export class UsageError extends Error {
  override readonly name = 'UsageError' as const;
  /** The command whose `--help` explains the right usage; undefined for the top level. */
  readonly command: string | undefined;

  constructor(message: string, command?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.command = command;
  }
}
