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
 * Raised to 34 KB for the client-core follow-ups of issues 8, 9 and 10 (2026-12-05): recovery loops get a rate and
 * a circuit (the recovery governor, the `degraded` state and its error, the pacing of the background recovery), one
 * shared reachability probe during outages (the gate), floors for notification-stream reconnects, per-call `retry`
 * and `replay` with their validation, background streams on unref'd sockets, the light abort signal of attempts:
 * measured 32,779 B gzip (101.2 KB minified), from 29,700 B on main; 34 KB is that + ~6%.
 *
 * esbuild on `src/index.ts` rather than on `dist/`: the same bundler tsup uses, seconds instead of a full build,
 * and it cannot measure a stale `dist/`.
 */
import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, test } from 'vitest';

const GZIP_BUDGET_BYTES = 34 * 1024;

let minified: Uint8Array;

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
  });
  const output = result.outputFiles[0];
  if (output === undefined) throw new Error('esbuild produced no output for src/index.ts');
  minified = output.contents;
});

describe('root entry size', () => {
  test('the measured bundle is the real client, not an empty shell', () => {
    // Guards the budget against passing vacuously (e.g. an entry that re-exports nothing after a refactor).
    const text = new TextDecoder().decode(minified);
    expect(text).toMatch(/export\s*\{[^}]*\bMCPClient\b/);
    expect(minified.byteLength).toBeGreaterThan(10 * 1024);
  });

  test(`minified + gzip stays within ${GZIP_BUDGET_BYTES} bytes`, () => {
    const gzipBytes = gzipSync(minified, { level: 9 }).byteLength;
    // The figure is printed so a CI log shows the trend, not only pass/fail.
    console.info(`root entry: ${minified.byteLength} B minified, ${gzipBytes} B gzip (budget ${GZIP_BUDGET_BYTES} B)`);
    expect(gzipBytes, 'root entry grew past its gzip budget: trim it or raise the budget with a reason').toBeLessThanOrEqual(
      GZIP_BUDGET_BYTES,
    );
  });
});
