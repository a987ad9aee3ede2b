import { describe, expect, test } from 'vitest';
import { ProtocolError } from '../../src/errors';
import { MAX_CURSOR_CHARS, MAX_PAGES, listPages } from '../../src/client/pagination';

const LIMITS = { maxListItems: 1_000, maxListBytes: 1_000_000 };

/** A request function over fixed pages; counts the requests. */
function pages(...contents: unknown[][]) {
  const requests: (Record<string, unknown> | undefined)[] = [];
  const request = async (params: Record<string, unknown> | undefined) => {
    requests.push(params);
    const index = Number(params?.cursor ?? 0);
    return { items: contents[index] ?? [], ...(index + 1 < contents.length ? { nextCursor: String(index + 1) } : {}) };
  };
  return { request, requests };
}

describe('listPages', () => {
  test('concatenates every page in order and sends each cursor back', async () => {
    const server = pages([1, 2], [3], [4, 5]);
    await expect(listPages(server.request, 'x/list', 'items', undefined, LIMITS)).resolves.toEqual({ items: [1, 2, 3, 4, 5] });
    expect(server.requests).toEqual([undefined, { cursor: '1' }, { cursor: '2' }]);
  });

  test('a page of 300,000 items is copied without a spread (no RangeError)', async () => {
    const big = Array.from({ length: 300_000 }, (_, index) => index);
    const { items } = await listPages(pages(big).request, 'x/list', 'items', undefined, { maxListItems: 300_000, maxListBytes: 1 << 24 });
    expect(items).toHaveLength(300_000);
  });

  test.each([
    ['items', { maxListItems: 4, maxListBytes: 1_000_000 }, 'maxListItems (4)', 2],
    ['bytes', { maxListItems: 1_000, maxListBytes: 12 }, 'maxListBytes (12)', 2],
  ])('stops at the %s limit with ProtocolError(body_too_large), before fetching more', async (_name, limits, text, requested) => {
    const server = pages(['aaaa', 'b'], ['cccc', 'd', 'e'], ['f']);
    const error = await listPages(server.request, 'x/list', 'items', undefined, limits).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as ProtocolError).reason).toBe('body_too_large');
    expect((error as ProtocolError).message).toContain(text);
    expect(server.requests).toHaveLength(requested);
  });

  test(`stops after ${MAX_PAGES} pages of a server that always has another`, async () => {
    let requested = 0;
    const request = async () => ({ items: [], nextCursor: String(++requested) });
    await expect(listPages(request, 'x/list', 'items', undefined, LIMITS)).rejects.toMatchObject({ reason: 'invalid_message' });
    expect(requested).toBe(MAX_PAGES);
  });

  test(`refuses a cursor longer than ${MAX_CURSOR_CHARS} characters instead of sending it back`, async () => {
    let requested = 0;
    const request = async () => ({ items: [requested++], nextCursor: 'c'.repeat(MAX_CURSOR_CHARS + 1) });
    await expect(listPages(request, 'x/list', 'items', undefined, LIMITS)).rejects.toMatchObject({ reason: 'invalid_message' });
    expect(requested).toBe(1);
    const atCap = async (params: Record<string, unknown> | undefined) => (params ? { items: [] } : { items: [], nextCursor: 'c'.repeat(MAX_CURSOR_CHARS) });
    await expect(listPages(atCap, 'x/list', 'items', undefined, LIMITS)).resolves.toEqual({ items: [] });
  });

  test('items nested too deep to serialize are refused typed, not with a RangeError', async () => {
    let deep: unknown = 1;
    for (let depth = 0; depth < 100_000; depth++) deep = [deep];
    const error = await listPages(pages([deep]).request, 'x/list', 'items', undefined, LIMITS).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ProtocolError);
  });

  test('with a cursor, one page is returned as is', async () => {
    const server = pages([1], [2]);
    await expect(listPages(server.request, 'x/list', 'items', '1', LIMITS)).resolves.toEqual({ items: [2] });
  });
});
