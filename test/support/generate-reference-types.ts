/**
 * Regenerates (or, with `--check`, verifies) `examples/generated/reference-tools.d.ts` from the reference
 * server's tools, through the same code path as `archon-mcp types` (runCli), against a server started
 * in-process on a free loopback port.
 *
 *   npm run types:reference   # write
 *   npm run types:check       # exit 1 when the file is stale
 */
import path from 'node:path';
import { startReferenceServer } from '../../server/index';
import { runCli } from '../../src/cli/run-cli';

/** Where the generated module lives, relative to the repository root. */
export const REFERENCE_TYPES_FILE = path.join('examples', 'generated', 'reference-tools.d.ts');

/** The header's "from ..." text: stable (no port), and it says how to regenerate. */
export const REFERENCE_TYPES_SOURCE = 'the reference server (`npm run types:reference`)';

/**
 * @example
 * ```ts
 * const code = await generateReferenceTypes({ check: true }); // 0 current, 1 stale
 * ```
 */
export async function generateReferenceTypes(options: { check?: boolean; outFile?: string } = {}): Promise<number> {
  const server = await startReferenceServer({ port: 0, store: 'memory' });
  try {
    return await runCli(
      [
        'types',
        server.url,
        '-o',
        options.outFile ?? path.relative(process.cwd(), path.join(import.meta.dirname, '..', '..', REFERENCE_TYPES_FILE)),
        '--type-name',
        'ReferenceTools',
        '--source',
        REFERENCE_TYPES_SOURCE,
        ...(options.check === true ? ['--check'] : []),
      ],
      { stdout: process.stdout, stderr: process.stderr, env: process.env },
    );
  } finally {
    await server.close();
  }
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === import.meta.filename) {
  const code = await generateReferenceTypes({ check: process.argv.includes('--check') });
  // The CLI's hint names the ephemeral server URL; the way to regenerate this file is the npm script.
  if (code !== 0) process.stderr.write('Run `npm run types:reference` to regenerate it.\n');
  process.exitCode = code;
}
