/**
 * Every package the published JavaScript imports must be declared in package.json. A hoisted npm install hides
 * a missing one (a transitive dependency of the SDK, a devDependency in this checkout); pnpm, Yarn PnP and a
 * later SDK release do not. Backends loaded only on demand (`import()` of a store or the type generator) belong
 * in optional peerDependencies (`peerDependenciesMeta: { x: { optional: true } }`) so a user learns they exist.
 */
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { PACK_HOOK_TIMEOUT_MS, PROJECT_ROOT, packBuiltPackage } from './support/built-package';

interface Manifest {
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: unknown }>;
}

/** `import ... from 'x'`, `export ... from 'x'`, `import 'x'`, `import('x')`, `require('x')`. */
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|\bimport\s+)(['"])([^'"\s]+)\1/g;

/** The package a bare specifier names (`@scope/name/sub` -> `@scope/name`); undefined for relative and builtins. */
function packageNameOf(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:')) return undefined;
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
  if (name === undefined || builtinModules.includes(name)) return undefined;
  return name;
}

let manifest: Manifest;
/** package name -> the published files that import it */
let importers: Map<string, string[]>;

beforeAll(async () => {
  const pack = await packBuiltPackage({ requireFresh: true, dryRun: true });
  manifest = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as Manifest;
  importers = new Map();
  for (const { path } of pack.files) {
    if (!/\.(c|m)?js$/.test(path)) continue;
    const source = readFileSync(join(PROJECT_ROOT, path), 'utf8');
    for (const match of source.matchAll(SPECIFIER)) {
      const name = packageNameOf(match[2] ?? '');
      if (name !== undefined) importers.set(name, [...new Set([...(importers.get(name) ?? []), path])]);
    }
  }
}, PACK_HOOK_TIMEOUT_MS);

describe('declared dependencies', () => {
  test('the scan finds the runtime dependencies the client is known to use', () => {
    // Guards against a regex that silently matches nothing after a build-format change.
    expect([...importers.keys()]).toEqual(expect.arrayContaining(['undici', 'eventsource-parser', '@modelcontextprotocol/server']));
  });

  test('every package imported by the published files is a dependency or a peer dependency', () => {
    const declared = new Set([
      ...Object.keys(manifest.dependencies ?? {}),
      ...Object.keys(manifest.peerDependencies ?? {}),
      ...Object.keys(manifest.optionalDependencies ?? {}),
    ]);
    const undeclared = [...importers]
      .filter(([name]) => !declared.has(name))
      .map(([name, files]) => {
        const where = manifest.devDependencies?.[name] === undefined ? 'not in package.json' : 'only a devDependency';
        return `${name} (${where}; imported by ${files.join(', ')})`;
      })
      .sort();
    expect(undeclared).toEqual([]);
  });

  test('every peer dependency is optional, as a JSON boolean', () => {
    // The root entry needs none of them (root-entry.test.ts). npm's docs, the SchemaStore package.json schema and
    // @npm/types all declare `"optional": true` as a boolean; the string "true" (what `npm pkg set` writes without
    // --json) is a schema error that works only where a tool happens to test truthiness.
    // Fix: npm pkg set peerDependenciesMeta.<name>.optional=true --json
    const notOptional = Object.keys(manifest.peerDependencies ?? {}).filter(
      (name) => manifest.peerDependenciesMeta?.[name]?.optional !== true,
    );
    expect(notOptional).toEqual([]);
  });

  test.each([
    ['@modelcontextprotocol/sdk/types.js', '@modelcontextprotocol/sdk'],
    ['ajv/dist/2020.js', 'ajv'],
    ['node:fs', undefined],
    ['fs/promises', undefined],
    ['./chunk-ABC.js', undefined],
    ['undici', 'undici'],
  ])('reads %s as the package %s', (specifier, name) => {
    expect(packageNameOf(specifier)).toBe(name);
  });
});
