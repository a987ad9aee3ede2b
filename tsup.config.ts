import { defineConfig } from 'tsup';
import type { Plugin } from 'esbuild';

/**
 * The CLI's `serve` command loads the server from the package's own server entry (`dist/server.js`) at run
 * time instead of bundling a second copy of it into `dist/cli.js` (the copy made cli.js 196 KB of a 302 KB
 * tarball). Running from source (tsx, vitest) keeps importing `server/serve.ts` directly.
 */
const serverEntryForCli: Plugin = {
  name: 'server-entry-for-cli',
  setup(build) {
    build.onResolve({ filter: /\/server\/serve$/ }, () => ({ path: './server.js', external: true }));
  },
};

export default defineConfig([
  {
    // The client entries: ESM + CJS + .d.ts. Dependencies stay external so the SDK is never bundled twice.
    // Split (issue #11): the auth coordinator, which the root entry imports with import() on the first request
    // of a client with an `authProvider`, is its own chunk instead of riding in index.js for every user, and
    // `archon-mcp-client/auth` shares chunks with the root entry (one copy of the error classes, so
    // `instanceof` holds across both). CJS splitting is tsup's own (esbuild splits ESM only).
    entry: { index: 'src/index.ts', auth: 'src/auth/index.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    target: 'node20',
    platform: 'node',
    sourcemap: false,
    clean: true,
    splitting: true,
    treeshake: true,
    // Never bundle a package: runtime deps are installed with us, and the optional backends
    // (pglite, pg, redis, json-schema-to-typescript) are loaded with import() only when asked for.
    skipNodeModulesBundle: true,
  },
  {
    // The server entry: its own bundle, as before (nothing in it is loaded lazily).
    entry: { server: 'server/index.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    target: 'node20',
    platform: 'node',
    sourcemap: false,
    splitting: false,
    treeshake: true,
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
    esbuildPlugins: [serverEntryForCli],
  },
]);
