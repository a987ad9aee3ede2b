/**
 * The 2026-07-28 wire against the official v2 server (issue 8 item 2): the `_meta` envelope and metadata
 * headers are accepted (the SDK server rejects requests without them), `x-mcp-header` parameters are mirrored
 * and encoded, a tool with an invalid annotation is dropped with a warning, a -32020 HeaderMismatch re-lists
 * the tools and resends once, and the application session header travels on every request.
 */
import { afterAll, beforeAll, beforeEach, expect, test } from 'vitest';
import { MCPClient, UnknownToolError } from '../../src/index';
import { clearEraVerdicts } from '../../src/session/era-cache';
import { type FixtureProcess, startFixtureProcess } from '../support/fixture-process';

interface FixtureStats {
  byMethod: Record<string, number>;
  byStatus: Record<string, number>;
  toolRuns: Record<string, number>;
  appSessionIds: Record<string, number>;
}

let server: FixtureProcess;

beforeAll(async () => {
  server = await startFixtureProcess('v2-fixture-bin.ts', { FIXTURE_LEGACY: 'reject' });
}, 60_000);

afterAll(() => server?.kill());

beforeEach(async () => {
  clearEraVerdicts();
  await server.post('/__fixture/region-header', { on: true });
});

const stats = (): Promise<FixtureStats> => server.get<FixtureStats>('/__fixture/stats');

test('an x-mcp-header parameter reaches the server as Mcp-Param-Region, base64-encoded when unsafe', async () => {
  await using client = new MCPClient({ url: server.url });
  const plain = await client.callTool('region', { region: 'us-west1', query: 'x' });
  const unsafe = await client.callTool('region', { region: 'Zürich ' });
  expect(plain.content).toEqual([{ type: 'text', text: 'us-west1' }]);
  expect(unsafe.content).toEqual([{ type: 'text', text: `=?base64?${Buffer.from('Zürich ', 'utf8').toString('base64')}?=` }]);
});

test('a tool with an invalid x-mcp-header is dropped from listTools with a logged warning, the rest kept in order', async () => {
  const warnings: Record<string, unknown>[] = [];
  await using client = new MCPClient({ url: server.url, logger: { warn: (fields) => warnings.push(fields) } });
  const { tools } = await client.listTools();
  const names = tools.map((tool) => tool.name);
  expect(names).not.toContain('bad_header');
  expect(names).toEqual(expect.arrayContaining(['echo', 'counter', 'region', 'ask']));
  expect(warnings).toEqual([expect.objectContaining({ toolName: 'bad_header', reason: expect.stringContaining('type "object"') })]);
  await expect(client.callTool('bad_header', { data: {} })).rejects.toBeInstanceOf(UnknownToolError);
});

test('a -32020 HeaderMismatch re-lists the tools once and resends with the header the new schema asks for', async () => {
  await server.post('/__fixture/region-header', { on: false });
  await using client = new MCPClient({ url: server.url });
  await client.listTools(); // cached without the annotation
  await server.post('/__fixture/region-header', { on: true }); // the server changed, and said nothing
  const before = await stats();
  const result = await client.callTool('region', { region: 'eu-central1' });
  const after = await stats();

  expect(result.content).toEqual([{ type: 'text', text: 'eu-central1' }]);
  const delta = (method: string): number => (after.byMethod[method] ?? 0) - (before.byMethod[method] ?? 0);
  expect(delta('tools/call')).toBe(2); // the refused one and the resend
  expect(delta('tools/list')).toBe(1);
  expect((after.byStatus['400'] ?? 0) - (before.byStatus['400'] ?? 0)).toBe(1);
  expect(client.stats().retries).toBe(1);
});

test('X-Archon-Session-Id goes on every request of the modern era, the same value throughout', async () => {
  const sessionId = `modern-${Date.now()}`;
  await using client = new MCPClient({ url: server.url, sessionId, listen: false });
  await client.callTool('echo', { text: 'a' });
  await client.listTools({ refresh: true });
  await client.readResource('fixture://status');
  const { appSessionIds } = await stats();
  // server/discover, tools/list (the catalog), tools/call, tools/list (refresh), resources/read.
  expect(appSessionIds[sessionId]).toBe(5);
  expect(appSessionIds['(none)']).toBeUndefined();
});
