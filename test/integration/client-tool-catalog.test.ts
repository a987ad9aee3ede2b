/**
 * The first callTool of a session fetches the tool list once, so names, output schemas and annotations
 * are checked without the caller having to call listTools() first (the official SDK validates output
 * only if listTools() happened to run). `cache: false`: the listing under test is the client's own; in the
 * 2026-07-28 era the reference server marks its tool list public for 60 s, so the process-wide response cache
 * would hand a later client the list an earlier one fetched, without a request.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { MCPClient, UnknownToolError } from '../../src/index';
import { type ReferenceServer, startServer } from '../transport/wire-fixture';

let server: ReferenceServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server.close();
});

test('a misspelt tool on a fresh client is an UnknownToolError with suggestions, and no tools/call is sent', async () => {
  await using client = new MCPClient({ url: server.url, listen: false, cache: false });
  const before = server.stats();
  const error = await client.callTool('find_projcts', { query: 'auth' }).catch((caught: unknown) => caught);

  expect(error).toBeInstanceOf(UnknownToolError);
  expect((error as UnknownToolError).suggestions).toContain('find_projects');
  const after = server.stats();
  expect(after.byRpcMethod['tools/call'] ?? 0).toBe(before.byRpcMethod['tools/call'] ?? 0);
  expect(after.byRpcMethod['tools/list']).toBe((before.byRpcMethod['tools/list'] ?? 0) + 1);
});

test('concurrent first calls share one tools/list, and later calls send none', async () => {
  await using client = new MCPClient({ url: server.url, listen: false, cache: false });
  const before = server.stats();
  await Promise.all(Array.from({ length: 5 }, (_, index) => client.callTool('echo', { text: `call ${index}` })));
  await client.callTool('echo', { text: 'later' });

  const after = server.stats();
  expect(after.byRpcMethod['tools/list']).toBe((before.byRpcMethod['tools/list'] ?? 0) + 1);
  expect(after.byRpcMethod['tools/call']).toBe((before.byRpcMethod['tools/call'] ?? 0) + 6);
  expect(client.stats().calls).toBe(7); // one listing, six calls
});
