/**
 * What `npm publish` would upload: `npm pack --dry-run --json` at the project root, so the `files` field,
 * `.npmignore` rules and npm's always-included files are all applied exactly as on publish.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { PACK_HOOK_TIMEOUT_MS, DIST_ENTRY_FILES, PROJECT_ROOT, packBuiltPackage, type PackSummary } from './support/built-package';

interface PackageJson {
  main?: string;
  module?: string;
  types?: string;
  bin?: Record<string, string>;
  exports?: unknown;
}

/** npm adds these whatever `files` says; LICENSE is optional until the project ships one. */
const ALWAYS_INCLUDED = /^(package\.json|README\.md|README_MCP_CLIENT\.md|LICEN[CS]E(\.md|\.txt)?)$/i;

/**
 * Tarball budget. Measured 2026-11-21: 187 KB packed / 750 KB unpacked, 20 files. Its job is to catch a dependency
 * being bundled into dist/ (before `skipNodeModulesBundle` the tarball was 3.1 MB packed, with prettier and
 * typescript inlined into the CLI), not to police every kilobyte: the root entry has its own tight budget
 * (size-budget.test.ts). Raised to 320 KB on 2026-12-04 for the second protocol era (issue 8), the embedded file
 * store (issue 12) and the auth layer (issue 11), each in the ESM, CJS and CLI bundles.
 * Raised to 360 KB when issue 10 merged (2026-12-04): main packed 317,519 B, the merge 335,486 B (error messages
 * naming the URL and cause, unknown-option and argument checks, the env logger, `archon-mcp sessions`, .env
 * reading, and the longer READMEs); 360 KB is that + ~10%.
 * Raised to 400 KB when issue 11's client integration merged (2026-12-04): the OAuth coordinator ships in the library
 * as a lazily loaded chunk in ESM and CJS, plus the `archon-mcp-client/auth` entry and its .d.ts/.d.cts (~28 KB
 * packed on top of the 335 KB above).
 * Raised to 468 KiB when `server` (issue 12) merged that `main`: main packed 382,249 B, the merge 434,241 B
 * (1.67 MB unpacked, 29 files). The difference is the session layer as a library on the v2 server packages (both
 * eras served, app sessions, the store buses, the conformance fixtures): server.js and server.cjs grow from 170 to
 * 252 KB each, README_MCP_CLIENT.md by 12 KB for its Session layer section. 468 KiB is the merge + ~10%.
 * Raised to 512 KiB for the `perf` branch (issue 12 speed/memory) on top of that main: it packed 485,405 B (idle
 * session servers released and rebuilt, the hand-written JSON-RPC shape check, their README rows), 1.3% over 468 KiB;
 * 512 KiB leaves ~5% headroom. The lead may re-set this from a fresh main measurement.
 */
const PACKED_BUDGET_BYTES = 512 * 1024;

let pack: PackSummary;
let paths: string[];

/** Every file path package.json points consumers at: main, module, types, bin, and each `exports` leaf. */
function referencedFiles(pkg: PackageJson): string[] {
  const leaves: string[] = [];
  const walk = (node: unknown): void => {
    if (typeof node === 'string') leaves.push(node);
    else if (node !== null && typeof node === 'object') Object.values(node).forEach(walk);
  };
  walk(pkg.exports);
  walk(pkg.bin);
  for (const field of [pkg.main, pkg.module, pkg.types]) if (field !== undefined) leaves.push(field);
  return [...new Set(leaves.map((leaf) => leaf.replace(/^\.\//, '')))].sort();
}

beforeAll(async () => {
  // The listing only needs every entry to exist, not a build of the very latest sources.
  pack = await packBuiltPackage({ requireFresh: false, dryRun: true });
  paths = pack.files.map((file) => file.path).sort();
}, PACK_HOOK_TIMEOUT_MS);

describe('npm pack contents', () => {
  test('holds every built entry, package.json and both READMEs', () => {
    expect(paths).toEqual(expect.arrayContaining([...DIST_ENTRY_FILES, 'package.json', 'README.md', 'README_MCP_CLIENT.md']));
  });

  test('holds nothing but dist/ and the files npm always includes', () => {
    const unexpected = paths.filter((path) => !path.startsWith('dist/') && !ALWAYS_INCLUDED.test(path));
    expect(unexpected).toEqual([]);
  });

  test('ships no sources, tests or source maps', () => {
    // sourcemap: false in tsup.config.ts; if maps are ever wanted they must ship with `src/`, so change both.
    const leaked = paths.filter(
      (path) => path.endsWith('.map') || /^(src|server|test|examples|bench|scripts)\//.test(path) || /(?<!\.d)\.[cm]?ts$/.test(path),
    );
    expect(leaked).toEqual([]);
  });

  test('contains every file package.json points at (exports, bin, main, module, types)', () => {
    const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as PackageJson;
    const referenced = referencedFiles(pkg);
    expect(referenced.length).toBeGreaterThanOrEqual(DIST_ENTRY_FILES.length);
    expect(referenced.filter((file) => !paths.includes(file))).toEqual([]);
  });

  test('ships the bin with its executable bit', () => {
    const cli = pack.files.find((file) => file.path === 'dist/cli.js');
    expect(cli).toBeDefined();
    // npm keeps the on-disk mode in the tarball; tsup marks files that start with a shebang 0o755.
    expect((cli?.mode ?? 0) & 0o111).not.toBe(0);
  });

  test(`the tarball stays within ${PACKED_BUDGET_BYTES} bytes packed`, () => {
    const largest = [...pack.files].sort((a, b) => b.size - a.size).slice(0, 3);
    const detail = largest.map((file) => `${file.path} ${file.size} B`).join(', ');
    expect(pack.size, `packed ${pack.size} B; largest files: ${detail}`).toBeLessThanOrEqual(PACKED_BUDGET_BYTES);
  });
});
