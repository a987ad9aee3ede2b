/**
 * Cursor pagination of the list methods (spec 2025-11-25 "Pagination"): one page when a cursor is given,
 * otherwise every page concatenated, bounded so a server that always returns a cursor cannot loop forever.
 */
import { ProtocolError } from '../errors';

/** Pages fetched at most for one "all pages" listing. */
const MAX_PAGES = 1_000;

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

/**
 * Fetches the page after `cursor`, or (without one) every page, concatenating `result[key]`.
 *
 * @example
 * ```ts
 * const { tools } = await listPages((params) => core.request('tools/list', params, {}), 'tools/list', 'tools');
 * ```
 */
export async function listPages(
  request: (params: Record<string, unknown> | undefined) => Promise<Record<string, unknown>>,
  method: string,
  key: string,
  cursor?: string,
): Promise<Record<string, unknown>> {
  if (cursor !== undefined) return expectArray(await request({ cursor }), key, method);
  const items: unknown[] = [];
  let next: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const result = expectArray(await request(next === undefined ? undefined : { cursor: next }), key, method);
    items.push(...(result[key] as unknown[]));
    if (typeof result.nextCursor !== 'string' || result.nextCursor === '') return { [key]: items };
    next = result.nextCursor;
  }
  throw new ProtocolError(`${method} returned more than ${MAX_PAGES} pages`, { reason: 'invalid_message' });
}
