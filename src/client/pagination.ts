/**
 * Cursor pagination of the list methods (spec 2025-11-25 "Pagination"): one page when a cursor is given,
 * otherwise every page concatenated. Every page count, item count, byte total and cursor length from the
 * server is bounded (issue 9 case 6: 1,000 pages of 2,000 tools cost +204 MB, and 300,000 tools in one
 * page threw a plain RangeError from `push(...page)`).
 */
import { ProtocolError } from '../errors';

/** Pages fetched at most for one "all pages" listing. */
export const MAX_PAGES = 1_000;

/**
 * Longest cursor sent back, in characters. A cursor is an opaque token echoed on the next request; a
 * longer one is refused rather than uploaded once per page.
 */
export const MAX_CURSOR_CHARS = 8_192;

/**
 * Bounds of one "all pages" listing (`maxListItems` and `maxListBytes` of the client options).
 *
 * @example
 * ```ts
 * const limits: ListLimits = { maxListItems: 100_000, maxListBytes: 32 * 1024 * 1024 };
 * ```
 */
export interface ListLimits {
  /** Most items over all pages. */
  readonly maxListItems: number;
  /** Largest size of the items over all pages: the length of their JSON text (bytes, for ASCII). */
  readonly maxListBytes: number;
}

/**
 * Throws `ProtocolError('invalid_message')` unless `result[key]` is an array; returns the result.
 *
 * @example
 * ```ts
 * const { contents } = expectArray(result, 'contents', 'resources/read');
 * ```
 */
export function expectArray(result: Record<string, unknown>, key: string, method: string): Record<string, unknown> {
  if (!Array.isArray(result[key])) {
    throw new ProtocolError(`The ${method} result has no \`${key}\` array`, { reason: 'invalid_message', cause: result });
  }
  return result;
}

function tooLarge(message: string): ProtocolError {
  return new ProtocolError(message, { reason: 'body_too_large' });
}

/** Length of the JSON text of `value`; nesting too deep to serialize is refused, typed. */
function jsonLength(value: unknown, method: string): number {
  try {
    return JSON.stringify(value).length;
  } catch (error) {
    throw new ProtocolError(`${method} returned items that cannot be serialized again`, { reason: 'invalid_message', cause: error });
  }
}

/** The cursor of the next page, or undefined on the last page. */
function nextCursorOf(result: Record<string, unknown>, method: string): string | undefined {
  const cursor = result.nextCursor;
  if (typeof cursor !== 'string' || cursor === '') return undefined;
  if (cursor.length > MAX_CURSOR_CHARS) {
    throw new ProtocolError(`${method} returned a nextCursor of ${cursor.length} characters (at most ${MAX_CURSOR_CHARS})`, {
      reason: 'invalid_message',
    });
  }
  return cursor;
}

/**
 * Fetches the page after `cursor`, or (without one) every page, concatenating `result[key]` under `limits`.
 * Beyond a limit: `ProtocolError('body_too_large')` (items or bytes) or `'invalid_message'` (pages, cursor).
 *
 * @example
 * ```ts
 * const limits = { maxListItems: 100_000, maxListBytes: 1 << 25 };
 * const { tools } = await listPages((params) => core.request('tools/list', params, {}), 'tools/list', 'tools', undefined, limits);
 * ```
 */
export async function listPages(
  request: (params: Record<string, unknown> | undefined) => Promise<Record<string, unknown>>,
  method: string,
  key: string,
  cursor: string | undefined,
  limits: ListLimits,
): Promise<Record<string, unknown>> {
  if (cursor !== undefined) return expectArray(await request({ cursor }), key, method);
  const items: unknown[] = [];
  let bytes = 0;
  let next: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const result = expectArray(await request(next === undefined ? undefined : { cursor: next }), key, method);
    const pageItems = result[key] as unknown[];
    if (items.length + pageItems.length > limits.maxListItems) {
      throw tooLarge(`${method} returned more than maxListItems (${limits.maxListItems}) items`);
    }
    // The page was parsed from at most maxResponseBytes; serializing it again costs about as much as that
    // parse did, and counts what the list will hold whatever the framing (JSON body or SSE event).
    bytes += jsonLength(pageItems, method);
    if (bytes > limits.maxListBytes) {
      throw tooLarge(`${method} returned more than maxListBytes (${limits.maxListBytes}) of items`);
    }
    // A loop, not push(...pageItems): a spread of some 10^5 arguments overflows the stack (RangeError).
    for (const item of pageItems) items.push(item);
    next = nextCursorOf(result, method);
    if (next === undefined) return { [key]: items };
  }
  throw new ProtocolError(`${method} returned more than ${MAX_PAGES} pages`, { reason: 'invalid_message' });
}
