/**
 * Session headers, close(), sockets, `await using`, abort and timeouts against the real reference server.
 */
import diagnostics from 'node:diagnostics_channel';
import type { Socket } from 'node:net';
import { Agent, type Dispatcher } from 'undici';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { AbortError, ClosedError, MCPClient, TimeoutError } from '../../src/index';
import { type ReferenceServer, startServer, waitFor } from '../transport/wire-fixture';

let server: ReferenceServer;

beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server.close();
});

/** Records every TCP socket created in this process (client side and server side) while active. */
function recordSockets(): { sockets: Socket[]; stop(): void } {
  const sockets: Socket[] = [];
  const onSocket = (message: unknown): void => {
    sockets.push((message as { socket: Socket }).socket);
  };
  diagnostics.subscribe('net.client.socket', onSocket);
  diagnostics.subscribe('net.server.socket', onSocket);
  return {
    sockets,
    stop: () => {
      diagnostics.unsubscribe('net.client.socket', onSocket);
      diagnostics.unsubscribe('net.server.socket', onSocket);
    },
  };
}

describe('the application session header', () => {
  test('is identical on every request: initialize, notifications, calls, GET, DELETE', async () => {
    const sessionId = 'app-session-0001';
    const client = new MCPClient({ era: 'legacy', url: server.url, sessionId });
    const seenBefore = server.stats().appSessionIds.length;
    await client.callTool('echo', { text: 'a' });
    await waitFor(() => (server.stats().byHttpMethod.GET ?? 0) > 0);
    await client.close();
    const seen = server.stats().appSessionIds.slice(seenBefore);
    // initialize, notifications/initialized, tools/call, GET, DELETE at least.
    expect(seen.length).toBeGreaterThanOrEqual(5);
    expect(new Set(seen)).toEqual(new Set([sessionId]));
    expect(client.sessionId).toBe(sessionId);
    // Spec 2025-11-25: MCP-Protocol-Version on every request after initialize (the last one was the DELETE).
    expect(server.stats().lastHeaders['mcp-protocol-version']).toBe('2025-11-25');
  });

  test('is adopted, with a session event, when the server answers with another one', async () => {
    const sessionId = 'app-session-expired-1';
    const first = new MCPClient({ era: 'legacy', url: server.url, sessionId, listen: false });
    await first.ping();
    await server.faults.expireSession(first.mcpSessionId);
    await first.close();

    const second = new MCPClient({ era: 'legacy', url: server.url, sessionId, listen: false });
    const events: { sessionId: string; previousSessionId: string }[] = [];
    second.on('session', (event) => events.push(event));
    await second.ping();
    expect(events).toHaveLength(1);
    expect(events[0]?.previousSessionId).toBe(sessionId);
    expect(second.sessionId).toBe(events[0]?.sessionId);
    expect(second.sessionId).not.toBe(sessionId);
    await second.ping();
    expect(server.stats().lastHeaders['x-archon-session-id']).toBe(second.sessionId);
    await second.close();
  });

  test('custom headers go out on every request; their values are never logged', async () => {
    const lines: string[] = [];
    const logger = { warn: (fields: object, message: string) => lines.push(JSON.stringify(fields) + message) };
    await using client = new MCPClient({ era: 'legacy', url: server.url, headers: { 'X-Custom': 'yes', Authorization: 'Bearer secret-token' }, logger, listen: false });
    await client.ping();
    expect(server.stats().lastHeaders['x-custom']).toBe('yes');
    expect(lines.join('\n')).not.toContain('secret-token');
  });
});

describe('seams', () => {
  test('a caller-owned undici dispatcher carries every request and survives close()', async () => {
    class CountingAgent extends Agent {
      dispatched = 0;
      override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
        this.dispatched++;
        return super.dispatch(options, handler);
      }
    }
    const agent = new CountingAgent();
    try {
      const client = new MCPClient({ era: 'legacy', url: server.url, dispatcher: agent, listen: false });
      await client.callTool('echo', { text: 'own agent' });
      await client.close();
      expect(agent.dispatched).toBe(5); // initialize, initialized, tools/list (first call), tools/call, DELETE
      expect(agent.destroyed).toBe(false);
    } finally {
      await agent.close();
    }
  });

  test('nothing is printed without a logger, even when things fail', async () => {
    const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((name) => vi.spyOn(console, name));
    try {
      const client = new MCPClient({ era: 'legacy', url: server.url, retry: { retries: 1, minDelayMs: 1, maxDelayMs: 1 } });
      await client.ping();
      server.faults.failNext({ count: 1, status: 503, retryAfter: 0, match: { rpcMethod: 'tools/call' } });
      await client.callTool('echo', { text: 'quiet' });
      server.faults.cutStreams();
      await client.close();
      for (const spy of spies) expect(spy).not.toHaveBeenCalled();
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
  });
});

describe('close()', () => {
  test('sends one DELETE even when called twice, and later calls reject with ClosedError', async () => {
    const client = new MCPClient({ era: 'legacy', url: server.url });
    await client.ping();
    const before = server.stats();
    await Promise.all([client.close(), client.close()]);
    await client.close();
    const after = server.stats();
    expect(after.deleteCount).toBe(before.deleteCount + 1);
    await expect(client.ping()).rejects.toBeInstanceOf(ClosedError);
    expect(server.stats().requests).toBe(after.requests);
  });

  test('rejects an in-flight call at once with ClosedError', async () => {
    const client = new MCPClient({ era: 'legacy', url: server.url, listen: false });
    await client.ping();
    const call = client.callTool('slow', { steps: 50, intervalMs: 100 });
    const outcome = call.catch((error: unknown) => error);
    await waitFor(() => (server.stats().toolRuns.slow ?? 0) > 0);
    const started = performance.now();
    let rejectedAt = Number.POSITIVE_INFINITY;
    void outcome.then(() => (rejectedAt = performance.now()));
    await client.close();
    const closedAt = performance.now();
    expect(await outcome).toBeInstanceOf(ClosedError);
    // Rejected before close() finished its DELETE, and long before the tool's 5 s of work would end.
    expect(rejectedAt).toBeLessThanOrEqual(closedAt);
    expect(closedAt - started).toBeLessThan(4_000);
  });

  test('leaves no TCP socket open (GET stream and pool included)', async () => {
    const recorder = recordSockets();
    const client = new MCPClient({ era: 'legacy', url: server.url });
    const getsBefore = server.stats().byHttpMethod.GET ?? 0;
    await client.callTool('echo', { text: 'sockets' });
    await waitFor(() => (server.stats().byHttpMethod.GET ?? 0) > getsBefore);
    recorder.stop();
    const open = (): number => recorder.sockets.filter((socket) => !socket.destroyed).length;
    // Two client sockets (POST pool + the GET stream) and their two server ends.
    expect(recorder.sockets.length).toBeGreaterThanOrEqual(4);
    expect(open()).toBeGreaterThanOrEqual(4);
    await client.close();
    await waitFor(() => open() === 0);
    expect(open()).toBe(0);
  });

  test('sequential calls answered over SSE reuse one keep-alive socket', async () => {
    const recorder = recordSockets();
    await using client = new MCPClient({ era: 'legacy', url: server.url, listen: false });
    for (let call = 0; call < 20; call++) await client.callTool('echo', { text: `reuse ${call}` });
    recorder.stop();
    const clientSockets = recorder.sockets.filter((socket) => socket.remotePort !== undefined && String(socket.remotePort) === new URL(server.url).port);
    // One pooled keep-alive connection (a second may open while the first is being returned to the pool).
    expect(clientSockets.length).toBeGreaterThanOrEqual(1);
    expect(clientSockets.length).toBeLessThanOrEqual(2);
  });

  test('await using closes the client at the end of the scope', async () => {
    const before = server.stats().deleteCount;
    let escaped: MCPClient | undefined;
    {
      await using client = new MCPClient({ era: 'legacy', url: server.url, listen: false });
      await client.ping();
      escaped = client;
    }
    expect(escaped.state).toBe('closed');
    expect(server.stats().deleteCount).toBe(before + 1);
  });

  test('a client that never connected closes without any request', async () => {
    const before = server.stats().requests;
    const client = new MCPClient({ era: 'legacy', url: server.url });
    await client.close();
    expect(client.state).toBe('closed');
    expect(server.stats().requests).toBe(before);
  });
});

describe('abort and timeout', () => {
  test('a user abort rejects with AbortError (cause = reason) and sends notifications/cancelled', async () => {
    await using client = new MCPClient({ era: 'legacy', url: server.url, listen: false });
    await client.ping();
    const cancelledBefore = server.stats().byRpcMethod['notifications/cancelled'] ?? 0;
    const slowBefore = server.stats().toolRuns.slow ?? 0;
    const controller = new AbortController();
    const call = client.callTool('slow', { steps: 50, intervalMs: 50 }, { signal: controller.signal }).catch((error: unknown) => error);
    await waitFor(() => (server.stats().toolRuns.slow ?? 0) > slowBefore);
    const reason = new Error('user navigated away');
    controller.abort(reason);
    const error = await call;
    expect(error).toBeInstanceOf(AbortError);
    expect((error as AbortError).cause).toBe(reason);
    await waitFor(() => (server.stats().byRpcMethod['notifications/cancelled'] ?? 0) === cancelledBefore + 1);
  });

  test('an already-aborted signal rejects without sending the call', async () => {
    await using client = new MCPClient({ era: 'legacy', url: server.url, listen: false });
    await client.ping();
    const before = server.stats().byRpcMethod['tools/call'] ?? 0;
    await expect(client.callTool('echo', { text: 'x' }, { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(AbortError);
    expect(server.stats().byRpcMethod['tools/call'] ?? 0).toBe(before);
  });

  test('the per-attempt timeout rejects with TimeoutError and sends notifications/cancelled', async () => {
    await using client = new MCPClient({ era: 'legacy', url: server.url, listen: false, retry: false });
    await client.ping();
    const cancelledBefore = server.stats().byRpcMethod['notifications/cancelled'] ?? 0;
    const error = await client.callTool('slow', { steps: 50, intervalMs: 50 }, { timeoutMs: 150 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ kind: 'attempt', timeoutMs: 150 });
    await waitFor(() => (server.stats().byRpcMethod['notifications/cancelled'] ?? 0) === cancelledBefore + 1);
  });
});
