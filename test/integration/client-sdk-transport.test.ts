/**
 * The official SDK `Client` on top of our transport: the `Transport` contract holds.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ArchonStreamableHttpTransport } from '../../src/index';
import { type ReferenceServer, startServer, waitFor } from '../transport/wire-fixture';

let server: ReferenceServer;

beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server.close();
});

test('SDK Client + ArchonStreamableHttpTransport: connect, listTools, callTool, notifications, close', async () => {
  const before = server.stats();
  const transport = new ArchonStreamableHttpTransport(server.url, { headers: { 'X-Archon-Session-Id': 'sdk-client-0001' } });
  const client = new Client({ name: 'sdk-on-archon', version: '1.0.0' });
  await client.connect(transport);
  expect(transport.sessionId).toEqual(expect.any(String));
  expect(client.getServerVersion()?.name).toEqual(expect.any(String));

  const { tools } = await client.listTools();
  expect(tools.map((tool) => tool.name)).toContain('echo');
  const result = await client.callTool({ name: 'echo', arguments: { text: 'through the SDK' } });
  expect(result.structuredContent).toEqual({ text: 'through the SDK' });

  const progress: number[] = [];
  await client.callTool({ name: 'slow', arguments: { steps: 3, intervalMs: 5 } }, undefined, {
    onprogress: ({ progress: value }) => progress.push(value),
  });
  expect(progress).toEqual([1, 2, 3]);

  const logs: unknown[] = [];
  client.fallbackNotificationHandler = async (notification) => {
    if (notification.method === 'notifications/message') logs.push(notification.params?.data);
  };
  await waitFor(() => (server.stats().byHttpMethod.GET ?? 0) > (before.byHttpMethod.GET ?? 0));
  await client.callTool({ name: 'notify', arguments: { text: 'via GET' } });
  await waitFor(() => logs.includes('via GET'));

  await transport.terminateSession();
  await client.close();
  const after = server.stats();
  expect(after.initializeCount).toBe(before.initializeCount + 1);
  expect(after.deleteCount).toBe(before.deleteCount + 1);
  expect(after.toolRuns.echo).toBe((before.toolRuns.echo ?? 0) + 1);
  expect(after.appSessionIds.slice(before.appSessionIds.length).every((id) => id === 'sdk-client-0001')).toBe(true);
});
