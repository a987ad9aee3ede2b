/**
 * The package tests run against the BUILT `dist/`, because that is what users install. CI builds before
 * testing, so this normally finds a fresh `dist/` and returns at once; locally it rebuilds when `dist/` is
 * missing or older than the sources. A lock directory keeps two vitest workers from running tsup (which
 * cleans `dist/`) at the same time.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const PROJECT_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

const run = promisify(execFile);

/** Every file `exports` and `bin` point at (see package.json). */
export const DIST_ENTRY_FILES = [
  'dist/index.js',
  'dist/index.cjs',
  'dist/index.d.ts',
  'dist/index.d.cts',
  'dist/auth.js',
  'dist/auth.cjs',
  'dist/auth.d.ts',
  'dist/auth.d.cts',
  'dist/server.js',
  'dist/server.cjs',
  'dist/server.d.ts',
  'dist/server.d.cts',
  'dist/cli.js',
] as const;

/** A full tsup build measured 45-80 s on the 2 shared cores (the CLI bundle dominates); 4 min is generous. */
export const BUILD_TIMEOUT_MS = 240_000;

/** For a beforeAll that packs: it may wait for another file's build, then run its own. */
export const PACK_HOOK_TIMEOUT_MS = 2 * BUILD_TIMEOUT_MS + 60_000;

const BUILD_INPUTS = ['src', 'server', 'package.json', 'tsup.config.ts'];
const LOCK_DIR = join(PROJECT_ROOT, '.cache', 'package-build.lock');
const LOCK_STALE_MS = BUILD_TIMEOUT_MS + 30_000;
const LOCK_POLL_MS = 250;

function newestMtimeMs(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/** Why `dist/` cannot be used as it is, or `undefined` when it can. */
export function distProblem(options: { requireFresh: boolean }): string | undefined {
  const missing = DIST_ENTRY_FILES.filter((file) => !existsSync(join(PROJECT_ROOT, file)));
  if (missing.length > 0) return `missing ${missing.join(', ')}`;
  if (!options.requireFresh) return undefined;
  const builtAt = statSync(join(PROJECT_ROOT, 'dist/index.js')).mtimeMs;
  const stale = BUILD_INPUTS.filter((input) => {
    const path = join(PROJECT_ROOT, input);
    return existsSync(path) && newestMtimeMs(path) > builtAt;
  });
  return stale.length > 0 ? `older than ${stale.join(', ')}` : undefined;
}

function tryLock(): boolean {
  mkdirSync(join(PROJECT_ROOT, '.cache'), { recursive: true });
  try {
    mkdirSync(LOCK_DIR);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    // A worker killed mid-build leaves its lock behind; a lock older than any build can be taken over.
    if (Date.now() - statSync(LOCK_DIR).mtimeMs > LOCK_STALE_MS) {
      rmSync(LOCK_DIR, { recursive: true, force: true });
    }
    return false;
  }
}

async function acquireLock(deadline: number): Promise<void> {
  while (!tryLock()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${LOCK_DIR}`);
    await delay(LOCK_POLL_MS);
  }
}

/**
 * Makes sure `dist/` holds every entry (and, with `requireFresh`, is newer than the sources), then packs it.
 * Build and pack happen under one lock so a concurrent test file can never rebuild (and clean) `dist/` while
 * `npm pack` reads it; `npm run build` runs at most once while the sources stand still.
 */
export async function packBuiltPackage(
  options: { requireFresh: boolean } & ({ dryRun: true } | { destination: string }),
): Promise<PackSummary> {
  await acquireLock(Date.now() + 2 * BUILD_TIMEOUT_MS);
  try {
    const problem = distProblem(options);
    if (problem !== undefined) {
      await run('npm', ['run', '--silent', 'build'], {
        cwd: PROJECT_ROOT,
        timeout: BUILD_TIMEOUT_MS,
        maxBuffer: 64 * 1024 * 1024,
      }).catch((error: unknown) => {
        const output = (error as { stderr?: string }).stderr ?? '';
        throw new Error(`npm run build (dist/ was ${problem}) failed:\n${output.slice(-4_000)}`, { cause: error });
      });
      const after = distProblem({ requireFresh: false });
      if (after !== undefined) throw new Error(`dist/ is still unusable after npm run build: ${after}`);
    }
    return await npmPack(options);
  } finally {
    rmSync(LOCK_DIR, { recursive: true, force: true });
  }
}

/** The `npm pack --json` summary of one tarball. */
export interface PackSummary {
  filename: string;
  size: number;
  unpackedSize: number;
  entryCount: number;
  files: { path: string; size: number; mode: number }[];
}

/** `npm pack --json` at the project root (scripts ignored), with `--dry-run` or into `destination`. */
async function npmPack(options: { dryRun: true } | { destination: string }): Promise<PackSummary> {
  const args = ['pack', '--json', '--ignore-scripts', '--loglevel=error'];
  if ('destination' in options) args.push('--pack-destination', options.destination);
  else args.push('--dry-run');
  const { stdout } = await run('npm', args, { cwd: PROJECT_ROOT, maxBuffer: 16 * 1024 * 1024 });
  const [summary] = JSON.parse(stdout) as PackSummary[];
  if (summary === undefined) throw new Error(`npm pack printed no summary: ${stdout.slice(0, 500)}`);
  return summary;
}

/**
 * Packs the fresh build and extracts it as `<dir>/node_modules/archon-mcp-client` of a new folder under `.cache/`,
 * so only published files are reachable; dependencies resolve by walking up to the project's node_modules.
 */
export async function installPackedPackage(prefix: string): Promise<string> {
  mkdirSync(join(PROJECT_ROOT, '.cache'), { recursive: true });
  const dir = mkdtempSync(join(PROJECT_ROOT, '.cache', prefix));
  const { filename } = await packBuiltPackage({ requireFresh: true, destination: dir });
  await run('tar', ['-xzf', filename, '-C', dir], { cwd: dir });
  mkdirSync(join(dir, 'node_modules'));
  renameSync(join(dir, 'package'), join(dir, 'node_modules', 'archon-mcp-client'));
  // Without a package.json of its own, the closest package scope would be the project's, and Node (like esbuild)
  // resolves a package's own name through its `exports` before node_modules: consumers would load the
  // project's dist/ instead of the tarball.
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'tarball-consumer', private: true }));
  return dir;
}
