/**
 * Two processes share one FileTokenStore and reach token expiry at the same moment: the lock file makes one of
 * them refresh and the other read the result, so a rotating refresh token is spent once. Real child processes
 * (node + tsx), a real authorization server, a resource that verifies the JWTs.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { createAuthCoordinator, FileTokenStore } from '../../src/auth/index';
import { type AuthorizationServer, startAuthorizationServer } from './support/authorization-server';
import { InteractiveTestProvider, logIn, movableClock, tempDirectory } from './support/fixtures';
import { type ResourceServer, startResourceServer } from './support/resource-server';

const CHILD = resolve(import.meta.dirname, 'support/refresh-child.ts');
const TTL_SECONDS = 600;
const CHILD_DEADLINE_MS = 20_000;

let as: AuthorizationServer;
let rs: ResourceServer;
let tokens: ReturnType<typeof tempDirectory>;
let serverClock: ReturnType<typeof movableClock>;

beforeEach(async () => {
  tokens = tempDirectory();
  serverClock = movableClock();
  // A slow token endpoint: without the lock both processes would be inside a refresh at once.
  as = await startAuthorizationServer({ accessTokenTtlSeconds: TTL_SECONDS, now: serverClock.now, tokenDelayMs: 300 });
  rs = await startResourceServer({ issuer: as.issuer, jwksUrl: as.jwksUrl, now: serverClock.now });
  const auth = createAuthCoordinator({ serverUrl: rs.url, authProvider: new InteractiveTestProvider('archon-cli'), tokenStore: new FileTokenStore({ directory: tokens.path }) });
  await logIn(auth, rs.url);
  as.tokenRequests.length = 0;
  rs.counts.requests = rs.counts.unauthorized = rs.counts.ok = 0;
});

afterEach(async () => {
  await rs.close();
  await as.close();
  tokens[Symbol.dispose]();
});

interface ChildResult {
  ok: boolean;
  sent: string | null;
  stored: string;
}

/** Starts both children, waits until both are ready, releases them together, collects one line each. */
async function raceTwoProcesses(clientOffsetMs: number): Promise<ChildResult[]> {
  const children = [0, 1].map(() =>
    spawn(process.execPath, ['--import', 'tsx', CHILD], {
      env: { ...process.env, AUTH_DIR: tokens.path, RESOURCE_URL: rs.url, CLIENT_OFFSET_MS: String(clientOffsetMs) },
      stdio: ['pipe', 'pipe', 'pipe'],
    }),
  );
  const deadline = setTimeout(() => children.forEach((child) => child.kill('SIGKILL')), CHILD_DEADLINE_MS);
  try {
    const stderr = children.map((child) => {
      let text = '';
      child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
      return () => text;
    });
    const lines = children.map((child) => createInterface({ input: child.stdout })[Symbol.asyncIterator]());
    for (const line of lines) expect((await line.next()).value).toBe('ready');
    for (const child of children) child.stdin.write('go\n');
    const results: ChildResult[] = [];
    for (const [index, line] of lines.entries()) {
      const next = await line.next();
      if (next.done === true) throw new Error(`child ${index} printed no result: ${stderr[index]?.()}`);
      results.push(JSON.parse(String(next.value)) as ChildResult);
    }
    await Promise.all(children.map((child) => (child.exitCode === null ? once(child, 'exit') : undefined)));
    expect(children.map((child) => child.exitCode)).toEqual([0, 0]);
    return results;
  } finally {
    clearTimeout(deadline);
  }
}

test('both processes ahead of expiry: 1 refresh, both send the new token, no 401', async () => {
  serverClock.advance((TTL_SECONDS - 30) * 1000);
  const results = await raceTwoProcesses((TTL_SECONDS - 30) * 1000);
  expect(as.tokenRequests.map((request) => [request.grantType, request.status])).toEqual([['refresh_token', 200]]);
  expect(results.map((result) => result.ok)).toEqual([true, true]);
  expect(new Set(results.map((result) => result.stored)).size).toBe(1);
  expect(results.map((result) => result.sent)).toEqual([`Bearer ${results[0]?.stored}`, `Bearer ${results[0]?.stored}`]);
  expect(rs.counts).toMatchObject({ requests: 2, unauthorized: 0, ok: 2 });
}, 60_000);

test('both processes told "expired" by the server (401): 1 refresh, both succeed', async () => {
  serverClock.advance((TTL_SECONDS + 5) * 1000);
  const results = await raceTwoProcesses(0);
  expect(as.tokenRequests.map((request) => [request.grantType, request.status])).toEqual([['refresh_token', 200]]);
  expect(results.map((result) => result.ok)).toEqual([true, true]);
  expect(rs.counts).toMatchObject({ requests: 4, unauthorized: 2, ok: 2 });
}, 60_000);
