/**
 * Runs the reference server as a CHILD PROCESS so tests can SIGKILL it mid-call and bring it back
 * on the same port (and the same store).
 *
 * @example
 * ```ts
 * await using server = await startServerProcess({ store: `pglite:${dir}` });
 * await server.kill();        // SIGKILL: a crash
 * await server.start();       // same port, same options
 * const stats = await server.stats();
 * ```
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import type { ReferenceServerOptions } from '../../server/index';
import type { CutAfterEventsOptions, FailNextOptions } from '../../server/index';
import type { ServerStatsSnapshot } from '../../server/index';

/**
 * JSON-serializable server options (no logger, no ready-made stores).
 *
 * @example
 * ```ts
 * const options: ServerProcessServerOptions = { store: 'memory', eventStore: false };
 * ```
 */
export type ServerProcessServerOptions = Omit<ReferenceServerOptions, 'logger' | 'store'> & { store?: string };

/**
 * @example
 * ```ts
 * await startServerProcess({ store: 'memory', env: { DEBUG: '1' }, startTimeoutMs: 30_000 });
 * ```
 */
export interface ServerProcessOptions extends ServerProcessServerOptions {
  /** Extra environment for the child. */
  env?: Record<string, string>;
  /** The entry to run instead of the reference server (it must print the same JSON line). @default server-bin.ts */
  bin?: string;
  /**
   * How long to wait for the child to listen. A fresh pglite directory takes 5-20 s to initialise on
   * a loaded 2-core box (measured 2026-11-21); memory starts in ~1-2 s. @default 60_000
   */
  startTimeoutMs?: number;
}

/**
 * The fault-injection API over HTTP (`POST /__archon/faults`).
 *
 * @example
 * ```ts
 * await server.faults.failNext({ status: 503, retryAfter: 1 });
 * ```
 */
export interface RemoteServerFaults {
  failNext(options?: FailNextOptions): Promise<void>;
  cutStreams(): Promise<number>;
  cutAfterEvents(options: CutAfterEventsOptions): Promise<void>;
  expireSession(sessionId?: string): Promise<number>;
  reset(): Promise<void>;
}

/**
 * A reference server in a child process, restartable on the same port.
 *
 * @example
 * ```ts
 * await server.kill();
 * await server.start();
 * ```
 */
export interface ServerProcess {
  /** Stable across restarts: the port is fixed after the first start. */
  readonly url: string;
  readonly port: number;
  /** Pid of the current child; undefined while down. */
  readonly pid: number | undefined;
  readonly running: boolean;
  readonly faults: RemoteServerFaults;
  /** `GET /__archon/stats` of the CURRENT process (counts restart from zero with each process). */
  stats(): Promise<ServerStatsSnapshot & { liveSessions: number }>;
  /** Kills the child (default SIGKILL) and waits until it exited and the port is free. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** SIGTERM: graceful shutdown; waits for exit. */
  stop(): Promise<void>;
  /** Starts a child on the same port with the same options; waits until it listens. */
  start(): Promise<void>;
  /** `kill()` then `start()`. */
  restart(signal?: NodeJS.Signals): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

const BIN = fileURLToPath(new URL('./server-bin.ts', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const STDERR_TAIL_CHARS = 4_000;

interface Child {
  process: ChildProcess;
  exited: Promise<void>;
}

async function spawnServer(
  serverOptions: ServerProcessServerOptions,
  env: Record<string, string>,
  timeoutMs: number,
  bin: string = BIN,
): Promise<{ child: Child; url: string; port: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', bin], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env, ARCHON_SERVER_OPTIONS: JSON.stringify(serverOptions) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = once(child, 'exit').then(() => undefined);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_TAIL_CHARS);
  });
  const lines = createInterface({ input: child.stdout! });
  const timeout = AbortSignal.timeout(timeoutMs);
  try {
    const ready = new Promise<{ url: string; port: number }>((resolve, reject) => {
      lines.on('line', (line) => {
        try {
          const parsed = JSON.parse(line) as { url?: unknown; port?: unknown };
          if (typeof parsed.url === 'string' && typeof parsed.port === 'number') resolve({ url: parsed.url, port: parsed.port });
        } catch {
          // Not our JSON line (stray output): keep waiting.
        }
      });
      void exited.then(() => reject(new Error(`server process exited before listening:\n${stderr}`)));
      timeout.addEventListener('abort', () => reject(new Error(`server process not listening after ${timeoutMs} ms:\n${stderr}`)), {
        once: true,
      });
    });
    const { url, port } = await ready;
    // Keep draining stdout so the child never blocks on a full pipe.
    child.stdout?.resume();
    return { child: { process: child, exited }, url, port };
  } catch (error) {
    child.kill('SIGKILL');
    await exited;
    throw error;
  } finally {
    lines.close();
  }
}

/**
 * Starts the reference server in a child process (`node --import tsx test/support/server-bin.ts`),
 * test hooks on, bound to 127.0.0.1.
 *
 * @example
 * ```ts
 * const server = await startServerProcess({ eventStore: false });
 * await server.faults.failNext({ status: 503, retryAfter: 1 });
 * await server.stop();
 * ```
 */
export async function startServerProcess(options: ServerProcessOptions = {}): Promise<ServerProcess> {
  const { env = {}, startTimeoutMs = 60_000, bin = BIN, ...serverOptions } = options;
  const config: ServerProcessServerOptions = { testHooks: true, host: '127.0.0.1', ...serverOptions };
  let { child, url, port } = await spawnServer(config, env, startTimeoutMs, bin);
  config.port = port;
  let current: Child | undefined = child;
  const origin = new URL(url).origin;

  const post = async (path: string, body: unknown): Promise<unknown> => {
    const response = await fetch(`${origin}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const json = (await response.json()) as { ok: boolean; result?: unknown; error?: string };
    if (!json.ok) throw new Error(`${path} failed: ${json.error ?? response.status}`);
    return json.result;
  };
  const fault = (body: Record<string, unknown>) => post('/__archon/faults', body);

  const kill = async (signal: NodeJS.Signals = 'SIGKILL'): Promise<void> => {
    const running = current;
    if (running === undefined) return;
    current = undefined;
    running.process.kill(signal);
    await running.exited;
  };
  const start = async (): Promise<void> => {
    if (current !== undefined) throw new Error('server process already running');
    ({ child } = await spawnServer(config, env, startTimeoutMs, bin));
    current = child;
  };

  return {
    url,
    port,
    get pid() {
      return current?.process.pid;
    },
    get running() {
      return current !== undefined;
    },
    faults: {
      failNext: async (failOptions = {}) => void (await fault({ action: 'failNext', ...failOptions })),
      cutStreams: async () => Number(await fault({ action: 'cutStreams' })),
      cutAfterEvents: async (cutOptions) => void (await fault({ action: 'cutAfterEvents', ...cutOptions })),
      expireSession: async (sessionId) =>
        Number(await fault({ action: 'expireSession', ...(sessionId === undefined ? {} : { sessionId }) })),
      reset: async () => void (await fault({ action: 'reset' })),
    },
    stats: async () => {
      const response = await fetch(`${origin}/__archon/stats`);
      return (await response.json()) as ServerStatsSnapshot & { liveSessions: number };
    },
    kill,
    stop: () => kill('SIGTERM'),
    start,
    restart: async (signal = 'SIGKILL') => {
      await kill(signal);
      await start();
    },
    [Symbol.asyncDispose]: () => kill('SIGKILL'),
  };
}
