/**
 * Issue 9 case 6: pagination is bounded in items, bytes, pages and cursor length. Measured before the fix:
 * 300,000 tools in one page threw a plain RangeError from `items.push(...page)`, and 1,000 pages of 2,000 tools
 * cost +204 MB, since only pages were capped.
 */
import { expect, test } from 'vitest';
import { MCPClient, ProtocolError } from '../../src/index';
import type { ServerResponse } from 'node:http';
import { type HostileRequest, startHostileServer } from './support/hostile-server';
import { reportFigures, startLoopMonitor } from './support/loop-monitor';

const TOOL_COUNT = 300_000;

function tools(count: number, prefix: string): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, index) => ({ name: `${prefix}${index}`, inputSchema: {} }));
}

/** A server with `pages` pages of `perPage` tools each, counting the pages it served. */
function pagedServer(pages: number, perPage: number) {
  let served = 0;
  const listing = (request: HostileRequest) => {
    served++;
    const page = Number(request.params?.cursor ?? 0);
    return { tools: tools(perPage, `p${page}-`), ...(page + 1 < pages ? { nextCursor: String(page + 1) } : {}) };
  };
  return { served: () => served, methods: { 'tools/list': listing } };
}

/** Answers with one page serialized once up front, so the in-process server's own JSON work is not measured. */
function preSerialized(result: Record<string, unknown>) {
  const [head, tail] = JSON.stringify({ jsonrpc: '2.0', id: '<id>', result }).split('"<id>"') as [string, string];
  return (request: HostileRequest, res: ServerResponse): true => {
    const body = `${head}${JSON.stringify(request.id)}${tail}`;
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
    return true;
  };
}

test(`${TOOL_COUNT.toLocaleString('en')} tools in one page: a typed error at maxListItems, never a RangeError`, async () => {
  await using server = await startHostileServer({ methods: { 'tools/list': preSerialized({ tools: tools(TOOL_COUNT, 't') }) } });
  await using client = new MCPClient({ url: server.url, listen: false });
  const monitor = startLoopMonitor();
  const error = await client.listTools().catch((caught: unknown) => caught);
  const gaps = monitor.stop();
  reportFigures('case 6 300k tools (9 MB) in one page, default limits', { ...gaps });
  // The one long gap is JSON.parse of the 9 MB body (~150-250 ms here): a cost bounded by maxResponseBytes, not by
  // anything the count of items can grow. The listing itself adds no gap of its own.
  expect(gaps.maxBlockedMs).toBeLessThan(1_000);
  expect(error).toBeInstanceOf(ProtocolError);
  expect((error as ProtocolError).reason).toBe('body_too_large');
  expect((error as ProtocolError).message).toContain('maxListItems (100000)');
});

test(`${TOOL_COUNT.toLocaleString('en')} tools in one page are listed whole when the limits allow them`, async () => {
  const page = { tools: tools(TOOL_COUNT, 't') };
  await using server = await startHostileServer({ methods: { 'tools/list': () => page } });
  await using client = new MCPClient({ url: server.url, listen: false, maxListItems: 1_000_000 });
  const { tools: listed } = await client.listTools();
  expect(listed).toHaveLength(TOOL_COUNT);
  expect(listed.at(-1)?.name).toBe(`t${TOOL_COUNT - 1}`);
});

test('1,000 pages of 2,000 tools stop at maxListBytes, with a bounded number of pages fetched', async () => {
  const paged = pagedServer(1_000, 2_000);
  await using server = await startHostileServer({ methods: paged.methods });
  const maxListBytes = 4 * 1024 * 1024;
  await using client = new MCPClient({ url: server.url, listen: false, maxListBytes, maxListItems: 10_000_000 });
  const heapBefore = process.memoryUsage().heapUsed;
  const error = await client.listTools().catch((caught: unknown) => caught);
  const pageBytes = JSON.stringify(tools(2_000, 'p0-')).length;
  reportFigures('case 6 1,000 pages x 2,000 tools, maxListBytes 4 MiB', {
    pagesServed: paged.served(),
    pageKiB: pageBytes / 1024,
    heapGrowthMiB: (process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024,
  });
  expect(error).toBeInstanceOf(ProtocolError);
  expect((error as ProtocolError).reason).toBe('body_too_large');
  // Pages grow by a few bytes with the page number in each tool name: the first page is the smallest.
  expect(paged.served()).toBeGreaterThanOrEqual(Math.floor(maxListBytes / (pageBytes * 1.1)));
  expect(paged.served()).toBeLessThanOrEqual(Math.floor(maxListBytes / pageBytes) + 1);
});

test('a server that always sends another page stops at 1,000 pages, typed', async () => {
  const paged = pagedServer(Number.POSITIVE_INFINITY, 1);
  await using server = await startHostileServer({ methods: paged.methods });
  await using client = new MCPClient({ url: server.url, listen: false });
  const error = await client.listTools().catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(ProtocolError);
  expect((error as ProtocolError).reason).toBe('invalid_message');
  expect(paged.served()).toBe(1_000);
});

test('a cursor longer than 8,192 characters is refused, not sent back', async () => {
  let served = 0;
  await using server = await startHostileServer({
    methods: {
      'tools/list': () => {
        served++;
        return { tools: [], nextCursor: 'c'.repeat(100_000) };
      },
    },
  });
  await using client = new MCPClient({ url: server.url, listen: false });
  const error = await client.listTools().catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(ProtocolError);
  expect((error as ProtocolError).reason).toBe('invalid_message');
  expect(served).toBe(1);
});
