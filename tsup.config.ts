import { defineConfig } from 'tsup';

export default defineConfig([
  {
    // Library entries: ESM + CJS + .d.ts. Dependencies stay external so the SDK is never bundled twice.
    entry: { index: 'src/index.ts', server: 'server/index.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    target: 'node20',
    platform: 'node',
    sourcemap: false,
    clean: true,
    splitting: false,
    treeshake: true,
    // Never bundle a package: runtime deps are installed with us, and the optional backends
    // (pglite, pg, redis, json-schema-to-typescript) are loaded with import() only when asked for.
    skipNodeModulesBundle: true,
  },
  {
    // The `archon-mcp` bin: ESM only, with a shebang.
    entry: { cli: 'src/cli/main.ts' },
    format: ['esm'],
    target: 'node20',
    platform: 'node',
    sourcemap: false,
    banner: { js: '#!/usr/bin/env node' },
    skipNodeModulesBundle: true,
  },
]);
