import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { startReferenceServer } from '../../server/index';
import { RawMcpSession, readEvents } from '../support/server-raw-client';

type Tool = { name: string; annotations?: Record<string, unknown>; outputSchema?: unknown };

function resultOf(reply: { messages: Record<string, unknown>[] }): Record<string, unknown> {
  return reply.messages.at(-1)?.['result'] as Record<string, unknown>;
}

describe('reference server tools and surface', () => {
  test('tools/list announces every test tool with the annotations replay decisions rely on', async () => {
    await using server = await startReferenceServer();
    const session = await RawMcpSession.initialize(server.url);
    const tools = resultOf(await session.request('tools/list'))['tools'] as Tool[];
    const byName = new Map(tools.map((tool) => [tool.name, tool]));

    expect([...byName.keys()].sort()).toEqual(
      ['counter', 'echo', 'fail', 'find_projects', 'health_check', 'notify', 'session_health_check', 'slow', 'test_reconnection'],
    );
    expect(byName.get('counter')?.annotations).toEqual({ readOnlyHint: false, idempotentHint: false, destructiveHint: false });
    expect(byName.get('find_projects')?.annotations).toMatchObject({ readOnlyHint: true });
    expect(byName.get('find_projects')?.outputSchema).toMatchObject({ type: 'object', required: ['projects', 'total'] });
    expect(byName.get('echo')?.annotations).toMatchObject({ readOnlyHint: true });
  });

  test('echo returns the text as content and structured content', async () => {
    await using server = await startReferenceServer();
    const session = await RawMcpSession.initialize(server.url);
    const result = await session.callTool('echo', { text: 'hello' });

    expect(result).toEqual({ content: [{ type: 'text', text: 'hello' }], structuredContent: { text: 'hello' } });
    expect(server.stats().toolRuns).toEqual({ echo: 1 });
  });

  test('find_projects filters by query with a limit and a total', async () => {
    await using server = await startReferenceServer();
    const session = await RawMcpSession.initialize(server.url);
    const all = (await session.callTool('find_projects', { query: 'auth' }))['structuredContent'];
    const limited = (await session.callTool('find_projects', { query: 'auth', limit: 1 }))['structuredContent'];

    expect(all).toEqual({
      projects: [
        { id: 'auth-service', name: 'Auth service', description: 'OAuth 2.1 login, tokens and session auth' },
        { id: 'mcp-gateway', name: 'MCP gateway', description: 'Routes MCP sessions to tool servers with auth' },
      ],
      total: 2,
    });
    expect(limited).toMatchObject({ total: 2, projects: [{ id: 'auth-service' }] });
  });

  test('health_check reports ok, uptime and live sessions', async () => {
    await using server = await startReferenceServer();
    const session = await RawMcpSession.initialize(server.url);
    await RawMcpSession.initialize(server.url);
    const report = (await session.callTool('health_check'))['structuredContent'];

    expect(report).toMatchObject({ status: 'ok', sessions: 2 });
  });

  test('fail answers a tool result with isError, not a protocol error', async () => {
    await using server = await startReferenceServer();
    const session = await RawMcpSession.initialize(server.url);
    const result = await session.callTool('fail', { message: 'boom' });

    expect(result).toEqual({ content: [{ type: 'text', text: 'boom' }], isError: true });
  });

  test('counter counts every execution in-process and in the counter file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'archon-counter-'));
    const counterFile = join(dir, 'counter.log');
    try {
      await using server = await startReferenceServer({ counterFile });
      const session = await RawMcpSession.initialize(server.url);
      await session.callTool('counter', { key: 'a' });
      await session.callTool('counter', { key: 'a' });
      const third = await session.callTool('counter', { key: 'b', delayMs: 20 });

      expect(third['structuredContent']).toEqual({ key: 'b', value: 1, executions: 3 });
      expect(readFileSync(counterFile, 'utf8')).toBe('a\na\nb\n');
      expect(server.stats().toolRuns).toEqual({ counter: 3 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('slow reports progress once per step when given a progress token', async () => {
    await using server = await startReferenceServer();
    const session = await RawMcpSession.initialize(server.url);
    const reply = await session.request('tools/call', {
      name: 'slow',
      arguments: { steps: 3, intervalMs: 10 },
      _meta: { progressToken: 'p1' },
    });
    const progress = reply.messages.filter((message) => message['method'] === 'notifications/progress');

    expect(progress.map((message) => message['params'])).toEqual([
      { progressToken: 'p1', progress: 1, total: 3, message: 'step 1 of 3' },
      { progressToken: 'p1', progress: 2, total: 3, message: 'step 2 of 3' },
      { progressToken: 'p1', progress: 3, total: 3, message: 'step 3 of 3' },
    ]);
    expect(resultOf(reply)['structuredContent']).toEqual({ steps: 3 });
  });

  test('slow stops when the request is cancelled', async () => {
    await using server = await startReferenceServer();
    const session = await RawMcpSession.initialize(server.url);
    const call = fetch(server.url, {
      method: 'POST',
      headers: { ...session.headers(), 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 'slow-1',
        method: 'tools/call',
        params: { name: 'slow', arguments: { steps: 50, intervalMs: 20 }, _meta: { progressToken: 'p' } },
      }),
    });
    const response = await call;
    const first = await readEvents(response, (events) => events.some((event) => event.data.includes('progress')), 2_000);
    expect(first.timedOut).toBe(false);
    const cancelled = await session.post({
      jsonrpc: '2.0',
      method: 'notifications/cancelled',
      params: { requestId: 'slow-1', reason: 'test' },
    });

    expect(cancelled.status).toBe(202);
    // A cancelled request gets no response (MCP cancellation spec); the tool sees its abort signal.
    const deadline = Date.now() + 2_000;
    while (server.stats().toolCancellations['slow'] !== 1 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(server.stats().toolCancellations).toEqual({ slow: 1 });
    expect(server.stats().toolRuns).toEqual({ slow: 1 });
    const again = await session.request('tools/call', { name: 'echo', arguments: { text: 'still alive' } });
    expect(resultOf(again)['structuredContent']).toEqual({ text: 'still alive' });
  });

  test('resources, templates, subscribe, prompts, completion, logging and ping all answer', async () => {
    await using server = await startReferenceServer();
    const session = await RawMcpSession.initialize(server.url);

    const resources = resultOf(await session.request('resources/list'))['resources'] as { uri: string }[];
    expect(resources.map((resource) => resource.uri)).toContain('archon://status');
    expect(resources.map((resource) => resource.uri)).toContain('archon://projects/billing');
    const read = resultOf(await session.request('resources/read', { uri: 'archon://projects/billing' }));
    expect(read['contents']).toEqual([
      {
        uri: 'archon://projects/billing',
        mimeType: 'application/json',
        text: JSON.stringify({ id: 'billing', name: 'Billing', description: 'Invoices, payments and refunds' }),
      },
    ]);
    const templates = resultOf(await session.request('resources/templates/list'))['resourceTemplates'];
    expect(templates).toEqual([expect.objectContaining({ uriTemplate: 'archon://projects/{id}' })]);
    expect(resultOf(await session.request('resources/subscribe', { uri: 'archon://status' }))).toEqual({});
    expect(resultOf(await session.request('resources/unsubscribe', { uri: 'archon://status' }))).toEqual({});

    const prompts = resultOf(await session.request('prompts/list'))['prompts'];
    expect(prompts).toEqual([expect.objectContaining({ name: 'summarize_project' })]);
    const prompt = resultOf(await session.request('prompts/get', { name: 'summarize_project', arguments: { projectId: 'billing' } }));
    expect(prompt['messages']).toEqual([
      { role: 'user', content: { type: 'text', text: 'Summarize Billing: Invoices, payments and refunds.' } },
    ]);
    const completion = resultOf(
      await session.request('completion/complete', {
        ref: { type: 'ref/prompt', name: 'summarize_project' },
        argument: { name: 'projectId', value: 'a' },
      }),
    );
    expect(completion['completion']).toMatchObject({ values: ['auth-service'] });
    expect(resultOf(await session.request('logging/setLevel', { level: 'warning' }))).toEqual({});
    expect(resultOf(await session.request('ping'))).toEqual({});
  });
});
