/**
 * A real PostgreSQL 15 for integration tests: `initdb` + `postgres` in a temp dir on a free loopback
 * port, trust auth, fsync off, the unix socket inside the temp dir. initdb and postgres refuse to run
 * as root, so under root both run as the `postgres` system user (spawn `uid`/`gid`), with the temp dir
 * chowned to it. CI needs the postgresql-15 server package and that user (Debian creates both).
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { Availability } from './redis-harness';
import { freePort, killAndWait, trackChild, waitUntil } from './redis-harness';

/**
 * @example
 * ```ts
 * await using postgres: PostgresInstance = await startPostgres();
 * ```
 */
export interface PostgresInstance extends AsyncDisposable {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` (the maintenance database). */
  readonly url: string;
  readonly port: number;
  /**
   * Creates a database and returns its URL; names are made unique by the harness. With `template`
   * (a database nobody is connected to) it starts as a copy of that one: a migrated template saves
   * running the migrations for every test.
   */
  createDatabase(prefix?: string, options?: { template?: string }): Promise<string>;
  /** Stops the server (SIGQUIT: immediate shutdown, like a crash); the data stays for `restart()`. Idempotent. */
  stop(): Promise<void>;
  /** Starts the server again on the same port and data; resolves when it accepts queries. */
  restart(): Promise<void>;
}

interface Toolchain {
  bindir: string;
  /** Set when we are root and must drop to the `postgres` user. */
  user?: { uid: number; gid: number };
}

const DEFAULT_BINDIR = '/usr/lib/postgresql/15/bin';

/**
 * Whether initdb/postgres exist and can run here.
 *
 * @example
 * ```ts
 * const postgres = postgresAvailable();
 * describe.skipIf(!postgres.ok)(`postgres store (skipped: ${postgres.why})`, () => {});
 * ```
 */
export function postgresAvailable(): Availability {
  const found = findToolchain();
  return typeof found === 'string' ? { ok: false, why: found } : { ok: true };
}

function findToolchain(): Toolchain | string {
  let bindir = DEFAULT_BINDIR;
  if (!existsSync(path.join(bindir, 'postgres'))) {
    const probe = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8', timeout: 5_000 });
    bindir = probe.status === 0 ? probe.stdout.trim() : '';
  }
  if (bindir === '' || !existsSync(path.join(bindir, 'postgres')) || !existsSync(path.join(bindir, 'initdb'))) {
    return `no PostgreSQL server binaries in ${DEFAULT_BINDIR} or pg_config --bindir (apt-get install -y postgresql-15)`;
  }
  if (process.getuid?.() !== 0) return { bindir };
  const user = systemUser('postgres');
  if (user === undefined) return 'running as root and there is no `postgres` system user to run initdb/postgres as';
  return { bindir, user };
}

function systemUser(name: string): { uid: number; gid: number } | undefined {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith(`${name}:`));
  const [, , uid, gid] = line?.split(':') ?? [];
  return uid !== undefined && gid !== undefined ? { uid: Number(uid), gid: Number(gid) } : undefined;
}

/**
 * Initialises and starts a private PostgreSQL server (~1-2 s), one per test file.
 *
 * @example
 * ```ts
 * await using postgres = await startPostgres();
 * const stores = await createPostgresStores(await postgres.createDatabase());
 * ```
 */
export async function startPostgres(): Promise<PostgresInstance> {
  const toolchain = findToolchain();
  if (typeof toolchain === 'string') throw new Error(toolchain);
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'mcp-pg-'));
  const data = path.join(dir, 'data');
  if (toolchain.user !== undefined) chownSync(dir, toolchain.user.uid, toolchain.user.gid);
  const asUser = toolchain.user ?? {};

  const initdb = spawnSync(
    path.join(toolchain.bindir, 'initdb'),
    ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8', '--locale', 'C'],
    { encoding: 'utf8', timeout: 60_000, cwd: dir, ...asUser },
  );
  if (initdb.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed (${initdb.status}): ${initdb.stderr || initdb.error?.message}`);
  }

  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let child: ChildProcess | undefined;
  let databases = 0;

  const start = async (): Promise<void> => {
    const args = ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1'];
    // fsync=off: no OS crash to survive, so commits need not reach the disk, only the kernel. NOT
    // synchronous_commit=off: that delays even the write, and a `stop()` (a crash) then lost the
    // committed migrations of a fresh database in the outage test.
    args.push('-c', 'fsync=off', '-c', 'full_page_writes=off', '-c', 'max_connections=200');
    const started = spawn(path.join(toolchain.bindir, 'postgres'), args, {
      stdio: ['ignore', 'ignore', 'pipe'],
      cwd: dir,
      ...asUser,
    });
    child = started;
    trackChild(started);
    let stderr = '';
    started.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-2_000);
    });
    await waitUntil(() => acceptsQueries(url), () => started.exitCode !== null, () => `postgres on ${port}: ${stderr}`);
  };

  const stop = async (): Promise<void> => {
    const running = child;
    child = undefined;
    // SIGQUIT, not SIGKILL: the postmaster then takes its backends down with it instead of orphaning them.
    if (running !== undefined) await killAndWait(running, 'SIGQUIT');
  };

  await start();
  return {
    url,
    port,
    createDatabase: async (prefix = 'test', options = {}) => {
      databases += 1;
      const name = `${prefix}_${process.pid}_${databases}`.replace(/[^a-z0-9_]/gi, '_').toLowerCase();
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      try {
        const template = options.template === undefined ? '' : ` TEMPLATE ${pg.escapeIdentifier(options.template)}`;
        // PG 15's default WAL_LOG strategy copies a database through the WAL: 235 ms a copy here,
        // FILE_COPY 84 ms (measured under load; the checkpoint it forces is cheap with fsync off).
        const { rows } = await admin.query<{ server_version_num: string }>('SHOW server_version_num');
        const strategy = Number(rows[0]?.server_version_num) >= 150_000 ? ' STRATEGY FILE_COPY' : '';
        await admin.query(`CREATE DATABASE ${name}${template}${strategy}`);
      } finally {
        await admin.end();
      }
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    stop,
    restart: async () => {
      await stop();
      await start();
    },
    [Symbol.asyncDispose]: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function acceptsQueries(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}
