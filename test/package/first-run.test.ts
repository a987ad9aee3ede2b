/**
 * Issue #10 "Prove it": the packed tarball installed into a fresh `npm init -y` project (outside this
 * repository, no optional packages), used the way the README tells a stranger to, from ESM and CJS.
 * consumers.test.ts checks the entries' shapes against this repository's node_modules; this file checks
 * that a real install works without our devDependencies.
 */
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { PACK_HOOK_TIMEOUT_MS, PROJECT_ROOT } from './support/built-package';
import { INSTALL_TIMEOUT_MS, createFreshProject, runIn, startServe } from './support/fresh-project';

/** Optional peers a plain `npm install archon-mcp-client` must not bring (and that the entries must not need). */
const OPTIONAL_PEERS = ['pg', 'redis', '@electric-sql/pglite', 'json-schema-to-typescript'];
const NODE_TIMEOUT_MS = 30_000;
/** A test that starts `npx archon-mcp serve` and runs a few commands against it, on 2 shared cores. */
const SERVE_TEST_TIMEOUT_MS = 120_000;

let dir: string;

beforeAll(async () => {
  dir = await createFreshProject();
}, PACK_HOOK_TIMEOUT_MS + 2 * INSTALL_TIMEOUT_MS);

afterAll(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

function write(name: string, text: string): string {
  writeFileSync(join(dir, name), text);
  return name;
}

function node(file: string, env: Record<string, string> = {}) {
  return runIn(dir, process.execPath, [file], { timeoutMs: NODE_TIMEOUT_MS, env });
}

async function deadUrl(): Promise<string> {
  const probe = createServer();
  await new Promise<void>((resolvePromise) => probe.listen(0, '127.0.0.1', resolvePromise));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolvePromise) => probe.close(() => resolvePromise()));
  return `http://127.0.0.1:${port}/mcp`;
}

/** The code blocks of the README's "## Quick start" section, in order, with their info string. */
function quickStartBlocks(): { lang: string; code: string }[] {
  const readme = readFileSync(resolve(PROJECT_ROOT, 'README_MCP_CLIENT.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Quick start\n'), readme.indexOf('\n## MCPClient\n'));
  return [...section.matchAll(/```(\w+)\n([\s\S]*?)```/g)].map((match) => ({ lang: match[1] ?? '', code: match[2] ?? '' }));
}

describe('a fresh npm init -y project with only archon-mcp-client installed', () => {
  test('is CommonJS by default and has none of the optional peers', () => {
    expect(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).type).not.toBe('module');
    expect(existsSync(join(dir, 'node_modules', 'archon-mcp-client', 'dist', 'index.js'))).toBe(true);
    expect(OPTIONAL_PEERS.filter((name) => existsSync(join(dir, 'node_modules', name)))).toEqual([]);
  });

  test.each([
    ['ESM', 'entries.mjs', "import * as root from 'archon-mcp-client';\nimport * as server from 'archon-mcp-client/server';"],
    ['CJS', 'entries.cjs', "const root = require('archon-mcp-client');\nconst server = require('archon-mcp-client/server');"],
  ])('%s imports both entries', async (_, file, imports) => {
    write(file, `${imports}\nconsole.log(JSON.stringify({ root: typeof root.MCPClient, server: typeof server.startReferenceServer }));\n`);
    const { code, stdout, stderr } = await node(file);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ root: 'function', server: 'function' });
  });

  const SERVE_AND_CALL = `
  const server = await startReferenceServer({ port: 0, store: 'memory' });
  const client = new MCPClient({ url: server.url });
  try {
    const result = await client.callTool('echo', { text: 'first run' });
    console.log(JSON.stringify(result.structuredContent));
  } finally {
    await client.close();
    await server.close();
  }`;

  test.each([
    ['ESM', 'serve-and-call.mjs', `import { MCPClient } from 'archon-mcp-client';\nimport { startReferenceServer } from 'archon-mcp-client/server';\n${SERVE_AND_CALL}\n`],
    [
      'CJS',
      'serve-and-call.cjs',
      `const { MCPClient } = require('archon-mcp-client');\nconst { startReferenceServer } = require('archon-mcp-client/server');\n(async () => {${SERVE_AND_CALL}\n})();\n`,
    ],
  ])('%s starts a memory-store server, calls a tool and exits on its own', async (_, file, source) => {
    write(file, source);
    const { code, stdout, stderr } = await node(file);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ text: 'first run' });
  }, SERVE_TEST_TIMEOUT_MS);

  test('the root entry works without @opentelemetry/api too (it is present only for prom-client)', async () => {
    const server = await startServe(dir, ['--store', 'memory', '--port', '0']);
    const otel = join(dir, 'node_modules', '@opentelemetry');
    const hidden = join(dir, 'node_modules', '.opentelemetry-hidden');
    renameSync(otel, hidden);
    try {
      write('no-otel.mjs', "import { MCPClient } from 'archon-mcp-client';\nconst client = new MCPClient();\ntry { console.log((await client.callTool('echo', { text: 'no otel' })).structuredContent.text); } finally { await client.close(); }\n");
      write('no-otel.cjs', "const { MCPClient } = require('archon-mcp-client');\nconst client = new MCPClient();\nclient.callTool('echo', { text: 'no otel' }).then((r) => console.log(r.structuredContent.text)).finally(() => client.close());\n");
      for (const file of ['no-otel.mjs', 'no-otel.cjs']) {
        const { code, stdout, stderr } = await node(file, { ARCHON_MCP_URL: server.url });
        expect(stderr).toBe('');
        expect(code).toBe(0);
        expect(stdout).toBe('no otel\n');
      }
    } finally {
      renameSync(hidden, otel);
      await server.stop();
    }
  }, SERVE_TEST_TIMEOUT_MS);

  // Issue 10: an open client does not keep the process alive once no call is in flight (its notification
  // stream's socket and timers are unref'd); close() is still what ends the session on the server. Measured from
  // the script's result line to its exit (the child stamps the line), so Node's start-up on a loaded machine does
  // not count. `serve` answers the legacy era today; the modern era is covered against the official v2 server in
  // test/integration/process-lifetime.test.ts.
  const NO_CLOSE = "const client = new MCPClient();\nconst result = await client.callTool('echo', { text: 'bye' });\nconsole.log(JSON.stringify({ text: result.structuredContent.text, era: client.era, state: client.state, at: Date.now() }));";
  test.each([
    ['ESM', 'no-close.mjs', `import { MCPClient } from 'archon-mcp-client';\n${NO_CLOSE}\n`],
    ['CJS', 'no-close.cjs', `const { MCPClient } = require('archon-mcp-client');\n(async () => {\n${NO_CLOSE}\n})();\n`],
  ])('%s: a script that never calls close() exits on its own within 2 s of its last result', async (_, file, source) => {
    const server = await startServe(dir, ['--store', 'memory', '--port', '0']);
    try {
      write(file, source);
      const { code, stdout, stderr } = await runIn(dir, process.execPath, [file], { timeoutMs: NODE_TIMEOUT_MS, env: { ARCHON_MCP_URL: server.url } });
      const exitedAt = Date.now();
      expect(stderr).toBe('');
      expect(code).toBe(0);
      const printed = JSON.parse(stdout) as { text: string; era: string; state: string; at: number };
      // Still open (and listening) when the script ended: nothing closed it.
      expect(printed).toMatchObject({ text: 'bye', state: 'ready' });
      expect(exitedAt - printed.at).toBeLessThan(2_000);
    } finally {
      await server.stop();
    }
  }, SERVE_TEST_TIMEOUT_MS);

  test('runs the README quick start as written: npx archon-mcp serve, then the .mts and .mjs files', async () => {
    const blocks = quickStartBlocks();
    const typescript = blocks.find((block) => block.lang === 'ts' && block.code.includes('await using'));
    const javascript = blocks.find((block) => block.lang === 'js' && block.code.includes('finally'));
    expect(blocks.some((block) => block.lang === 'sh' && block.code.includes('npx tsx quick-start.mts'))).toBe(true);
    expect(typescript && javascript).toBeTruthy();
    write('quick-start.mts', typescript?.code ?? '');
    write('quick-start.mjs', javascript?.code ?? '');
    // The README's server runs on 8051; here on a free port, which the snippets find through $ARCHON_MCP_URL.
    const server = await startServe(dir, ['--store', 'memory', '--port', '0']);
    try {
      const env = { ARCHON_MCP_URL: server.url };
      const ts = await runIn(dir, 'npx', ['--no', '--', 'tsx', 'quick-start.mts'], { timeoutMs: NODE_TIMEOUT_MS, env });
      expect(ts.stderr).toBe('');
      expect(ts.code).toBe(0);
      expect(ts.stdout).toMatch(/projects/);
      const js = await node('quick-start.mjs', env);
      expect(js.stderr).toBe('');
      expect(js.code).toBe(0);
      expect(js.stdout).toMatch(/hi/);
    } finally {
      await server.stop();
    }
  }, SERVE_TEST_TIMEOUT_MS);

  test('npx archon-mcp serve reads ./.env, serves tools/call to npx archon-mcp call, and says when it stops', async () => {
    write('.env', 'MCP_STORE=memory\nMCP_AUTH_TOKEN=\n');
    try {
      const server = await startServe(dir, ['--port', '0']);
      const call = await runIn(dir, 'npx', ['--no', '--', 'archon-mcp', 'call', 'echo', 'text=from the bin', '--url', server.url], { timeoutMs: NODE_TIMEOUT_MS });
      expect(call.stderr).toBe('');
      expect(call.code).toBe(0);
      expect(call.stdout).toContain('from the bin');
      const sessions = await runIn(dir, 'npx', ['--no', '--', 'archon-mcp', 'sessions', server.url, '--json'], { timeoutMs: NODE_TIMEOUT_MS });
      expect(sessions.code).toBe(0);
      expect(JSON.parse(sessions.stdout)).toMatchObject({ status: 'ok', store: { kind: 'memory' } });
      // Like Ctrl-C, stop() signals the whole group; npm itself dies of the signal, the bin shuts down and says so.
      const stopped = await server.stop();
      expect(stopped.stdout).toContain(`Archon MCP server on ${server.url} stopped`);
    } finally {
      rmSync(join(dir, '.env'), { force: true });
    }
  }, SERVE_TEST_TIMEOUT_MS);

  test('npx archon-mcp serve on its default store (file:.mcp-data, nothing extra installed) serves a tool call', async () => {
    const data = join(dir, '.mcp-data');
    rmSync(data, { recursive: true, force: true });
    const server = await startServe(dir, ['--port', '0']);
    try {
      const call = await runIn(dir, 'npx', ['--no', '--', 'archon-mcp', 'call', 'echo', 'text=default store', '--url', server.url], { timeoutMs: NODE_TIMEOUT_MS });
      expect(call.stderr).toBe('');
      expect(call.code).toBe(0);
      expect(call.stdout).toContain('default store');
      const sessions = await runIn(dir, 'npx', ['--no', '--', 'archon-mcp', 'sessions', server.url, '--json'], { timeoutMs: NODE_TIMEOUT_MS });
      expect(sessions.code).toBe(0);
      expect(JSON.parse(sessions.stdout)).toMatchObject({ status: 'ok', store: { kind: 'file' } });
      expect(existsSync(data)).toBe(true);
    } finally {
      await server.stop();
      rmSync(data, { recursive: true, force: true });
    }
  }, SERVE_TEST_TIMEOUT_MS);

  test('the installed bin names the URL and the cause of a failure on one line', async () => {
    const url = await deadUrl();
    const health = await runIn(dir, 'npx', ['--no', '--', 'archon-mcp', 'health', url], { timeoutMs: NODE_TIMEOUT_MS });
    expect(health.code).toBe(1);
    expect(health.stdout).toContain(`CONNECTION_ERROR: Could not connect to ${url}: connection refused (ECONNREFUSED)`);
    const ttl = await runIn(dir, 'npx', ['--no', '--', 'archon-mcp', 'serve', '--store', 'memory', '--session-ttl', '0'], { timeoutMs: NODE_TIMEOUT_MS });
    expect(ttl.code).toBe(2);
    expect(ttl.stderr.split('\n')[0]).toBe('archon-mcp: Expected `--session-ttl` to be a positive integer, got 0');
  }, SERVE_TEST_TIMEOUT_MS);

  /** Type-checks `files` as a consumer with strict libs would: skipLibCheck off, no DOM lib, node16 resolution. */
  async function typeCheckStrictLibs(config: string, files: readonly string[]): Promise<{ code: number | null; stdout: string }> {
    write(
      config,
      JSON.stringify({
        compilerOptions: {
          module: 'node16',
          moduleResolution: 'node16',
          target: 'ES2022',
          lib: ['ES2023', 'ESNext.Disposable'],
          types: ['node'],
          strict: true,
          noEmit: true,
          skipLibCheck: false,
        },
        files,
      }),
    );
    return runIn(dir, 'npx', ['--no', '--', 'tsc', '-p', config], { timeoutMs: 120_000 });
  }

  test('the root entry types compile with skipLibCheck: false and no DOM lib, from ESM and CJS', async () => {
    write('consumer.mts', "import { MCPClient, ArchonStreamableHttpTransport, type ToolMap } from 'archon-mcp-client';\nexport const client = new MCPClient({ url: 'http://localhost:8051/mcp' });\nexport const transport = new ArchonStreamableHttpTransport('http://localhost:8051/mcp');\nexport type Map = ToolMap;\n");
    write('consumer.cts', "import { MCPClient, isMcpClientError } from 'archon-mcp-client';\nexport const client = new MCPClient();\nexport const check = isMcpClientError;\n");
    const { code, stdout } = await typeCheckStrictLibs('tsconfig.strict-libs.json', ['consumer.mts', 'consumer.cts']);
    expect(stdout).toBe('');
    expect(code).toBe(0);
  }, 150_000);

  test('the server entry types compile with skipLibCheck: false and no DOM lib, from ESM and CJS', async () => {
    write('server-consumer.mts', "import { createSessionHandler, startReferenceServer, type TokenSubject } from 'archon-mcp-client/server';\nexport const create = createSessionHandler;\nexport const start = startReferenceServer;\nexport type Subject = TokenSubject;\n");
    write('server-consumer.cts', "import { createSessionHandler, type SessionHandler } from 'archon-mcp-client/server';\nexport const create = createSessionHandler;\nexport type Handler = SessionHandler;\n");
    const { code, stdout } = await typeCheckStrictLibs('tsconfig.server-strict-libs.json', ['server-consumer.mts', 'server-consumer.cts']);
    expect(stdout).toBe('');
    expect(code).toBe(0);
  }, 150_000);
});
