/**
 * The `archon-mcp` bin (built to `dist/cli.js` with a shebang). Everything testable lives in `run-cli.ts`.
 */
import { readDotEnv } from './dot-env';
import { runCli } from './run-cli';

// Ctrl-C / a container stop abort the running command (serve drains, a slow call is cancelled) instead of
// killing the process mid-write; a second signal falls through to Node's default and exits at once.
const controller = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => controller.abort(new Error(`received ${signal}`)));
}

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  // ./.env fills in what the environment does not set (see dot-env.ts).
  env: { ...readDotEnv(process.cwd()), ...process.env },
  signal: controller.signal,
});
