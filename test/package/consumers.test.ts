/**
 * ESM and CJS consumers of the packed tarball. The tarball is extracted into `node_modules/archon-mcp-client`
 * of a temp folder under `.cache/`, so only published files are reachable and `exports` decides what loads;
 * the dependencies resolve by walking up to the project's own node_modules, as in a real install (a
 * hoisted one: transitive dependencies are reachable too, see dependencies.test.ts for what must be declared).
 * Each consumer runs in a plain `node` child process: no vitest transform between us and the package.
 */
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { PACK_HOOK_TIMEOUT_MS, PROJECT_ROOT, installPackedPackage } from './support/built-package';

const run = promisify(execFile);

const ROOT_FUNCTIONS = ['MCPClient', 'callMcpTool', 'checkMcpHealth', 'isMcpClientError', 'ArchonStreamableHttpTransport'];
const ERROR_CLASSES = [
  'McpClientError',
  'RpcError',
  'HttpError',
  'ConnectionError',
  'SessionExpiredError',
  'TimeoutError',
  'MaybeExecutedError',
  'ToolCallError',
  'ClosedError',
  'RetryExhaustedError',
];

/** Prints `{ name: typeof export }` for both entries; the same shape from both module systems. */
const CJS_CONSUMER = `
const root = require('archon-mcp-client');
const server = require('archon-mcp-client/server');
const describe = (ns) => Object.fromEntries(Object.keys(ns).sort().map((key) => [key, typeof ns[key]]));
console.log(JSON.stringify({ root: describe(root), server: describe(server), resolved: require.resolve('archon-mcp-client') }));
`;

const ESM_CONSUMER = `
import * as root from 'archon-mcp-client';
import * as server from 'archon-mcp-client/server';
const describe = (ns) => Object.fromEntries(Object.keys(ns).sort().filter((key) => key !== 'default').map((key) => [key, typeof ns[key]]));
console.log(JSON.stringify({ root: describe(root), server: describe(server), resolved: import.meta.resolve('archon-mcp-client') }));
`;

/** An error made by the CJS copy must still be recognised by the ESM copy: the Symbol.for brand. */
const DUAL_COPY_CONSUMER = `
import { createRequire } from 'node:module';
import * as esm from 'archon-mcp-client';
const cjs = createRequire(import.meta.url)('archon-mcp-client');
const error = new cjs.ClosedError();
console.log(JSON.stringify({
  distinctCopies: cjs.ClosedError !== esm.ClosedError,
  instanceofAcrossCopies: error instanceof esm.ClosedError,
  brandAcrossCopies: esm.isMcpClientError(error),
  code: error.code,
  name: error.name,
  plainErrorIsBranded: esm.isMcpClientError(new Error('x')),
}));
`;

/**
 * The auth coordinator is a chunk the root entry loads with import() on a client's first request (issue #11):
 * it must load from an install in both module systems, and its errors must be the entry's own classes.
 */
const AUTH_CONSUMER = (kind: 'cjs' | 'esm'): string => `
${kind === 'cjs' ? "const root = require('archon-mcp-client'); const auth = require('archon-mcp-client/auth'); const { startReferenceServer } = require('archon-mcp-client/server');" : "import * as root from 'archon-mcp-client'; import * as auth from 'archon-mcp-client/auth'; import { startReferenceServer } from 'archon-mcp-client/server';"}
(async () => {
  const server = await startReferenceServer({ port: 0, store: 'memory', authToken: 'secret' });
  const ok = new root.MCPClient({ url: server.url, listen: false, authProvider: { token: async () => 'secret' } });
  const tools = (await ok.listTools()).tools.length;
  await ok.close();
  const refused = new root.MCPClient({ url: server.url, listen: false, authProvider: { token: async () => 'wrong' } });
  // A call, not listTools(): the server marks its tool list public with a ttlMs (2026-07-28 caching), so the
  // process-wide response cache may answer a list without asking the server, whoever asks.
  const error = await refused.callTool('echo', { text: 'hi' }).then(() => undefined, (failure) => failure);
  await refused.close();
  await server.close();
  console.log(JSON.stringify({ tools, code: error && error.code, sameClass: error instanceof root.AuthRequiredError, fileStore: typeof auth.FileTokenStore }));
})();
`;

/** TypeScript consumers under node16 resolution: the published .d.ts/.d.cts must compile as users import them. */
const TS_ESM_CONSUMER = `
import { MCPClient, callMcpTool, isMcpClientError, type HealthReport, type ToolMap } from 'archon-mcp-client';
import { startReferenceServer } from 'archon-mcp-client/server';

type Tools = { echo: { args: { text: string }; result: { text: string } } };
export type IsToolMap = Tools extends ToolMap ? true : never;
export async function main(): Promise<string | undefined> {
  await using server = await startReferenceServer({ port: 0, store: 'memory' });
  await using client = new MCPClient<Tools>({ url: server.url });
  const result = await client.callTool('echo', { text: 'hi' });
  // @ts-expect-error the map says echo takes \`text\`
  void client.callTool('echo', { txt: 'hi' });
  const report: HealthReport | undefined = undefined;
  void report;
  void callMcpTool;
  return isMcpClientError(result) ? undefined : result.structuredContent?.text;
}
`;

const TS_CJS_CONSUMER = `
import { MCPClient, ClosedError } from 'archon-mcp-client';
import type { ReferenceServer } from 'archon-mcp-client/server';
export function make(url: string): MCPClient { return new MCPClient({ url }); }
export const closed: string = new ClosedError().code;
export type Server = ReferenceServer;
`;

const TS_CONFIG = {
  compilerOptions: {
    module: 'node16',
    moduleResolution: 'node16',
    target: 'ES2022',
    lib: ['ES2023', 'ESNext.Disposable', 'DOM'],
    types: ['node'],
    strict: true,
    noEmit: true,
    skipLibCheck: true,
  },
  files: ['consumer-types.mts', 'consumer-types.cts'],
};

type ExportTypes = Record<string, string>;
interface EntryReport {
  root: ExportTypes;
  server: ExportTypes;
  resolved: string;
}

let consumerDir: string;

async function runNode(file: string, args: string[] = []): Promise<string> {
  const { stdout } = await run(process.execPath, [file, ...args], { cwd: consumerDir, timeout: 30_000 });
  return stdout;
}

beforeAll(async () => {
  consumerDir = await installPackedPackage('consumer-');
  writeFileSync(join(consumerDir, 'consumer.cjs'), CJS_CONSUMER);
  writeFileSync(join(consumerDir, 'consumer.mjs'), ESM_CONSUMER);
  writeFileSync(join(consumerDir, 'dual-copy.mjs'), DUAL_COPY_CONSUMER);
  writeFileSync(join(consumerDir, 'auth-consumer.cjs'), AUTH_CONSUMER('cjs'));
  writeFileSync(join(consumerDir, 'auth-consumer.mjs'), AUTH_CONSUMER('esm'));
  writeFileSync(join(consumerDir, 'consumer-types.mts'), TS_ESM_CONSUMER);
  writeFileSync(join(consumerDir, 'consumer-types.cts'), TS_CJS_CONSUMER);
  writeFileSync(join(consumerDir, 'tsconfig.json'), JSON.stringify(TS_CONFIG, null, 2));
}, PACK_HOOK_TIMEOUT_MS);

afterAll(() => {
  if (consumerDir !== undefined) rmSync(consumerDir, { recursive: true, force: true });
});

describe.each([
  ['CommonJS (require)', 'consumer.cjs'],
  ['ESM (import)', 'consumer.mjs'],
])('a %s consumer of the tarball', (_label, file) => {
  let report: EntryReport;
  beforeAll(async () => {
    report = JSON.parse(await runNode(file)) as EntryReport;
  });

  test('loads the package from the extracted tarball, not the project through self-reference', () => {
    expect(report.resolved.replaceAll('\\', '/')).toMatch(/\/node_modules\/archon-mcp-client\/dist\/index\.c?js$/);
  });

  test.each([...ROOT_FUNCTIONS, ...ERROR_CLASSES])('gets %s from archon-mcp-client', (name) => {
    expect(report.root[name]).toBe('function');
  });

  test('gets startReferenceServer from archon-mcp-client/server', () => {
    expect(report.server.startReferenceServer).toBe('function');
  });

  test('does not get the reference server from the root entry', () => {
    expect(report.root.startReferenceServer).toBeUndefined();
  });
});

test('CommonJS and ESM consumers see the same exports', async () => {
  const [cjs, esm] = (await Promise.all([runNode('consumer.cjs'), runNode('consumer.mjs')])).map(
    (stdout) => JSON.parse(stdout) as EntryReport,
  );
  expect({ root: esm?.root, server: esm?.server }).toEqual({ root: cjs?.root, server: cjs?.server });
});

test('TypeScript ESM and CJS consumers type-check against the published declarations (node16)', async () => {
  const tsc = join(PROJECT_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const result = await run(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: consumerDir, timeout: 60_000 }).then(
    () => '',
    (error: unknown) => String((error as { stdout?: string }).stdout ?? error),
  );
  expect(result).toBe('');
}, 90_000);

test.each([['CommonJS', 'auth-consumer.cjs'], ['ESM', 'auth-consumer.mjs']])(
  'a %s client with an authProvider loads the coordinator chunk from the install, and its errors are the entry\'s classes',
  async (_label, file) => {
    expect(JSON.parse(await runNode(file))).toEqual({ tools: expect.any(Number), code: 'AUTH_REQUIRED', sameClass: true, fileStore: 'function' });
  },
);

test('isMcpClientError recognises an error from the other module system copy', async () => {
  const report = JSON.parse(await runNode('dual-copy.mjs')) as Record<string, unknown>;
  expect(report).toEqual({
    distinctCopies: true,
    instanceofAcrossCopies: false,
    brandAcrossCopies: true,
    code: 'CLOSED',
    name: 'ClosedError',
    plainErrorIsBranded: false,
  });
});

test('the archon-mcp bin starts with a node shebang and prints the package version', async () => {
  const cli = join('node_modules', 'archon-mcp-client', 'dist', 'cli.js');
  expect(readFileSync(join(consumerDir, cli), 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
  const { version } = JSON.parse(await runNode('-p', ['JSON.stringify(require("archon-mcp-client/package.json"))'])) as {
    version: string;
  };
  const stdout = await runNode(cli, ['--version']);
  expect(stdout.trim()).toBe(version);
});

/** Starts `archon-mcp serve` from the tarball and resolves to its URL once it prints the listening line. */
async function startInstalledServer(args: string[]): Promise<{ url: string; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, [join('node_modules', 'archon-mcp-client', 'dist', 'cli.js'), 'serve', ...args], {
    cwd: consumerDir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve printed no URL within 60 s:\n${output}`)), 60_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code} before listening:\n${output}`));
    });
  });
  return {
    url,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

// `serve` defaults to the embedded pglite store, so it must work from an install, where only dist/ exists: the store
// modules are loaded with import() and @electric-sql/pglite resolves from node_modules (here the project's own
// devDependency, for a user their install), never from a bundled copy without its .wasm/.data files.
test.each([['memory'], ['pglite']])('the installed bin serves with the %s store and probes itself healthy', async (kind) => {
  const store = kind === 'pglite' ? `pglite:${join(consumerDir, 'pglite-data')}` : 'memory';
  const server = await startInstalledServer(['--port', '0', '--store', store]);
  try {
    const stdout = await runNode(join('node_modules', 'archon-mcp-client', 'dist', 'cli.js'), ['health', server.url, '--json']);
    expect(JSON.parse(stdout)).toMatchObject({ healthy: true });
  } finally {
    await server.stop();
  }
  // pglite's first start (initdb in WebAssembly) took 9-10 s alone on the 2 shared cores; the full suite runs beside it.
}, 120_000);
