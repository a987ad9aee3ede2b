/**
 * A real `redis-server` for integration tests: one private instance on a free loopback port in a temp
 * dir, no persistence, started from PATH (CI: `apt-get install -y redis-server`; never the system
 * service). `stop()` + `restart()` simulate a store outage on the SAME port.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * Whether a harness can run here, and if not, why (for `describe.skipIf(...)` titles).
 *
 * @example
 * ```ts
 * const missing: Availability = { ok: false, why: 'redis-server is not on PATH' };
 * ```
 */
export interface Availability {
  ok: boolean;
  why?: string;
}

/**
 * @example
 * ```ts
 * await using redis: RedisInstance = await startRedis();
 * ```
 */
export interface RedisInstance extends AsyncDisposable {
  /** `redis://127.0.0.1:<port>`. */
  readonly url: string;
  readonly port: number;
  /**
   * Kills the server (SIGKILL: an outage, not a shutdown). Idempotent. Without `persistent` the data is
   * gone (`--save ''`); with it, every acknowledged write survives (AOF, fsync always).
   */
  stop(): Promise<void>;
  /** Starts the server again on the same port (and, if persistent, the same data); resolves when it answers PING. */
  restart(): Promise<void>;
}

/** How `startRedis` runs the server. */
export interface RedisOptions {
  /**
   * Keep what Redis acknowledged across `stop()`/`restart()`, as a production session store would:
   * append-only file with `appendfsync always`, so even a SIGKILL loses nothing acknowledged.
   * @default false
   */
  persistent?: boolean;
}

/** How long a fresh redis-server may take to answer PING (it takes ~10-30 ms here). */
const READY_TIMEOUT_MS = 10_000;
const READY_POLL_MS = 20;

/**
 * Whether `redis-server` is on PATH.
 *
 * @example
 * ```ts
 * const redis = redisAvailable();
 * describe.skipIf(!redis.ok)(`redis store (skipped: ${redis.why})`, () => {});
 * ```
 */
export function redisAvailable(): Availability {
  const probe = spawnSync('redis-server', ['--version'], { encoding: 'utf8', timeout: 5_000 });
  if (probe.error !== undefined || probe.status !== 0) {
    return { ok: false, why: 'redis-server is not on PATH (apt-get install -y redis-server)' };
  }
  return { ok: true };
}

/**
 * Starts a private redis-server and waits until it answers PING.
 *
 * @example
 * ```ts
 * await using redis = await startRedis();
 * const stores = await createRedisStores(redis.url);
 * ```
 */
export async function startRedis(options: RedisOptions = {}): Promise<RedisInstance> {
  const persistent = options.persistent ?? false;
  const port = await freePort();
  let dir = '';
  let child: ChildProcess | undefined;
  const persistence = persistent ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no'];

  const start = async (): Promise<void> => {
    if (dir === '') dir = mkdtempSync(path.join(tmpdir(), 'mcp-redis-'));
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', ...persistence, '--dir', dir];
    const started = spawn('redis-server', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    child = started;
    trackChild(started);
    let stderr = '';
    started.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-2_000);
    });
    await waitUntil(() => pingRedis(port), () => started.exitCode !== null, () => `redis-server on ${port}: ${stderr}`);
  };

  const stop = async (): Promise<void> => {
    const running = child;
    child = undefined;
    if (running !== undefined) await killAndWait(running);
  };
  const removeData = (): void => {
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
    dir = '';
  };

  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop: async () => {
      await stop();
      if (!persistent) removeData();
    },
    restart: async () => {
      await stop();
      if (!persistent) removeData();
      await start();
    },
    [Symbol.asyncDispose]: async () => {
      await stop();
      removeData();
    },
  };
}

async function pingRedis(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let reply = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}

/**
 * A port the kernel just handed out on 127.0.0.1. Another process could take it before the server
 * binds; the ready check then fails loudly rather than talking to the wrong server.
 *
 * @example
 * ```ts
 * const port = await freePort();
 * ```
 */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * Polls `ready` every 20 ms until true, the process died, or 10 s passed.
 *
 * @example
 * ```ts
 * await waitUntil(async () => true, () => false, () => 'never');
 * ```
 */
export async function waitUntil(
  ready: () => Promise<boolean>,
  died: () => boolean,
  describe: () => string,
): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (died()) throw new Error(`Server exited before it was ready: ${describe()}`);
    if (await ready()) return;
    await new Promise((resolve) => setTimeout(resolve, READY_POLL_MS));
  }
  throw new Error(`Server not ready after ${READY_TIMEOUT_MS} ms: ${describe()}`);
}

/**
 * Sends `signal`, then SIGKILL after 5 s; resolves when the process has exited.
 *
 * @example
 * ```ts
 * await killAndWait(spawn('sleep', ['60']), 'SIGTERM');
 * ```
 */
export async function killAndWait(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const escalate = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(escalate);
}

const children = new Set<ChildProcess>();
let exitHooked = false;

/**
 * Kills servers a crashed test run left behind, so no redis/postgres outlives the vitest worker.
 *
 * @example
 * ```ts
 * trackChild(spawn('redis-server', ['--port', '0']));
 * ```
 */
export function trackChild(child: ChildProcess): void {
  if (!exitHooked) {
    exitHooked = true;
    process.once('exit', () => children.forEach((each) => each.kill('SIGKILL')));
  }
  children.add(child);
  child.once('exit', () => children.delete(child));
}
