/**
 * Issue 8 item 7: a server's schemas never make the client fetch anything (SEP-2106: a network `$ref` is an
 * SSRF / fetch-DoS vector), and what the server sent is handed on with every JSON Schema 2020-12 keyword intact.
 * A local HTTP server stands in for the `$ref` target and counts requests: it must see none.
 */
import http from 'node:http';
import type { Tool } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ToolCatalog } from '../../src/client/tool-catalog';
import { paramHeadersOf } from '../../src/transport/mcp-headers';

let hits = 0;
let refServer: http.Server;
let refUrl: string;

beforeAll(async () => {
  refServer = http.createServer((_req, res) => {
    hits++;
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"type":"object"}');
  });
  await new Promise<void>((resolve) => refServer.listen(0, '127.0.0.1', resolve));
  const address = refServer.address();
  refUrl = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}/profile.json`;
});

afterAll(() => new Promise<void>((resolve) => refServer.close(() => resolve())));

test('checking output against a schema with a network $ref fetches nothing', async () => {
  const tool: Tool = {
    name: 'lookup',
    inputSchema: { type: 'object', properties: { id: { $ref: '#/$defs/id' }, profile: { $ref: refUrl } }, $defs: { id: { type: 'string' } } },
    outputSchema: { type: 'object', properties: { profile: { $ref: refUrl } } },
  };
  const catalog = new ToolCatalog();
  catalog.replace([tool]);
  await catalog.validateOutput('lookup', { content: [], structuredContent: { profile: {} } }).catch(() => undefined);
  expect(paramHeadersOf(tool.inputSchema)).toEqual({ ok: true, headers: [] });
  expect(hits).toBe(0);
});
