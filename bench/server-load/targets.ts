/**
 * The servers the server bench measures: the official-SDK baseline, and `archon-mcp serve` (the built
 * CLI bin, so the package is measured as shipped) once per store. PostgreSQL and Redis run on private
 * servers from the test harnesses; a missing binary skips that store. Embedded stores get a fresh
 * directory per start.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { postgresAvailable, startPostgres } from '../../test/support/postgres-harness';
import { redisAvailable, startRedis } from '../../test/support/redis-harness';
import type { ServerLaunch } from './server-child';

/** The stores `archon-mcp serve` is measured on; `file` is the embedded default. */
export const STORE_IDS = ['memory', 'file', 'pglite', 'postgres', 'redis'] as const;
export type StoreId = (typeof STORE_IDS)[number];

/** Where the built pieces are (see the `bench:server` script). */
export interface BuiltPaths {
  cliPath: string;
  sdkBaselinePath: string;
  probePath: string;
}

/** A launchable server plus what it needs cleaned up afterwards. */
export interface Target {
  readonly id: StoreId | 'sdk';
  /** A fresh launch: a fresh directory for embedded stores, a fresh database for PostgreSQL. */
  launch(): Promise<ServerLaunch>;
  readonly dispose: () => Promise<void>;
}

/** Flags that keep the server's own protections out of the measurement (per-session rate limit, new sessions per IP). */
const SERVE_FLAGS = ['--port', '0', '--rate-limit', '1000000000', '--max-sessions', '1000000', '--max-new-sessions-per-ip', '1000000000'];

/** PGlite's first start initialises a database in WebAssembly: 5-20 s on 2 loaded cores. */
const READY_TIMEOUT_MS = { pglite: 180_000, other: 60_000 } as const;

export function sdkTarget(paths: BuiltPaths): Target {
  return {
    id: 'sdk',
    launch: async () => ({ label: 'sdk', args: [paths.sdkBaselinePath], probePath: paths.probePath, readyTimeoutMs: READY_TIMEOUT_MS.other }),
    dispose: async () => {},
  };
}

/** The `archon-mcp serve` target of one store, or the reason it cannot run here. */
export async function storeTarget(id: StoreId, paths: BuiltPaths): Promise<Target | string> {
  const dirs: string[] = [];
  const freshDir = () => {
    const dir = mkdtempSync(path.join(tmpdir(), `bench-server-${id}-`));
    dirs.push(dir);
    return dir;
  };
  const removeDirs = async () => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  };
  const serve = (store: () => Promise<string>): Target['launch'] => async () => ({
    label: id,
    args: [paths.cliPath, 'serve', '--store', await store(), ...SERVE_FLAGS],
    probePath: paths.probePath,
    readyTimeoutMs: id === 'pglite' ? READY_TIMEOUT_MS.pglite : READY_TIMEOUT_MS.other,
  });
  switch (id) {
    case 'memory':
      return { id, launch: serve(async () => 'memory'), dispose: removeDirs };
    case 'file':
      return { id, launch: serve(async () => `file:${freshDir()}`), dispose: removeDirs };
    case 'pglite':
      return { id, launch: serve(async () => `pglite:${freshDir()}`), dispose: removeDirs };
    case 'postgres': {
      const available = postgresAvailable();
      if (!available.ok) return available.why ?? 'postgres unavailable';
      const postgres = await startPostgres();
      return { id, launch: serve(() => postgres.createDatabase('bench')), dispose: async () => postgres[Symbol.asyncDispose]() };
    }
    case 'redis': {
      const available = redisAvailable();
      if (!available.ok) return available.why ?? 'redis unavailable';
      const redis = await startRedis();
      return { id, launch: serve(async () => redis.url), dispose: async () => redis[Symbol.asyncDispose]() };
    }
  }
}
