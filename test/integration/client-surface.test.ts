/**
 * Every MCP surface method of MCPClient against the real reference server (in process, port 0).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { MCPClient, RpcError, ToolCallError, UnknownToolError } from '../../src/index';
import { type ReferenceServer, startServer, waitFor } from '../transport/wire-fixture';

type Tools = {
  echo: { args: { text: string }; result: { text: string } };
  find_projects: { args: { query: string; limit?: number }; result: { projects: { id: string; name: string }[]; total: number } };
  slow: { args: { steps?: number; intervalMs?: number }; result: { steps: number } };
  fail: { args: { message?: string }; result: undefined };
  notify: { args: { text: string }; result: { logged: boolean; resourcesUpdated: string[] } };
};

let server: ReferenceServer;
let client: MCPClient<Tools>;

beforeAll(async () => {
  server = await startServer();
  client = new MCPClient<Tools>({ url: server.url });
});
afterAll(async () => {
  await client.close();
  await server.close();
});

describe('connecting', () => {
  test('connects lazily on the first call and reports the server', async () => {
    const fresh = new MCPClient({ era: 'legacy', url: server.url, listen: false });
    expect(fresh.state).toBe('idle');
    const before = server.stats().initializeCount;
    await fresh.ping();
    expect(fresh.state).toBe('ready');
    expect(server.stats().initializeCount).toBe(before + 1);
    expect(fresh.serverInfo?.name).toEqual(expect.any(String));
    expect(fresh.protocolVersion).toBe('2025-11-25');
    expect(fresh.mcpSessionId).toEqual(expect.any(String));
    expect(fresh.serverCapabilities?.tools).toBeDefined();
    await fresh.close();
    expect(fresh.state).toBe('closed');
  });

  test('concurrent first calls share one initialize', async () => {
    const fresh = new MCPClient({ era: 'legacy', url: server.url, listen: false });
    const before = server.stats().initializeCount;
    await Promise.all([fresh.ping(), fresh.listTools(), fresh.connect(), fresh.connect()]);
    expect(server.stats().initializeCount).toBe(before + 1);
    await fresh.close();
  });

  test("one caller's abort during the shared connect fails only that caller", async () => {
    const fresh = new MCPClient({ era: 'legacy', url: server.url, listen: false });
    const before = server.stats().initializeCount;
    const controller = new AbortController();
    const aborted = fresh.ping({ signal: controller.signal }).catch((error: unknown) => error);
    const other = fresh.listTools();
    controller.abort(new Error('changed my mind'));
    expect(await aborted).toMatchObject({ name: 'AbortError' });
    expect((await other).tools.length).toBeGreaterThan(0);
    expect(server.stats().initializeCount).toBe(before + 1);
    await fresh.close();
  });

  test('MCPClient.connect() connects eagerly and emits the state changes in order', async () => {
    const states: string[] = [];
    const fresh = new MCPClient({ era: 'legacy', url: server.url, listen: false });
    fresh.on('state', ({ to }) => states.push(to));
    await fresh.connect();
    await fresh.close();
    expect(states).toEqual(['connecting', 'ready', 'closed']);
    const eager = await MCPClient.connect({ era: 'legacy', url: server.url, listen: false });
    expect(eager.state).toBe('ready');
    await eager.close();
  });
});

describe('tools', () => {
  test('callTool types args and structuredContent and counts one execution', async () => {
    const before = server.stats().toolRuns.find_projects ?? 0;
    const result = await client.callTool('find_projects', { query: 'auth' });
    const projects = result.structuredContent?.projects ?? [];
    expect(projects.map((project) => project.id)).toContain('auth-service');
    expect(server.stats().toolRuns.find_projects).toBe(before + 1);
  });

  test('listTools is cached until refresh', async () => {
    const before = server.stats().byRpcMethod['tools/list'] ?? 0;
    const first = await client.listTools({ refresh: true });
    const second = await client.listTools();
    expect(second.tools.map((tool) => tool.name)).toEqual(first.tools.map((tool) => tool.name));
    expect(first.tools.map((tool) => tool.name)).toEqual(expect.arrayContaining(['echo', 'counter', 'slow', 'fail']));
    expect(server.stats().byRpcMethod['tools/list']).toBe(before + 1);
    expect(client.cachedTool('find_projects')?.annotations?.readOnlyHint).toBe(true);
  });

  test('a tool error rejects with ToolCallError carrying the result', async () => {
    const error = await client.callTool('fail', { message: 'nope' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ToolCallError);
    expect((error as ToolCallError).result.content).toEqual([{ type: 'text', text: 'nope' }]);
    expect((error as ToolCallError).toolName).toBe('fail');
  });

  test('throwOnError: false resolves with the isError result', async () => {
    const result = await client.callTool('fail', {}, { throwOnError: false });
    expect(result.isError).toBe(true);
  });

  test('throwOnToolError: false on the client resolves too', async () => {
    await using lenient = new MCPClient<Tools>({ url: server.url, listen: false, throwOnToolError: false });
    expect((await lenient.callTool('fail', {})).isError).toBe(true);
  });

  test('progress reaches onProgress of the right call, in order', async () => {
    const seen: number[] = [];
    const other: number[] = [];
    const [result] = await Promise.all([
      client.callTool('slow', { steps: 4, intervalMs: 5 }, { onProgress: ({ progress }) => seen.push(progress) }),
      client.callTool('slow', { steps: 2, intervalMs: 5 }, { onProgress: ({ progress }) => other.push(progress) }),
    ]);
    expect(result.structuredContent).toEqual({ steps: 4 });
    expect(seen).toEqual([1, 2, 3, 4]);
    expect(other).toEqual([1, 2]);
  });

  test('an unknown tool name is rejected before any request, with suggestions', async () => {
    await client.listTools();
    const before = server.stats().byRpcMethod['tools/call'] ?? 0;
    const error = await client.callTool('find_project' as 'find_projects', { query: 'x' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UnknownToolError);
    expect((error as UnknownToolError).suggestions).toContain('find_projects');
    expect(server.stats().byRpcMethod['tools/call'] ?? 0).toBe(before);
  });

  test('invalid arguments reject with a typed error', async () => {
    const error = await client.callTool('find_projects', { query: 42 } as never, { throwOnError: true }).catch((caught: unknown) => caught);
    // SDK 1.32 servers report input validation as a tool error (isError), older ones as -32602.
    expect(error instanceof ToolCallError || error instanceof RpcError).toBe(true);
  });
});

describe('resources, prompts, completion, logging', () => {
  test('listResources, listResourceTemplates and readResource', async () => {
    const { resources } = await client.listResources();
    expect(resources.map((resource) => resource.uri)).toContain('archon://status');
    const { resourceTemplates } = await client.listResourceTemplates();
    expect(resourceTemplates.map((template) => template.uriTemplate)).toContain('archon://projects/{id}');
    const { contents } = await client.readResource('archon://projects/billing');
    expect(JSON.parse(String((contents[0] as { text: string }).text))).toMatchObject({ id: 'billing' });
  });

  test('reading an unknown resource is an RpcError', async () => {
    const error = await client.readResource('archon://projects/nope').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RpcError);
  });

  test('subscribeResource is remembered, delivers resources/updated on the GET stream, unsubscribe forgets', async () => {
    const updates: unknown[] = [];
    const off = client.on('notification', ({ method, params }) => {
      if (method === 'notifications/resources/updated') updates.push(params?.uri);
    });
    await client.subscribeResource('archon://status');
    expect([...client.subscriptions]).toEqual(['archon://status']);
    await waitFor(() => server.stats().byHttpMethod.GET !== undefined);
    await client.callTool('notify', { text: 'ping' });
    await waitFor(() => updates.length > 0);
    expect(updates).toEqual(['archon://status']);
    await client.unsubscribeResource('archon://status');
    expect(client.subscriptions.size).toBe(0);
    off();
  });

  test('listPrompts and getPrompt', async () => {
    const { prompts } = await client.listPrompts();
    expect(prompts.map((prompt) => prompt.name)).toContain('summarize_project');
    const { messages } = await client.getPrompt('summarize_project', { projectId: 'billing' });
    expect(JSON.stringify(messages)).toContain('Billing');
  });

  test('complete returns completion values', async () => {
    const { completion } = await client.complete({
      ref: { type: 'ref/prompt', name: 'summarize_project' },
      argument: { name: 'projectId', value: 'bil' },
    });
    expect(completion.values).toContain('billing');
  });

  test('setLoggingLevel and log notifications on the GET stream', async () => {
    const logs: unknown[] = [];
    const off = client.on('notification', ({ method, params }) => {
      if (method === 'notifications/message') logs.push(params?.data);
    });
    await client.setLoggingLevel('debug');
    await client.callTool('notify', { text: 'hello stream' });
    await waitFor(() => logs.includes('hello stream'));
    off();
  });

  test('ping resolves with a round trip in ms', async () => {
    expect(await client.ping()).toBeGreaterThanOrEqual(0);
  });
});
