/**
 * The server side of a chaos row: the reference server as a child process (so it can be SIGKILLed and
 * restarted on the same port), its `counter` ledger in a temp file (so executions are counted across
 * kills), and optionally the TCP proxy in front of it (so the network can fail while the server lives).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServerProcess, type ServerProcess, type ServerProcessOptions } from './server-process';
import { startTcpProxy, type TcpProxy } from './tcp-proxy';
import type { ServerStatsSnapshot } from '../../server/index';

export interface ChaosServer extends AsyncDisposable {
  readonly server: ServerProcess;
  /** Present when started with `proxy: true`; clients should then use `url`, which goes through it. */
  readonly proxy: TcpProxy | undefined;
  /** The MCP endpoint the client should use: through the proxy when there is one. */
  readonly url: string;
  /**
   * `GET /__archon/stats` of the current server process, over a one-shot node:http connection. Not the
   * harness's `fetch`: importing undici installs its Agent as the global dispatcher, so `fetch` would
   * leave pooled undici sockets in the process that a leak check would take for the client's.
   */
  stats(): Promise<ServerStatsSnapshot>;
  /** How many times `counter` ran with `key`, across every process since the fixture started. */
  counterRuns(key: string): Promise<number>;
  /** Every `counter` execution, by key, across every process since the fixture started. */
  counterRunsByKey(): Promise<Map<string, number>>;
}

export interface ChaosServerOptions extends ServerProcessOptions {
  /** Put a TCP proxy in front of the server. @default false */
  readonly proxy?: boolean;
}

function getJson<T>(url: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { agent: false }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => {
        try {
          resolve(JSON.parse(body) as T);
        } catch (error) {
          reject(error);
        }
      });
      response.on('error', reject);
    });
    request.on('error', reject);
  });
}

async function readLedger(file: string): Promise<string[]> {
  try {
    return (await readFile(file, 'utf8')).split('\n').filter((line) => line !== '');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/**
 * Starts a memory-store server by default: a restart then loses every session, which is the fault the
 * rows want (a persistent store would let the server adopt the session and hide the re-initialize).
 * The per-session rate limit is lifted so that only the faults a row injects produce 429s.
 *
 * @example
 * ```ts
 * await using chaos = await startChaosServer({ proxy: true });
 * const client = new MCPClient({ url: chaos.url });
 * ```
 */
export async function startChaosServer(options: ChaosServerOptions & { proxy: true }): Promise<ChaosServer & { proxy: TcpProxy }>;
export async function startChaosServer(options?: ChaosServerOptions): Promise<ChaosServer>;
export async function startChaosServer(options: ChaosServerOptions = {}): Promise<ChaosServer> {
  const { proxy: withProxy = false, ...serverOptions } = options;
  const dir = await mkdtemp(join(tmpdir(), 'archon-chaos-'));
  const counterFile = join(dir, 'counter.log');
  const server = await startServerProcess({
    store: 'memory',
    rateLimitRequests: 1_000_000,
    counterFile,
    ...serverOptions,
  });
  const proxy = withProxy ? await startTcpProxy({ targetPort: server.port }) : undefined;
  const url = proxy ? proxy.url(new URL(server.url).pathname) : server.url;

  async function counterRunsByKey(): Promise<Map<string, number>> {
    const runs = new Map<string, number>();
    for (const key of await readLedger(counterFile)) runs.set(key, (runs.get(key) ?? 0) + 1);
    return runs;
  }

  const statsUrl = new URL('/__archon/stats', server.url).href;

  return {
    server,
    proxy,
    url,
    stats: () => getJson<ServerStatsSnapshot>(statsUrl),
    counterRunsByKey,
    async counterRuns(key) {
      return (await counterRunsByKey()).get(key) ?? 0;
    },
    async [Symbol.asyncDispose]() {
      await proxy?.close();
      await server[Symbol.asyncDispose]();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
