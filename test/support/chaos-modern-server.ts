/**
 * The server side of a modern-era chaos row: the official v2 server (`v2-fixture-bin.ts`, modern-only) as a
 * child process restartable on the same port, its `counter` ledger in a temp file (executions counted across
 * kills), and optionally the TCP proxy in front of it. The counterpart of `chaos-server.ts` for 2026-07-28.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type FixtureProcess, startFixtureProcess } from './fixture-process';
import { startTcpProxy, type TcpProxy } from './tcp-proxy';

/** `GET /__fixture/stats` of the current process (counts restart from zero with each process). */
export interface ModernFixtureStats {
  byMethod: Record<string, number>;
  byStatus: Record<string, number>;
  toolRuns: Record<string, number>;
  listenOpen: number;
}

export interface ModernChaosServer extends AsyncDisposable {
  readonly server: FixtureProcess;
  readonly proxy: TcpProxy | undefined;
  /** The MCP endpoint clients use: through the proxy when there is one. */
  readonly url: string;
  stats(): Promise<ModernFixtureStats>;
  /** The next `count` MCP POSTs are answered `status` with `Retry-After: retryAfter` seconds. */
  failNext(options: { count?: number; status: number; retryAfter?: number }): Promise<void>;
  /** Toggles the extra tool and publishes `notifications/tools/list_changed` to the listen streams. */
  changeTools(): Promise<void>;
  counterRuns(key: string): Promise<number>;
  counterRunsByKey(): Promise<Map<string, number>>;
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
 * @example
 * ```ts
 * await using chaos = await startModernChaosServer({ proxy: true });
 * const client = new MCPClient({ url: chaos.url });
 * ```
 */
export async function startModernChaosServer(options: { proxy?: boolean } = {}): Promise<ModernChaosServer> {
  const dir = await mkdtemp(join(tmpdir(), 'archon-modern-chaos-'));
  const counterFile = join(dir, 'counter.log');
  const server = await startFixtureProcess('v2-fixture-bin.ts', { FIXTURE_LEGACY: 'reject', FIXTURE_COUNTER_FILE: counterFile });
  const proxy = options.proxy ? await startTcpProxy({ targetPort: server.port }) : undefined;
  const counterRunsByKey = async (): Promise<Map<string, number>> => {
    const runs = new Map<string, number>();
    for (const key of await readLedger(counterFile)) runs.set(key, (runs.get(key) ?? 0) + 1);
    return runs;
  };
  return {
    server,
    proxy,
    url: proxy ? proxy.url('/mcp') : server.url,
    stats: () => server.get<ModernFixtureStats>('/__fixture/stats'),
    failNext: async (fail) => void (await server.post('/__fixture/fail-next', fail)),
    changeTools: async () => void (await server.post('/__fixture/change-tools')),
    counterRunsByKey,
    counterRuns: async (key) => (await counterRunsByKey()).get(key) ?? 0,
    async [Symbol.asyncDispose]() {
      await proxy?.close();
      await server.kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
