/**
 * A stranger's first ten minutes (issue #10): `npm init -y` in a temp folder OUTSIDE this repository (so
 * nothing resolves up into our node_modules and its devDependencies), then `npm install` of the packed
 * tarball and of tsx, as the README says. npm installs optional peers only when something else needs them,
 * so pg, redis, @electric-sql/pglite and json-schema-to-typescript stay absent. (@opentelemetry/api does come:
 * prom-client 15, a dependency of the server entry, requires it.)
 *
 * Installs use the local npm cache first (`--prefer-offline`): a CI machine that ran `npm ci` has every
 * package already; otherwise they come from the registry.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT, packBuiltPackage } from './built-package';

const run = promisify(execFile);

/** An install from a warm cache took 8-12 s on the 2 shared cores; a cold one downloads ~100 packages. */
export const INSTALL_TIMEOUT_MS = 180_000;

/** The version of a devDependency this repository has installed, so the consumer hits the npm cache. */
function installedVersion(name: string): string {
  return (JSON.parse(readFileSync(join(PROJECT_ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
}

async function npm(cwd: string, args: string[]): Promise<string> {
  const { stdout } = await run('npm', [...args, '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd,
    timeout: INSTALL_TIMEOUT_MS,
    maxBuffer: 16 * 1024 * 1024,
    // The consumer must not inherit this repository's npm settings (workspaces, scripts) through env.
    env: { ...process.env, npm_config_workspaces: undefined, npm_config_include_workspace_root: undefined },
  });
  return stdout;
}

/**
 * Creates the project: `npm init -y`, `npm install <tarball>`, `npm install --save-dev tsx typescript
 * @types/node` (the last two only for the types check). Returns its directory.
 *
 * @example
 * ```ts
 * const dir = await createFreshProject();
 * ```
 */
export async function createFreshProject(): Promise<string> {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'archon-first-run-')));
  const { filename } = await packBuiltPackage({ requireFresh: true, destination: dir });
  await npm(dir, ['init', '-y']);
  await npm(dir, ['install', join(dir, filename)]);
  await npm(dir, [
    'install',
    '--save-dev',
    `tsx@${installedVersion('tsx')}`,
    `typescript@${installedVersion('typescript')}`,
    `@types/node@${installedVersion('@types/node')}`,
  ]);
  return dir;
}

/** What a finished child printed. */
export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  elapsedMs: number;
}

/**
 * Runs a command in the project and resolves when it exits (killed after `timeoutMs`).
 *
 * @example
 * ```ts
 * const { code, stdout } = await runIn(dir, 'node', ['script.mjs'], { timeoutMs: 10_000 });
 * ```
 */
export function runIn(
  cwd: string,
  command: string,
  args: string[],
  options: { timeoutMs: number; env?: Record<string, string> },
): Promise<ChildResult> {
  const started = Date.now();
  const child = spawn(command, args, { cwd, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  return collect(child, options.timeoutMs, started);
}

async function collect(child: ChildProcess, timeoutMs: number, started: number): Promise<ChildResult> {
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  try {
    const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
    return { code, signal, stdout, stderr, elapsedMs: Date.now() - started };
  } finally {
    clearTimeout(timer);
  }
}

/** A `npx archon-mcp serve` child that announced its URL. */
export interface ServeChild {
  readonly url: string;
  /** SIGTERM, then what it printed and its exit code (SIGKILL after `timeoutMs`). */
  stop(timeoutMs?: number): Promise<ChildResult>;
}

/**
 * Starts `npx archon-mcp serve <args>` in the project and waits for `listening on <url>`.
 *
 * @example
 * ```ts
 * const server = await startServe(dir, ['--store', 'memory', '--port', '0']);
 * await server.stop();
 * ```
 */
export async function startServe(cwd: string, args: string[], startTimeoutMs = 30_000): Promise<ServeChild> {
  const started = Date.now();
  // `--` so npx passes every flag to the bin (`npx --version` would print npm's version).
  // Its own process group: stop() signals the group, as Ctrl-C in a terminal does (npx does not forward a
  // SIGTERM sent to it alone to the bin it runs).
  const child = spawn('npx', ['--no', '--', 'archon-mcp', 'serve', ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const signalGroup = (signal: NodeJS.Signals): void => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, signal);
    } catch {
      // Already gone.
    }
  };
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const closed = once(child, 'close') as Promise<[number | null, NodeJS.Signals | null]>;
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      signalGroup('SIGKILL');
      reject(new Error(`serve did not listen within ${startTimeoutMs} ms: ${stdout}${stderr}`));
    }, startTimeoutMs);
    const poll = setInterval(() => {
      const found = /listening on (\S+)/.exec(stdout)?.[1];
      if (found === undefined) return;
      clearTimeout(timer);
      clearInterval(poll);
      resolve(found);
    }, 20);
    void closed.then(([code]) => {
      clearTimeout(timer);
      clearInterval(poll);
      reject(new Error(`serve exited with ${String(code)} before listening: ${stdout}${stderr}`));
    });
  });
  return {
    url,
    async stop(timeoutMs = 15_000) {
      signalGroup('SIGTERM');
      const timer = setTimeout(() => signalGroup('SIGKILL'), timeoutMs);
      try {
        const [code, signal] = await closed;
        return { code, signal, stdout, stderr, elapsedMs: Date.now() - started };
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
