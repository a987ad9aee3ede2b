/**
 * `archon-mcp call <tool> k=v ... [--args JSON]`: turns the command line into the tool's argument object.
 */
import { UsageError } from './usage-error';

/**
 * Builds the arguments object. `--args` gives the base object; each `k=v` then sets one key. A value is
 * parsed as JSON when it parses (`n=3` -> 3, `ok=true` -> true, `ids=[1,2]` -> [1,2], `x=null` -> null),
 * otherwise it is the literal string (`query=auth` -> "auth"); quote it as JSON to force a string
 * (`id='"42"'` -> "42"). Only the first `=` splits, so values may contain `=`.
 *
 * @example
 * ```ts
 * parseToolArguments(['query=auth', 'limit=5'], undefined); // { query: 'auth', limit: 5 }
 * parseToolArguments(['limit=1'], '{"query":"auth"}');     // { query: 'auth', limit: 1 }
 * ```
 */
export function parseToolArguments(pairs: readonly string[], argsJson: string | undefined): Record<string, unknown> {
  const args: Record<string, unknown> = argsJson === undefined ? {} : parseArgsJson(argsJson);
  for (const pair of pairs) {
    const separator = pair.indexOf('=');
    if (separator <= 0) {
      throw new UsageError(`Expected a tool argument as key=value, got ${JSON.stringify(pair)}`, 'call');
    }
    // defineProperty, not assignment: `__proto__=...` must become a plain key, not replace the prototype.
    Object.defineProperty(args, pair.slice(0, separator), {
      value: parseValue(pair.slice(separator + 1)),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return args;
}

function parseArgsJson(text: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`Expected \`--args\` to be a JSON object, got invalid JSON ${JSON.stringify(text)}`, 'call', { cause: error });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new UsageError(`Expected \`--args\` to be a JSON object, got ${JSON.stringify(text)}`, 'call');
  }
  return { ...parsed };
}

function parseValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
