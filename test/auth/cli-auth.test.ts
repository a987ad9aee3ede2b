/**
 * The CLI against an MCP server behind OAuth (the reference server behind the jose-verifying resource
 * stand-in, tokens from oauth2-mock-server): `login` with the loopback redirect (the browser step driven by
 * the test, no browser opened), `tools`/`call`/`health` with the stored tokens (through MCPClient's
 * `authProvider`: refreshed ahead of expiry, and on a 401 in the middle of a command), `--token`/`ARCHON_MCP_TOKEN`,
 * `logout`, and `health`'s auth verdict with its exit codes.
 */
import { existsSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { FileTokenStore } from '../../src/auth/index';
import type { CliIo } from '../../src/cli/cli-io';
import { runCli } from '../../src/cli/run-cli';
import { startReferenceServer, type ReferenceServer } from '../../server/index';
import { type AuthorizationServer, startAuthorizationServer } from './support/authorization-server';
import { approveInBrowser, movableClock, tempDirectory } from './support/fixtures';
import { type ResourceServer, startResourceServer } from './support/resource-server';

const TTL_SECONDS = 900;

let upstream: ReferenceServer;
let as: AuthorizationServer;
let rs: ResourceServer;
let clock: ReturnType<typeof movableClock>;
let tokens: ReturnType<typeof tempDirectory>;
let env: Record<string, string>;

beforeAll(async () => {
  clock = movableClock();
  tokens = tempDirectory();
  env = { ARCHON_MCP_AUTH_DIR: tokens.path };
  upstream = await startReferenceServer({ port: 0, store: 'memory' });
  as = await startAuthorizationServer({ accessTokenTtlSeconds: TTL_SECONDS, now: clock.now, registration: true });
  rs = await startResourceServer({ issuer: as.issuer, jwksUrl: as.jwksUrl, now: clock.now, scope: 'mcp:tools', upstream: upstream.url });
});

afterAll(async () => {
  await rs.close();
  await as.close();
  await upstream.close();
  tokens[Symbol.dispose]();
});

/** Runs the CLI in-process; `onStderrLine` sees stderr as it is written (login prints the URL there). */
async function cli(argv: string[], extraEnv: Record<string, string> = {}, onStderrLine?: (line: string) => void) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (chunk: string) => (stdout += chunk) },
    stderr: {
      write: (chunk: string) => {
        stderr += chunk;
        for (const line of chunk.split('\n')) if (line !== '') onStderrLine?.(line);
      },
    },
    env: { ...env, ...extraEnv },
  };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}

/** A port nothing listens on right now (for a login that must use the same redirect twice). */
async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function healthJson(stdout: string): { healthy: boolean; auth: string | null } {
  return JSON.parse(stdout) as { healthy: boolean; auth: string | null };
}

describe('archon-mcp login', () => {
  test('prints the URL, receives the redirect on 127.0.0.1, stores the tokens (0600)', async () => {
    let browser: Promise<number> | undefined;
    const result = await cli(['login', rs.url, '--client-id', 'archon-cli', '--no-browser', '--timeout', '20000'], {}, (line) => {
      if (!line.startsWith('  http')) return;
      // The browser: approve at the authorization server, follow the redirect to the loopback server.
      browser = approveInBrowser(line.trim()).then(async (callback) => (await fetch(callback)).status);
    });
    expect(result).toMatchObject({ code: 0, stdout: `Logged in to ${rs.url} (authorization server ${as.issuer}); tokens stored in ${tokens.path}\n` });
    expect(result.stderr).toMatch(/^Open this URL in a browser to log in to /);
    expect(await browser).toBe(200);
    expect(as.tokenRequests.map((request) => [request.grantType, request.status])).toEqual([['authorization_code', 200]]);
    const store = new FileTokenStore({ directory: tokens.path });
    const record = await store.read(rs.url);
    expect(record?.tokens?.refresh_token).toBeDefined();
    expect(readFileSync(store.pathFor(rs.url, as.issuer)).length).toBeGreaterThan(0);
  });

  test('without --client-id: registers dynamically (RFC 7591) once, and a login on the same port reuses it', async () => {
    using own = tempDirectory();
    const port = String(await freePort());
    const login = () =>
      cli(['login', rs.url, '--no-browser', '--port', port, '--timeout', '20000'], { ARCHON_MCP_AUTH_DIR: own.path }, (line) => {
        if (line.startsWith('  http')) void approveInBrowser(line.trim()).then((callback) => fetch(callback));
      });
    const before = as.registrations.length;
    expect((await login()).code).toBe(0);
    expect(as.registrations.slice(before)).toEqual([
      expect.objectContaining({ client_name: 'archon-mcp', redirect_uris: [`http://127.0.0.1:${port}/callback`], token_endpoint_auth_method: 'none' }),
    ]);
    expect((await login()).code).toBe(0);
    expect(as.registrations.length - before).toBe(1);
    const record = await new FileTokenStore({ directory: own.path }).read(rs.url);
    expect(record?.clientInformation?.client_id).toBe(`dcr-${before + 1}`);
  });

  test('a forged state is refused: exit 1, the browser tab says so, nothing stored changes', async () => {
    const before = await new FileTokenStore({ directory: tokens.path }).read(rs.url);
    let tab: Promise<number> | undefined;
    const result = await cli(['login', rs.url, '--client-id', 'archon-cli', '--no-browser', '--timeout', '20000'], {}, (line) => {
      if (!line.startsWith('  http')) return;
      tab = approveInBrowser(line.trim()).then(async (callback) => {
        const forged = new URL(callback);
        forged.searchParams.set('state', 'forged');
        return (await fetch(forged)).status;
      });
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('does not carry the state this client sent');
    expect(await tab).toBe(400);
    expect(await new FileTokenStore({ directory: tokens.path }).read(rs.url)).toEqual(before);
  });
});

describe('commands with the stored tokens', () => {
  test('tools and call authenticate with them', async () => {
    const tools = await cli(['tools', rs.url]);
    expect(tools.code).toBe(0);
    expect(tools.stdout).toMatch(/^echo /m);
    const call = await cli(['call', 'echo', 'text=behind-oauth', '--url', rs.url]);
    expect(call).toMatchObject({ code: 0, stdout: expect.stringContaining('behind-oauth') });
    expect(rs.counts.unauthorized).toBe(0);
  });

  test('health --json: auth ok, exit 0', async () => {
    const result = await cli(['health', rs.url, '--json']);
    expect(result.code).toBe(0);
    expect(healthJson(result.stdout)).toMatchObject({ healthy: true, auth: 'ok' });
  });

  test('an expired stored token is refreshed once before the command runs', async () => {
    const store = new FileTokenStore({ directory: tokens.path });
    const path = store.pathFor(rs.url, as.issuer);
    const stored = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    // Time passes for everyone: the servers' clock, and the stored expiry as the CLI sees it.
    clock.advance((TTL_SECONDS + 60) * 1000);
    writeFileSync(path, JSON.stringify({ ...stored, expiresAt: Date.now() - 1_000 }));
    utimesSync(path, new Date(), new Date());
    as.tokenRequests.length = 0;
    const result = await cli(['health', rs.url, '--json']);
    expect(healthJson(result.stdout)).toMatchObject({ healthy: true, auth: 'ok' });
    expect(as.tokenRequests.map((request) => [request.grantType, request.status])).toEqual([['refresh_token', 200]]);
  });

  test('a token the server rejects in the middle of a command is refreshed there, and the command succeeds', async () => {
    // Only the servers' clock moves: the stored expiry still looks fine to the CLI, so the first request is a 401.
    clock.advance((TTL_SECONDS + 60) * 1000);
    as.tokenRequests.length = 0;
    const unauthorized = rs.counts.unauthorized;
    const result = await cli(['call', 'echo', 'text=after-a-401', '--url', rs.url]);
    expect(result).toMatchObject({ code: 0, stdout: expect.stringContaining('after-a-401') });
    expect(as.tokenRequests.map((request) => [request.grantType, request.status])).toEqual([['refresh_token', 200]]);
    expect(rs.counts.unauthorized - unauthorized).toBe(1);
  });
});

describe('health tells CI which auth problem it is', () => {
  test('no credentials at all: auth required, exit 3', async () => {
    using empty = tempDirectory();
    const result = await cli(['health', rs.url, '--json'], { ARCHON_MCP_AUTH_DIR: empty.path });
    expect(result.code).toBe(3);
    expect(healthJson(result.stdout)).toMatchObject({ healthy: false, auth: 'required' });
    const text = await cli(['health', rs.url], { ARCHON_MCP_AUTH_DIR: empty.path });
    expect(text.stdout).toContain(`auth: required (run archon-mcp login ${rs.url}, or pass --token)`);
  });

  test.each([
    ['--token', ['--token', 'not-a-jwt'], {}],
    ['ARCHON_MCP_TOKEN', [], { ARCHON_MCP_TOKEN: 'not-a-jwt' }],
  ])('a refused %s: auth expired, exit 4', async (_name, flags, extraEnv) => {
    const result = await cli(['health', rs.url, '--json', ...flags], extraEnv);
    expect(result.code).toBe(4);
    expect(healthJson(result.stdout)).toMatchObject({ healthy: false, auth: 'expired' });
  });

  test('a revoked refresh token: auth expired, exit 4, after one refused refresh', async () => {
    // The last test that needs the login: logout below only removes it.
    const record = await new FileTokenStore({ directory: tokens.path }).read(rs.url);
    await as.revoke(record?.tokens?.refresh_token ?? '');
    clock.advance((TTL_SECONDS + 60) * 1000);
    as.tokenRequests.length = 0;
    const result = await cli(['health', rs.url, '--json']);
    expect(result.code).toBe(4);
    expect(healthJson(result.stdout)).toMatchObject({ healthy: false, auth: 'expired' });
    expect(as.tokenRequests.map((request) => [request.grantType, request.status])).toEqual([['refresh_token', 400]]);
  });

  test('a server that is down: unhealthy, exit 1, auth unknown (null)', async () => {
    const result = await cli(['health', 'http://127.0.0.1:9/mcp', '--json', '--timeout', '2000']);
    expect(result.code).toBe(1);
    expect(healthJson(result.stdout)).toMatchObject({ healthy: false, auth: null });
  });
});

describe('archon-mcp logout', () => {
  test('removes the stored tokens; health then says auth required', async () => {
    const store = new FileTokenStore({ directory: tokens.path });
    const path = store.pathFor(rs.url, as.issuer);
    expect(existsSync(path)).toBe(true);
    const result = await cli(['logout', rs.url]);
    expect(result).toMatchObject({ code: 0, stdout: `Logged out of ${rs.url} (removed 1 token file from ${tokens.path})\n` });
    expect(existsSync(path)).toBe(false);
    expect((await cli(['logout', rs.url])).stdout).toBe(`No stored tokens for ${rs.url}\n`);
    expect((await cli(['health', rs.url, '--json'])).code).toBe(3);
  });
});
