import type { CliIo } from '../../src/cli/cli-io';
import { runCli } from '../../src/cli/run-cli';

/**
 * Runs the CLI in-process with captured output.
 *
 * @example
 * ```ts
 * const { code, stdout } = await runCliCaptured(['tools', url]);
 * ```
 */
export async function runCliCaptured(argv: string[], env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (chunk: string) => (stdout += chunk) },
    stderr: { write: (chunk: string) => (stderr += chunk) },
    env,
  };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}
