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
  },
  {
    // The `archon-mcp` bin: ESM only, with a shebang.
    entry: { cli: 'src/cli/main.ts' },
    format: ['esm'],
    target: 'node20',
    platform: 'node',
    sourcemap: false,
    banner: { js: '#!/usr/bin/env node' },
  },
]);
