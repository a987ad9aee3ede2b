import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { startServerProcess } from '../support/server-process';
import { RawMcpSession } from '../support/server-raw-client';

/**
 * A fresh pglite directory initialises in 5-20 s on a loaded 2-core box, over 60 s at load 20
 * (measured 2026-11-21), so the pglite tests share ONE directory (sessions are distinct) and get
 * generous limits; later starts on an initialised directory take 2-6 s.
 */
const PGLITE_TEST_TIMEOUT_MS = 240_000;
const PGLITE_START_TIMEOUT_MS = 180_000;

const dirs: string[] = [];
function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}
const pgliteStore = () => `pglite:${(pgliteDir ??= tempDir('archon-pglite-'))}` as const;
let pgliteDir: string | undefined;

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function metricValue(url: string, name: string): Promise<number> {
  const text = await (await fetch(new URL('/metrics', url))).text();
  const line = text.split('\n').find((entry) => entry.startsWith(`${name} `));
  return Number(line?.split(' ')[1] ?? Number.NaN);
}

describe('reference server as a child process', () => {
  test('restarts on the same port; with the memory store an old session gets 404', async () => {
    await using server = await startServerProcess({ store: 'memory' });
    const session = await RawMcpSession.initialize(server.url);
    const firstPid = server.pid;

    await server.kill();
    expect(server.running).toBe(false);
    await expect(fetch(server.url)).rejects.toThrow();
    await server.start();

    expect(server.pid).not.toBe(firstPid);
    expect((await session.request('ping')).status).toBe(404);
    expect(await server.stats()).toMatchObject({ requests: 1, sessionsCreated: 0, sessionsRecovered: 0 });
    await RawMcpSession.initialize(server.url);
    expect((await server.stats()).sessionsCreated).toBe(1);
  });

  test('with the file store (the serve default), a session survives SIGKILL: the old Mcp-Session-Id works after restart', async () => {
    await using server = await startServerProcess({ store: `file:${tempDir('archon-file-')}` });
    const session = await RawMcpSession.initialize(server.url, { appSessionId: 'survives-on-file' });
    await session.callTool('echo', { text: 'before' });

    await server.restart('SIGKILL');
    const after = await session.request('tools/call', { name: 'echo', arguments: { text: 'after' } });

    expect(after.status).toBe(200);
    expect(after.headers.get('x-archon-session-id')).toBe('survives-on-file');
    expect(after.messages.at(-1)).toMatchObject({ result: { structuredContent: { text: 'after' } } });
    expect(await server.stats()).toMatchObject({ sessionsRecovered: 1, initializeCount: 0 });
  });

  test('with the file store, SIGTERM drains and the next process adopts the draining session', async () => {
    await using server = await startServerProcess({ store: `file:${tempDir('archon-file-')}` });
    const session = await RawMcpSession.initialize(server.url);

    await server.stop();
    await server.start();

    expect((await session.request('ping')).status).toBe(200);
    expect((await server.stats()).sessionsRecovered).toBe(1);
  });

  test('with pglite, a session survives SIGKILL: the old Mcp-Session-Id works after restart and counts as recovered', async () => {
    await using server = await startServerProcess({ store: pgliteStore(), startTimeoutMs: PGLITE_START_TIMEOUT_MS });
    const session = await RawMcpSession.initialize(server.url, { appSessionId: 'survives-restart' });
    await session.callTool('echo', { text: 'before' });

    await server.restart('SIGKILL');
    const after = await session.request('tools/call', { name: 'echo', arguments: { text: 'after' } });

    expect(after.status).toBe(200);
    expect(after.headers.get('x-archon-session-id')).toBe('survives-restart');
    expect(after.messages.at(-1)).toMatchObject({ result: { structuredContent: { text: 'after' } } });
    expect(await server.stats()).toMatchObject({ sessionsRecovered: 1, initializeCount: 0 });
    expect(await metricValue(server.url, 'mcp_sessions_recovered_total')).toBe(1);
  }, PGLITE_TEST_TIMEOUT_MS);

  test('with pglite, SIGTERM drains gracefully and the next process adopts the draining session', async () => {
    await using server = await startServerProcess({ store: pgliteStore(), startTimeoutMs: PGLITE_START_TIMEOUT_MS });
    const session = await RawMcpSession.initialize(server.url);

    await server.stop();
    await server.start();

    expect((await session.request('ping')).status).toBe(200);
    expect((await server.stats()).sessionsRecovered).toBe(1);
  }, PGLITE_TEST_TIMEOUT_MS);

  test('counter executed before a SIGKILL is counted exactly once in the counter file', async () => {
    const counterFile = join(tempDir('archon-counter-'), 'counter.log');
    await using server = await startServerProcess({ store: 'memory', counterFile });
    const session = await RawMcpSession.initialize(server.url);
    // Settled into a value at once: the rejection happens during kill(), before anyone awaits it.
    const call = session.request('tools/call', { name: 'counter', arguments: { key: 'k', delayMs: 5_000 } }).then(
      (reply) => reply,
      (error: unknown) => error,
    );
    const deadline = Date.now() + 5_000;
    const lines = () => {
      try {
        return readFileSync(counterFile, 'utf8');
      } catch {
        return '';
      }
    };
    while (lines() === '' && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));

    await server.kill();
    expect(await call).toBeInstanceOf(Error);
    expect(lines()).toBe('k\n');
  });

  test('the child reports faults and stats over HTTP', async () => {
    await using server = await startServerProcess({ store: 'memory' });
    const session = await RawMcpSession.initialize(server.url);
    await server.faults.failNext({ count: 1, status: 503, retryAfter: 1 });

    expect((await session.request('ping')).status).toBe(503);
    expect(await server.faults.expireSession(session.sessionId)).toBe(1);
    expect((await session.request('ping')).status).toBe(404);
    expect(await server.stats()).toMatchObject({ faultsInjected: 1, requests: 4 });
  });
});
