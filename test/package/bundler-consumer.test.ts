/**
 * A bundler consumer of the tarball (esbuild, as in a Vite/tsup/esbuild app): `exports` resolve under the
 * bundler's conditions, the bundle runs, and `sideEffects: false` + the ESM build let it drop what is not
 * imported. The package's own dependencies stay external, as an app bundling for Node usually keeps them.
 *
 * Measured 2026-11-21 (minified): importing only `isMcpClientError` -> 0.9 KB; importing `MCPClient` -> 43 KB of
 * our code. The 4 KB bound leaves room for the error module to grow while failing if tree-shaking breaks
 * (a side effect at module top level would pull in the whole 88 KB entry).
 */
import { execFile } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { PACK_HOOK_TIMEOUT_MS, PROJECT_ROOT, installPackedPackage } from './support/built-package';

const run = promisify(execFile);
const GUARD_ONLY_BUDGET_BYTES = 4 * 1024;

let consumerDir: string;
let external: string[];

/** Bundles `source` as an app would; resolves to the output text. */
async function bundle(name: string, source: string, format: 'esm' | 'cjs'): Promise<string> {
  const entry = join(consumerDir, name);
  writeFileSync(entry, source);
  const result = await build({
    entryPoints: [entry],
    absWorkingDir: consumerDir,
    bundle: true,
    write: false,
    minify: true,
    format,
    platform: 'node',
    target: 'node20',
    external,
    logLevel: 'silent',
  });
  const text = result.outputFiles[0]?.text;
  if (text === undefined) throw new Error(`esbuild produced no output for ${name}`);
  return text;
}

async function runBundle(name: string, text: string): Promise<string> {
  const file = join(consumerDir, name);
  writeFileSync(file, text);
  const { stdout } = await run(process.execPath, [file], { cwd: consumerDir, timeout: 30_000 });
  return stdout.trim();
}

beforeAll(async () => {
  consumerDir = await installPackedPackage('bundler-');
  const manifest = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
    peerDependencies?: Record<string, string>;
  };
  const names = [...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {})];
  // A package name alone would not cover subpaths such as `ajv/dist/2020.js` or `@modelcontextprotocol/sdk/types.js`.
  external = names.flatMap((name) => [name, `${name}/*`]);
}, PACK_HOOK_TIMEOUT_MS);

afterAll(() => {
  if (consumerDir !== undefined) rmSync(consumerDir, { recursive: true, force: true });
});

test('an ESM app bundle of MCPClient resolves the ESM build and runs', async () => {
  const text = await bundle(
    'app-client.mjs',
    `import { MCPClient, ClosedError } from 'archon-mcp-client';
     const client = new MCPClient({ url: 'http://127.0.0.1:9/mcp' });
     await client.close();
     console.log(client.state, new ClosedError().code);`,
    'esm',
  );
  expect(await runBundle('app-client.bundle.mjs', text)).toBe('closed CLOSED');
});

test('a CommonJS app bundle resolves the package too and runs', async () => {
  const text = await bundle(
    'app-cjs.cjs',
    `const { isMcpClientError, ClosedError } = require('archon-mcp-client');
     console.log(isMcpClientError(new ClosedError()), isMcpClientError(new Error('x')));`,
    'cjs',
  );
  expect(await runBundle('app-cjs.bundle.cjs', text)).toBe('true false');
});

test(`importing only isMcpClientError bundles under ${GUARD_ONLY_BUDGET_BYTES} bytes (tree-shaking works)`, async () => {
  const [guardOnly, whole] = await Promise.all([
    bundle('guard-only.mjs', `import { isMcpClientError } from 'archon-mcp-client'; console.log(isMcpClientError(1));`, 'esm'),
    bundle('whole.mjs', `import { MCPClient } from 'archon-mcp-client'; console.log(typeof MCPClient);`, 'esm'),
  ]);
  const guardBytes = Buffer.byteLength(guardOnly);
  expect(guardBytes, `isMcpClientError alone bundled to ${guardBytes} B`).toBeLessThanOrEqual(GUARD_ONLY_BUDGET_BYTES);
  // The comparison proves the budget measures tree-shaking, not a package that shrank to nothing.
  expect(Buffer.byteLength(whole)).toBeGreaterThan(8 * guardBytes);
});
