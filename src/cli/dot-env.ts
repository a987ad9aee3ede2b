/**
 * `.env` for the `archon-mcp` bin (issue #10: `.env.example` said "copy to .env" and nothing read it). The
 * bin reads `./.env` once at start-up, like most CLIs; the real environment wins over the file, and empty
 * values (`MCP_AUTH_TOKEN=` in the example) count as unset. The library never reads files on its own: scripts
 * that want the same use `node --env-file=.env`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';

/**
 * The variables of `<directory>/.env` that are not empty, or `{}` when there is no such file.
 *
 * @example
 * ```ts
 * const env = { ...readDotEnv(process.cwd()), ...process.env }; // the real environment wins
 * ```
 */
export function readDotEnv(directory: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(join(directory, '.env'), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
  return Object.fromEntries(Object.entries(parseEnv(text)).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ''));
}
