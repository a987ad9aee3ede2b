/**
 * Size budget for the root entry (`archon-mcp-client`), as a consumer's bundler would ship it: our own code
 * minified and gzipped, every package (the SDK, undici, eventsource-parser...) external because the user's
 * bundler dedupes or already has them.
 *
 * Measured 2026-11-21 (esbuild, minify, node20, gzip level 9): 47.6 KB minified, 15.2 KB gzip (15,539 B), with
 * the resilience layer, output validation and the SDK transport adapter in. (13.1 KB gzip before them.)
 * Budget: 18 KB gzip = the measured size + ~20% headroom. Raising it is a decision: say why in the commit.
 * Raised to 20 KB (2026-12-04, issue 9): bounding hostile servers added ~1.8 KB gzip (17,457 -> 19,239 B): content
 * decoding under the byte caps on the undici stack, the RE2 pattern budgets and uniqueItems in linear time for output
 * validation (re2js itself is loaded lazily, with ajv), list limits, drain deadlines.
 * Raised to 28 KB for issue 8 (2026-12-04): the client speaks two protocol eras (negotiation, the modern wire
 * and its header encoding, input rounds and typed handlers, the listen stream, the response cache): measured
 * 24,950 B gzip (77.3 KB minified), from 17,457 B before; 28 KB is that + ~12% (30 KB as merged).
 * Issue #10 (first-run work: every error message naming the URL and the cause, unknown option keys with "did you
 * mean", argument checks before sending, the ARCHON_MCP_LOG/DEBUG stderr logger) added ~2.5 KB gzip on its own
 * branch (17,457 -> 19,968 B). Merged onto the two-era client (2026-12-04): 29,678 B gzip (90.7 KB minified),
 * inside the 30 KB budget, so the budget stays; the next raise must say why.
 * Raised to 34 KB when issue 11's client integration merged (2026-12-04): 31,714 B gzip. The OAuth coordinator
 * itself is a lazy chunk (its own budget below); what the root entry gained is the authorization seam every
 * request passes (credentials on each send, the 401/403 answer below the retry loop, `finishAuth`, the option
 * checks) on top of issue 10's messages. 34 KB is that + ~7%.
 * Raised to 34 KB for the client-core follow-ups of issues 8, 9 and 10 (2026-12-05): recovery loops get a rate and
 * a circuit (the recovery governor, the `degraded` state and its error, the pacing of the background recovery), one
 * shared reachability probe during outages (the gate), floors for notification-stream reconnects, per-call `retry`
 * and `replay` with their validation, background streams on unref'd sockets, the light abort signal of attempts:
 * measured 32,779 B gzip (101.2 KB minified), from 29,700 B on main; 34 KB is that + ~6%.
 * Both 34 KB raises were measured on their own branches; merged together (2026-12-05) the root entry is 34,835 B
 * gzip, so the budget is 36 KB: the sum of the two reasons above + ~6%.
 *
 * esbuild on `src/index.ts` rather than on `dist/`: the same bundler tsup uses, seconds instead of a full build,
 * and it cannot measure a stale `dist/`.
 * Split like dist/ (issue #11, tsup.config.ts `splitting: true`): what is measured is the eager path, the entry
 * chunk and every chunk it imports statically, i.e. what `import 'archon-mcp-client'` loads, concatenated as a
 * consumer's bundler joins them. The auth coordinator behind `authProvider` is a chunk of its own, loaded with
 * import() on a client's first request; it is measured separately below. With the auth seam (option validation,
 * `ClientAuth`, the send loop with DPoP nonces, `finishAuth`) the eager path measured 88,823 B minified, 29,079 B
 * gzip (29,721 B as two separately gzipped files) on 2026-12-04, from 27,032 B before: within the 30 KB budget.
 * The coordinator chunk: 18,233 B minified, 5,959 B gzip.
 */
import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, test } from 'vitest';

const GZIP_BUDGET_BYTES = 36 * 1024;

/** The lazily loaded auth chunk has its own budget: about 6 KB gzip measured, 8 KB allowed. */
const AUTH_CHUNK_GZIP_BUDGET_BYTES = 8 * 1024;

let minified: Uint8Array;
/** Every chunk of the eager path after the entry, each as its own file (as dist/ ships them). */
let eagerChunks: Uint8Array[];
let authChunk: Uint8Array | undefined;

const gzipBytes = (bytes: Uint8Array): number => gzipSync(bytes, { level: 9 }).byteLength;

beforeAll(async () => {
  const result = await build({
    entryPoints: ['src/index.ts'],
    bundle: true,
    write: false,
    minify: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    logLevel: 'silent',
    splitting: true,
    outdir: 'out',
    metafile: true,
  });
  const files = new Map(result.outputFiles.map((file) => [file.path.slice(file.path.lastIndexOf('/out/') + 1), file.contents]));
  const outputs = Object.entries(result.metafile.outputs);
  const entry = outputs.find(([, output]) => output.entryPoint === 'src/index.ts');
  if (entry === undefined) throw new Error('esbuild produced no output for src/index.ts');
  const eager = new Set<string>();
  const visit = (path: string): void => {
    for (const imported of result.metafile.outputs[path]?.imports ?? []) {
      if (imported.kind === 'import-statement' && imported.path.startsWith('out/') && !eager.has(imported.path)) {
        eager.add(imported.path);
        visit(imported.path);
      }
    }
  };
  visit(entry[0]);
  minified = files.get(entry[0]) ?? new Uint8Array();
  eagerChunks = [...eager].map((path) => files.get(path) ?? new Uint8Array());
  const auth = outputs.find(([, output]) => output.entryPoint === 'src/auth/create-auth-coordinator.ts');
  authChunk = auth === undefined ? undefined : files.get(auth[0]);
});

describe('root entry size', () => {
  test('the measured bundle is the real client, not an empty shell', () => {
    // Guards the budget against passing vacuously (e.g. an entry that re-exports nothing after a refactor).
    const text = new TextDecoder().decode(minified);
    expect(text).toMatch(/export\s*\{[^}]*\bMCPClient\b/);
    expect(minified.byteLength).toBeGreaterThan(10 * 1024);
  });

  test(`minified + gzip stays within ${GZIP_BUDGET_BYTES} bytes`, () => {
    const eager = [minified, ...eagerChunks];
    const eagerMinified = eager.reduce((sum, chunk) => sum + chunk.byteLength, 0);
    // A consumer's bundler follows the static imports into one bundle: the eager chunks, concatenated, gzipped.
    const concatenated = new Uint8Array(eagerMinified);
    eager.reduce((offset, chunk) => (concatenated.set(chunk, offset), offset + chunk.byteLength), 0);
    const eagerGzip = gzipBytes(concatenated);
    const perChunkGzip = eager.reduce((sum, chunk) => sum + gzipBytes(chunk), 0);
    // The figures are printed so a CI log shows the trend, not only pass/fail.
    console.info(
      `root entry: ${eagerMinified} B minified, ${eagerGzip} B gzip (${perChunkGzip} B as ${eager.length} separately gzipped chunks; budget ${GZIP_BUDGET_BYTES} B)`,
    );
    expect(eagerGzip, 'root entry grew past its gzip budget: trim it or raise the budget with a reason').toBeLessThanOrEqual(GZIP_BUDGET_BYTES);
  });

  test(`the auth coordinator is a lazy chunk within ${AUTH_CHUNK_GZIP_BUDGET_BYTES} bytes`, () => {
    expect(authChunk, 'src/auth/create-auth-coordinator.ts is no longer a chunk of its own').toBeDefined();
    const authGzip = gzipBytes(authChunk ?? new Uint8Array());
    console.info(`auth chunk (loaded with the first authProvider request): ${authChunk?.byteLength ?? 0} B minified, ${authGzip} B gzip`);
    expect(authGzip).toBeLessThanOrEqual(AUTH_CHUNK_GZIP_BUDGET_BYTES);
  });
});
