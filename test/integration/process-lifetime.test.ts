/**
 * Issue 10 item 6: an open client does not keep the process alive on its own once no call is in flight. The
 * script below connects, waits until its notification stream is open (the legacy GET stream, the modern
 * `subscriptions/listen` stream), makes a call and never calls close(); it must exit by itself, soon after its
 * result, in both eras. A call still in flight keeps the process alive (its own timers). The package-level
 * version (packed tarball, ESM and CJS, `npx archon-mcp serve`) is in test/package/first-run.test.ts.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startFixtureProcess } from '../support/fixture-process';
import { startServer } from '../transport/wire-fixture';

const ENTRY = fileURLToPath(new URL('../../src/index.ts', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Generous: a loaded machine delays the exit a little; a held socket delays it forever. */
const EXIT_AFTER_RESULT_MS = 2_000;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'archon-lifetime-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function script(url: string, era: string, call: string): string {
  return `import { MCPClient } from ${JSON.stringify(ENTRY)};
const client = new MCPClient({ url: ${JSON.stringify(url)}, era: ${JSON.stringify(era)} });
const opened = new Promise((resolve) => client.on('stream', (event) => event.type === 'open' && resolve()));
await client.connect();
// Waiting for a notification-stream event needs a handle of the script's own: the stream holds none.
const keepAlive = setTimeout(() => {}, 10_000);
await opened;
clearTimeout(keepAlive);
const result = await ${call};
console.log(JSON.stringify({ era: client.era, state: client.state, text: result.content?.[0]?.text, at: Date.now() }));
`;
}

/** Runs the script under tsx; resolves with what it printed and when it exited (killed after 30 s). */
async function run(name: string, source: string): Promise<{ code: number | null; printed: { era: string; state: string; text: string; at: number }; exitedAt: number; stderr: string }> {
  const file = join(dir, name);
  await writeFile(file, source);
  const child = spawn(process.execPath, ['--import', 'tsx', file], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const code = await new Promise<number | null>((resolve) => child.on('exit', (exitCode) => resolve(exitCode)));
  const exitedAt = Date.now();
  clearTimeout(killer);
  const last = stdout.trim().split('\n').pop() ?? '';
  if (!last.startsWith('{')) throw new Error(`${name} printed no result (exit ${code}): ${stderr}`);
  return { code, printed: JSON.parse(last), exitedAt, stderr };
}

describe('a client that is never closed does not keep the process alive', () => {
  test('legacy era (reference server): the GET stream is open, the script exits by itself after its call', async () => {
    await using server = await startServer();
    const { code, printed, exitedAt, stderr } = await run('legacy.mts', script(server.url, 'legacy', "client.callTool('echo', { text: 'bye' })"));
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(printed).toMatchObject({ era: 'legacy', state: 'ready' });
    expect(exitedAt - printed.at).toBeLessThan(EXIT_AFTER_RESULT_MS);
  }, 60_000);

  test('modern era (official v2 server): the listen stream is open, the script exits by itself after its call', async () => {
    await using server = await startFixtureProcess('v2-fixture-bin.ts', { FIXTURE_LEGACY: 'reject' });
    const { code, printed, exitedAt, stderr } = await run('modern.mts', script(server.url, 'modern', "client.callTool('echo', { text: 'bye' })"));
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(printed).toMatchObject({ era: 'modern', state: 'ready', text: 'bye' });
    expect(exitedAt - printed.at).toBeLessThan(EXIT_AFTER_RESULT_MS);
  }, 60_000);

  test('a call in flight keeps the process alive until its result', async () => {
    await using server = await startServer();
    const { code, printed, stderr } = await run('slow.mts', script(server.url, 'legacy', "client.callTool('slow', { steps: 3, intervalMs: 300 })"));
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(printed.state).toBe('ready');
  }, 60_000);
});
