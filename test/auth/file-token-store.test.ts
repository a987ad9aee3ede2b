/**
 * The file store on a real file system: permissions, atomic replacement, one file per (issuer, resource),
 * damaged files, and the lock file (exclusive, stale takeover, deadline).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { FileTokenStore, defaultTokenDirectory, type StoredCredentials } from '../../src/auth/index';
import { TimeoutError } from '../../src/errors/tree';
import { tempDirectory } from './support/fixtures';

const RESOURCE = 'https://mcp.example.com/mcp';

function record(issuer: string, savedAt: number, accessToken = `at-${savedAt}`): StoredCredentials {
  return { resource: RESOURCE, issuer, savedAt, tokens: { access_token: accessToken, token_type: 'Bearer', refresh_token: 'rt', issuer }, expiresAt: savedAt + 60_000 };
}

describe('FileTokenStore', () => {
  test('writes one 0600 file per (issuer, resource) in a 0700 directory, leaving no temp file', async () => {
    using dir = tempDirectory();
    const store = new FileTokenStore({ directory: join(dir.path, 'nested', 'tokens') });
    await store.write(record('https://as-1.example.com', 1));
    await store.write(record('https://as-2.example.com', 2));
    await store.write(record('https://as-1.example.com', 3));
    const files = readdirSync(store.directory);
    expect(files).toHaveLength(2);
    expect(files.every((name) => name.startsWith('mcp.example.com_mcp-') && name.endsWith('.json'))).toBe(true);
    for (const name of files) expect(statSync(join(store.directory, name)).mode & 0o777).toBe(0o600);
    expect(statSync(store.directory).mode & 0o777).toBe(0o700);
  });

  test('reads a record by issuer, or the most recently saved one for the resource', async () => {
    using dir = tempDirectory();
    const store = new FileTokenStore({ directory: dir.path });
    await store.write(record('https://as-1.example.com', 5));
    await store.write(record('https://as-2.example.com', 7));
    expect((await store.read(RESOURCE))?.issuer).toBe('https://as-2.example.com');
    expect((await store.read(RESOURCE, 'https://as-1.example.com'))?.tokens?.access_token).toBe('at-5');
    expect(await store.read('https://other.example.com/mcp')).toBeUndefined();
    expect(await store.remove(RESOURCE, 'https://as-2.example.com')).toBe(1);
    expect((await store.read(RESOURCE))?.issuer).toBe('https://as-1.example.com');
    expect(await store.remove(RESOURCE)).toBe(1);
    expect(await store.read(RESOURCE)).toBeUndefined();
  });

  test('a damaged, foreign or oversized file reads as absent instead of failing', async () => {
    using dir = tempDirectory();
    const store = new FileTokenStore({ directory: dir.path });
    const path = store.pathFor(RESOURCE, 'https://as.example.com');
    writeFileSync(path, '{"version":1,"resource":');
    expect(await store.read(RESOURCE)).toBeUndefined();
    writeFileSync(path, JSON.stringify({ version: 1, resource: 'https://elsewhere/mcp', issuer: 'x', savedAt: 1 }));
    expect(await store.read(RESOURCE, 'https://as.example.com')).toBeUndefined();
    writeFileSync(path, JSON.stringify({ version: 1, resource: RESOURCE, issuer: 'x', savedAt: 1, pad: 'x'.repeat(300_000) }));
    expect(await store.read(RESOURCE)).toBeUndefined();
  });

  test('the default directory follows ARCHON_MCP_AUTH_DIR, then XDG_CONFIG_HOME, then ~/.config', () => {
    expect(defaultTokenDirectory({ ARCHON_MCP_AUTH_DIR: '/srv/tokens', XDG_CONFIG_HOME: '/x' })).toBe('/srv/tokens');
    expect(defaultTokenDirectory({ XDG_CONFIG_HOME: '/home/me/.cfg' })).toBe('/home/me/.cfg/archon-mcp/tokens');
    expect(defaultTokenDirectory({})).toMatch(/\/\.config\/archon-mcp\/tokens$/);
    expect(() => new FileTokenStore({ lockTimeoutMs: 0 })).toThrow('Expected `lockTimeoutMs` to be an integer from 1 to 2147483647, got 0');
  });
});

describe('FileTokenStore.lock', () => {
  test('is exclusive: a second holder waits until the first releases', async () => {
    using dir = tempDirectory();
    const store = new FileTokenStore({ directory: dir.path });
    const first = await store.lock(RESOURCE);
    const order: string[] = [];
    const second = store.lock(RESOURCE).then((lock) => {
      order.push('second acquired');
      return lock;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    order.push('first releases');
    await first.release();
    await (await second).release();
    expect(order).toEqual(['first releases', 'second acquired']);
    expect(readdirSync(dir.path)).toEqual([]);
  });

  test('a lock left by a process that died is taken over at once', async () => {
    using dir = tempDirectory();
    const store = new FileTokenStore({ directory: dir.path, lockTimeoutMs: 2_000 });
    const held = await store.lock(RESOURCE);
    const [lockFile] = readdirSync(dir.path);
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    const content = JSON.parse(await import('node:fs/promises').then((fs) => fs.readFile(join(dir.path, lockFile ?? ''), 'utf8'))) as Record<string, unknown>;
    writeFileSync(join(dir.path, lockFile ?? ''), JSON.stringify({ ...content, owner: 'crashed', pid: Number(dead) }));
    const taken = await store.lock(RESOURCE);
    await held.release(); // not its lock any more: must not remove the new holder's file
    expect(readdirSync(dir.path)).toEqual([lockFile]);
    await taken.release();
    expect(readdirSync(dir.path)).toEqual([]);
  });

  test('a live holder past lockTimeoutMs: TimeoutError naming the holder', async () => {
    using dir = tempDirectory();
    const store = new FileTokenStore({ directory: dir.path, lockTimeoutMs: 150 });
    const held = await store.lock(RESOURCE);
    const error = await store.lock(RESOURCE).catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ code: 'TIMEOUT', kind: 'total', timeoutMs: 150 });
    expect((error as Error).message).toContain(`held by pid ${process.pid}`);
    await held.release();
  });

  test('a lock whose heartbeat stopped for staleLockMs is taken over', async () => {
    using dir = tempDirectory();
    const store = new FileTokenStore({ directory: dir.path, staleLockMs: 100, lockTimeoutMs: 5_000 });
    // A foreign host's lock: only its age can say it is stale. Lock files sit beside the token files.
    const lockPath = store.pathFor(RESOURCE, 'x').replace(/\.[0-9a-f]{16}\.json$/, '.lock');
    writeFileSync(lockPath, JSON.stringify({ owner: 'other-host', pid: 1, host: 'elsewhere' }));
    const { utimesSync } = await import('node:fs');
    utimesSync(lockPath, new Date(Date.now() - 1_000), new Date(Date.now() - 1_000));
    const lock = await store.lock(RESOURCE);
    await lock.release();
    expect(readdirSync(dir.path)).toEqual([]);
  });
});
