/**
 * The JSON depth limit, checked before a body is parsed (issue 9, case 10). `JSON.parse` itself has no limit,
 * and a 5,000-deep `initialize` was served on the memory store but failed deep in pglite's serializer (a
 * stack overflow). Refusing at the door makes every store see the same bounded input, and costs one pass over
 * bytes already in memory.
 */

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Whether the JSON text in `bytes` (UTF-8) nests arrays and objects deeper than `maxDepth`. Brackets inside
 * strings do not count. Invalid JSON is not this function's concern (the parser refuses it); the answer for it
 * is only ever "too deep" or not, in one linear pass.
 *
 * @example
 * ```ts
 * exceedsJsonDepth(new TextEncoder().encode('[[1]]'), 1); // true
 * ```
 */
export function exceedsJsonDepth(bytes: Uint8Array, maxDepth: number): boolean {
  // Each level takes at least two bytes, so a short body cannot be too deep.
  if (bytes.byteLength <= maxDepth * 2) return false;
  let depth = 0;
  let inString = false;
  for (let index = 0; index < bytes.byteLength; index++) {
    const byte = bytes[index];
    if (inString) {
      if (byte === BACKSLASH) index++;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) {
      inString = true;
    } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      depth++;
      if (depth > maxDepth) return true;
    } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
      depth--;
    }
  }
  return false;
}

/**
 * Whether an already parsed value (a framework's `req.body`) nests arrays and objects deeper than `maxDepth`.
 * Iterative, so a hostile value cannot overflow the stack here either; a cycle reads as too deep.
 *
 * @example
 * ```ts
 * valueExceedsDepth({ a: [{}] }, 2); // true
 * ```
 */
export function valueExceedsDepth(value: unknown, maxDepth: number): boolean {
  const pending: [unknown, number][] = [[value, 0]];
  for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
    const [current, depth] = item;
    if (typeof current !== 'object' || current === null) continue;
    if (depth + 1 > maxDepth) return true;
    for (const child of Array.isArray(current) ? current : Object.values(current)) {
      if (typeof child === 'object' && child !== null) pending.push([child, depth + 1]);
    }
  }
  return false;
}
