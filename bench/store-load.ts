/**
 * Store load benchmark (not a test): per backend, create 10,000 sessions, validate (get) each, expire
 * them all with `expire()`, purge them; prints wall time per session for each phase and the memory
 * the sessions cost (this process's RSS/heap delta, and the server's own figure for redis/postgres).
 *
 *   node --import tsx bench/store-load.ts [sessions=10000] [backends=memory,file,pglite,postgres,redis]
 *
 * Redis and Postgres run on private servers from the test harness; a missing binary skips that row.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createClient } from 'redis';
import { createFileStores } from '../server/stores/file-store';
import { createMemoryStores } from '../server/stores/memory-store';
import { createPgliteStores } from '../server/stores/pglite-store';
import { createPostgresStores } from '../server/stores/postgres-store';
import { createRedisStores } from '../server/stores/redis-store';
import type { SessionEventStore, SessionRecord, SessionStore } from '../server/stores/types';
import { postgresAvailable, startPostgres } from '../test/support/postgres-harness';
import { redisAvailable, startRedis } from '../test/support/redis-harness';

const SESSIONS = Number(process.argv[2] ?? 10_000);
const BACKENDS = (process.argv[3] ?? 'memory,file,pglite,postgres,redis').split(',');
/** Requests in flight at once, as a busy server would have; pglite serialises them anyway. */
const CONCURRENCY = 32;
const T0 = 1_800_000_000_000;

interface Backend {
  stores: { sessions: SessionStore; events: SessionEventStore };
  /** Bytes the backend server itself holds, where it has one. */
  serverBytes?: () => Promise<number>;
  dispose: () => Promise<void>;
}

async function inBatches(count: number, run: (index: number) => Promise<unknown>): Promise<void> {
  for (let start = 0; start < count; start += CONCURRENCY) {
    const batch = [];
    for (let index = start; index < Math.min(count, start + CONCURRENCY); index += 1) batch.push(run(index));
    await Promise.all(batch);
  }
}

function record(index: number): SessionRecord {
  return {
    sessionId: `bench-${index}-${'x'.repeat(24)}`,
    appSessionId: `app-${index}`,
    principalHash: null,
    initializeParams: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'bench', version: '1' } },
    protocolVersion: '2025-11-25',
    createdAt: T0,
    lastActivityAt: T0,
    expiresAt: T0 + 60_000,
    status: 'active',
    disconnectReason: null,
    ownerInstance: 'bench',
  };
}

async function timed(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await run();
  return performance.now() - started;
}

async function measure(name: string, backend: Backend): Promise<void> {
  const { sessions } = backend.stores;
  globalThis.gc?.();
  const before = process.memoryUsage();
  const serverBefore = (await backend.serverBytes?.()) ?? 0;
  const createMs = await timed(() => inBatches(SESSIONS, (index) => sessions.create(record(index))));
  globalThis.gc?.();
  const after = process.memoryUsage();
  const serverAfter = (await backend.serverBytes?.()) ?? 0;
  const getMs = await timed(() =>
    inBatches(SESSIONS, async (index) => {
      if ((await sessions.get(record(index).sessionId)) === undefined) throw new Error(`lost session ${index}`);
    }),
  );
  let expired = 0;
  const expireMs = await timed(async () => {
    expired = (await sessions.expire(T0 + 60_000)).length;
  });
  let purged = 0;
  const purgeMs = await timed(async () => {
    purged = await sessions.purge(T0 + 1);
  });
  if (expired !== SESSIONS || purged !== SESSIONS) throw new Error(`${name}: expired ${expired}, purged ${purged}`);
  const perSession = (ms: number) => `${((ms * 1_000) / SESSIONS).toFixed(1)} µs`;
  const kib = (bytes: number) => `${(bytes / 1024 / SESSIONS).toFixed(2)} KiB`;
  console.log(
    [
      name.padEnd(8),
      `create ${perSession(createMs)}`,
      `get ${perSession(getMs)}`,
      `expire ${perSession(expireMs)} (${expireMs.toFixed(0)} ms total)`,
      `purge ${perSession(purgeMs)} (${purgeMs.toFixed(0)} ms total)`,
      `rss Δ ${kib(after.rss - before.rss)}`,
      `heap Δ ${kib(after.heapUsed - before.heapUsed)}`,
      backend.serverBytes ? `server Δ ${kib(serverAfter - serverBefore)}` : '',
    ].join(' | '),
  );
}

async function open(name: string): Promise<Backend | string> {
  switch (name) {
    case 'memory': {
      const stores = await createMemoryStores();
      return { stores, dispose: async () => {} };
    }
    case 'file': {
      const dir = mkdtempSync(path.join(tmpdir(), 'mcp-bench-file-'));
      const stores = await createFileStores(dir);
      return {
        stores,
        dispose: async () => {
          await stores.events.close();
          await stores.sessions.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    }
    case 'pglite': {
      const dir = mkdtempSync(path.join(tmpdir(), 'mcp-bench-pglite-'));
      const stores = await createPgliteStores(dir);
      return {
        stores,
        dispose: async () => {
          await stores.events.close();
          await stores.sessions.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    }
    case 'postgres': {
      const available = postgresAvailable();
      if (!available.ok) return available.why ?? 'unavailable';
      const server = await startPostgres();
      const url = await server.createDatabase('bench');
      const stores = await createPostgresStores(url);
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      return {
        stores,
        serverBytes: async () => {
          const { rows } = await admin.query<{ bytes: string }>('SELECT pg_database_size(current_database()) AS bytes');
          return Number(rows[0]?.bytes);
        },
        dispose: async () => {
          await admin.end();
          await stores.events.close();
          await stores.sessions.close();
          await server[Symbol.asyncDispose]();
        },
      };
    }
    case 'redis': {
      const available = redisAvailable();
      if (!available.ok) return available.why ?? 'unavailable';
      const server = await startRedis();
      const stores = await createRedisStores(server.url);
      const admin = createClient({ url: server.url });
      await admin.connect();
      return {
        stores,
        serverBytes: async () => Number(/used_memory:(\d+)/.exec(await admin.info('memory'))?.[1]),
        dispose: async () => {
          await admin.close();
          await stores.events.close();
          await stores.sessions.close();
          await server[Symbol.asyncDispose]();
        },
      };
    }
    default:
      return `unknown backend ${name}`;
  }
}

console.log(`store load: ${SESSIONS} sessions per backend, ${CONCURRENCY} in flight, node ${process.version}`);
for (const name of BACKENDS) {
  const backend = await open(name);
  if (typeof backend === 'string') {
    console.log(`${name.padEnd(8)} | skipped: ${backend}`);
    continue;
  }
  try {
    await measure(name, backend);
  } finally {
    await backend.dispose();
  }
}
