/**
 * The server entry loads `jose` only for a handler with `oauth` (server/auth/load-jose.ts): bundled with packages
 * external, `jose` is a dynamic import and never a static one, so a server without OAuth never loads it.
 */
import { build } from 'esbuild';
import { expect, test } from 'vitest';

test('server/index.ts imports jose only dynamically', async () => {
  const result = await build({
    entryPoints: ['server/index.ts'],
    bundle: true,
    write: false,
    metafile: true,
    format: 'esm',
    platform: 'node',
    packages: 'external',
    logLevel: 'silent',
  });
  const imports = Object.values(result.metafile.outputs)[0]?.imports ?? [];
  const kinds = imports.filter((entry) => entry.path === 'jose').map((entry) => entry.kind);
  expect(kinds).toEqual(['dynamic-import']);
  expect(Object.keys(result.metafile.inputs)).toContain('server/auth/load-jose.ts');
});
