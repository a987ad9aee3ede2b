import { createHash } from 'node:crypto';
import type { RedisClientType } from 'redis';

const SHAS = new Map<string, string>();

/** The SHA1 Redis caches `script` under (computed once per script). */
function scriptSha(script: string): string {
  let sha = SHAS.get(script);
  if (sha === undefined) {
    sha = createHash('sha1').update(script).digest('hex');
    SHAS.set(script, sha);
  }
  return sha;
}

/**
 * Runs a Lua script by SHA (`EVALSHA`: one short command, no script text on the wire), and sends the text
 * once when Redis answers NOSCRIPT (its cache is empty after a restart or `SCRIPT FLUSH`).
 *
 * @example
 * ```ts
 * const reply = await runScript(client, "return ARGV[1]", { arguments: ['hi'] });
 * ```
 */
export async function runScript(
  client: RedisClientType,
  script: string,
  options: { keys?: string[]; arguments: string[] },
): Promise<unknown> {
  try {
    return await client.evalSha(scriptSha(script), options);
  } catch (error) {
    if (!String((error as Error).message).startsWith('NOSCRIPT')) throw error;
    return client.eval(script, options);
  }
}
