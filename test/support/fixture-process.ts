/**
 * A test server in a CHILD PROCESS (`node --import tsx <bin>`), restartable on the same port: the pattern of
 * `server-process.ts`, for the official-SDK fixtures (`v2-fixture-bin.ts`, `v1-sessionful-bin.ts`). The bin
 * prints one JSON line `{"url","port"}` once listening and reads `FIXTURE_PORT`.
 *
 * @example
 * ```ts
 * await using server = await startFixtureProcess('v2-fixture-bin.ts', { FIXTURE_LEGACY: 'reject' });
 * await server.restart();
 * ```
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export interface FixtureProcess extends AsyncDisposable {
  /** Stable across restarts. */
  readonly url: string;
  readonly port: number;
  readonly running: boolean;
  /** SIGKILL (default) and wait until the process exited. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Start again on the same port. */
  start(): Promise<void>;
  restart(): Promise<void>;
  /** GET a JSON test endpoint of the current process (one-shot node:http, so no pooled socket lingers). */
  get<T>(path: string): Promise<T>;
  /** POST a JSON body to a test endpoint. */
  post<T>(path: string, body?: unknown): Promise<T>;
}

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const START_TIMEOUT_MS = 60_000;

async function spawnFixture(bin: string, env: Record<string, string>): Promise<{ child: ChildProcess; exited: Promise<void>; url: string; port: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL(`./${bin}`, import.meta.url))], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = once(child, 'exit').then(() => undefined);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-4_000)));
  const lines = createInterface({ input: child.stdout! });
  const timeout = AbortSignal.timeout(START_TIMEOUT_MS);
  try {
    const ready = await new Promise<{ url: string; port: number }>((resolve, reject) => {
      lines.on('line', (line) => {
        try {
          const parsed = JSON.parse(line) as { url?: unknown; port?: unknown };
          if (typeof parsed.url === 'string' && typeof parsed.port === 'number') resolve({ url: parsed.url, port: parsed.port });
        } catch {
          // Not the ready line.
        }
      });
      void exited.then(() => reject(new Error(`${bin} exited before listening:\n${stderr}`)));
      timeout.addEventListener('abort', () => reject(new Error(`${bin} not listening after ${START_TIMEOUT_MS} ms:\n${stderr}`)), { once: true });
    });
    child.stdout?.resume();
    return { child, exited, ...ready };
  } catch (error) {
    child.kill('SIGKILL');
    await exited;
    throw error;
  } finally {
    lines.close();
  }
}

function request<T>(url: string, method: 'GET' | 'POST', body?: unknown): Promise<T> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, agent: false, headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        try {
          resolve(JSON.parse(text) as T);
        } catch (error) {
          reject(error);
        }
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

/**
 * Starts `bin` (a file in test/support/) with `env` on a free port, then keeps that port across restarts.
 *
 * @example
 * ```ts
 * const server = await startFixtureProcess('v2-fixture-bin.ts');
 * ```
 */
export async function startFixtureProcess(bin: string, env: Record<string, string> = {}): Promise<FixtureProcess> {
  let current: { child: ChildProcess; exited: Promise<void> } | undefined;
  const first = await spawnFixture(bin, { ...env, FIXTURE_PORT: '0' });
  current = first;
  const { url, port } = first;
  const origin = new URL(url).origin;
  const kill = async (signal: NodeJS.Signals = 'SIGKILL'): Promise<void> => {
    const running = current;
    if (running === undefined) return;
    current = undefined;
    running.child.kill(signal);
    await running.exited;
  };
  const start = async (): Promise<void> => {
    if (current !== undefined) throw new Error(`${bin} already running`);
    current = await spawnFixture(bin, { ...env, FIXTURE_PORT: String(port) });
  };
  return {
    url,
    port,
    get running() {
      return current !== undefined;
    },
    kill,
    start,
    restart: async () => {
      await kill();
      await start();
    },
    get: (path) => request(`${origin}${path}`, 'GET'),
    post: (path, body) => request(`${origin}${path}`, 'POST', body ?? {}),
    [Symbol.asyncDispose]: () => kill(),
  };
}
