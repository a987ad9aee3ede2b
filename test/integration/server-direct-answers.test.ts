/**
 * The direct SSE answer (server/sessions/direct-post.ts): a plain POST on a live 2025-era session is answered
 * straight into node:http's response instead of through the SDK transport's `Response` + `ReadableStream`.
 * It must be indistinguishable on the wire from the SDK's own answer, leave nothing behind in the transport,
 * stay resumable when the client leaves mid-answer, and hand every other shape to the SDK unchanged.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer } from '@modelcontextprotocol/server';
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import { z } from 'zod';
import { createSessionHandler, type SessionHandler } from '../../server/index';
import { checkDirectPostSupport, serveDirectPost } from '../../server/sessions/direct-post';
import { SessionTransport } from '../../server/sessions/session-transport';
import { APP_HEADER, RawMcpSession, readEvents } from '../support/server-raw-client';

/** Released by the test: the `slow` tool's answer waits for it. */
let releaseSlow: (() => void) | undefined;
let slowRuns = 0;

function buildServer(): McpServer {
  const server = new McpServer({ name: 'direct-answers', version: '1.0.0' });
  server.registerTool('echo', { inputSchema: z.object({ text: z.string() }) }, ({ text }) => ({ content: [{ type: 'text', text }] }));
  server.registerTool('slow', {}, async () => {
    slowRuns += 1;
    await new Promise<void>((resolve) => {
      releaseSlow = resolve;
    });
    return { content: [{ type: 'text', text: 'late' }] };
  });
  return server;
}

let mcp: SessionHandler;
let http: Server;
let url: string;

beforeAll(async () => {
  mcp = await createSessionHandler({ createServer: buildServer, store: 'memory' });
  http = createServer((req, res) => void mcp.handle(req, res));
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`;
});

afterAll(async () => {
  http.closeAllConnections();
  await new Promise((resolve) => http.close(resolve));
  await mcp.close();
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('direct SSE answers on node:http', () => {
  test('the start-up self-test passes on the installed SDK', async () => {
    expect(await checkDirectPostSupport()).toEqual({ ok: true });
  });

  test('tool calls on a live session skip the SDK transport handleRequest and answer exactly as it does', async () => {
    const session = await RawMcpSession.initialize(url, { appSessionId: 'direct-1' });
    const sdkPath = vi.spyOn(SessionTransport.prototype, 'handleRequest');
    const replies = [];
    for (let index = 0; index < 5; index += 1) replies.push(await session.request('tools/call', { name: 'echo', arguments: { text: `hi ${index}` } }));

    expect(sdkPath).toHaveBeenCalledTimes(0);
    for (const [index, reply] of replies.entries()) {
      expect(reply.status).toBe(200);
      expect(reply.headers.get('content-type')).toBe('text/event-stream');
      expect(reply.headers.get('cache-control')).toBe('no-cache, no-transform');
      expect(reply.headers.get('mcp-session-id')).toBe(session.sessionId);
      expect(reply.headers.get(APP_HEADER)).toBe('direct-1');
      // The SDK's framing: a priming event (resumption is on), then the answer as an `event: message` with an id.
      expect(reply.events).toHaveLength(2);
      expect(reply.events[0]?.data).toBe('');
      expect(reply.events[1]?.event).toBe('message');
      expect(reply.events[1]?.id).toMatch(/\S/);
      expect(reply.messages).toEqual([{ jsonrpc: '2.0', id: 100 + index, result: { content: [{ type: 'text', text: `hi ${index}` }] } }]);
    }
  });

  test('every other shape goes through the SDK transport: a batch, a notification, a wrong protocol version, initialize', async () => {
    const session = await RawMcpSession.initialize(url);
    const sdkPath = vi.spyOn(SessionTransport.prototype, 'handleRequest');

    const batch = await session.post([
      { jsonrpc: '2.0', id: 1, method: 'ping' },
      { jsonrpc: '2.0', id: 2, method: 'ping' },
    ]);
    const notification = await session.post({ jsonrpc: '2.0', method: 'notifications/roots/list_changed' });
    const badVersion = await session.request('ping', undefined, { 'mcp-protocol-version': '1999-01-01' });
    const again = await RawMcpSession.initialize(url);

    expect([batch.status, notification.status, badVersion.status]).toEqual([200, 202, 400]);
    expect(batch.messages.map((message) => message['id'])).toEqual([1, 2]);
    expect(again.sessionId).not.toBe(session.sessionId);
    // The batch, the notification, and the new session's initialize + notifications/initialized (the bad
    // version is refused by the endpoint before any transport, with the SDK's own message).
    expect(sdkPath).toHaveBeenCalledTimes(4);
  });

  test('a client that leaves mid-answer leaves no stream behind, and resuming from the priming event gets the answer', async () => {
    const session = await RawMcpSession.initialize(url);
    const runsBefore = slowRuns;
    const leave = new AbortController();
    const response = await fetch(url, {
      method: 'POST',
      headers: { ...session.headers(), 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'slow', arguments: {} } }),
      signal: leave.signal,
    });
    expect(response.status).toBe(200);
    const { events } = await readEvents(response, (all) => all.length >= 1, 5_000);
    const primingId = events[0]?.id;
    expect(primingId).toMatch(/\S/);
    leave.abort();
    await vi.waitFor(() => expect(releaseSlow).toBeDefined(), { timeout: 5_000 });
    const sends = vi.spyOn(SessionTransport.prototype, 'send');
    releaseSlow?.();
    releaseSlow = undefined;
    await vi.waitFor(() => expect(sends).toHaveBeenCalled(), { timeout: 5_000 });
    // The answer was stored for resumption; the transport holds no stream and no request mapping for it.
    const transport = sends.mock.contexts[0] as unknown as { _streamMapping: Map<string, unknown>; _requestToStreamMapping: Map<unknown, string> };
    await vi.waitFor(() => expect(transport._requestToStreamMapping.has(7)).toBe(false), { timeout: 5_000 });
    expect([...transport._streamMapping.keys()]).toEqual([]);

    const resumed = await session.get({ 'last-event-id': String(primingId) });
    expect(resumed.status).toBe(200);
    const replay = await readEvents(resumed, (all) => all.some((event) => event.data.includes('"id":7')), 5_000);
    expect(replay.timedOut).toBe(false);
    const answer = replay.events.find((event) => event.data.includes('"id":7'));
    expect(JSON.parse(answer?.data ?? '{}')).toEqual({ jsonrpc: '2.0', id: 7, result: { content: [{ type: 'text', text: 'late' }] } });
    expect(slowRuns - runsBefore).toBe(1);
  });
});

describe('serveDirectPost declines what it does not serve, without side effects', () => {
  async function initializedTransport(): Promise<{ transport: SessionTransport; server: McpServer }> {
    const server = buildServer();
    const transport = new SessionTransport(
      { sessionIdGenerator: () => 'unit' },
      { requestReceived: () => undefined, responseSent: () => undefined },
      { beforeResponse: () => undefined, interceptNotification: () => false },
    );
    await server.connect(transport);
    const init = await transport.handleRequest(
      new Request('http://localhost/mcp', { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' } }),
      { parsedBody: { jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'u', version: '1' } } } },
    );
    await init.text();
    return { transport, server };
  }

  const base = { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-session-id': 'unit' };
  const ping = { jsonrpc: '2.0' as const, id: 1, method: 'ping' };

  test.each([
    ['a batch', base, [ping, { ...ping, id: 2 }]],
    ['a notification', base, [{ jsonrpc: '2.0' as const, method: 'notifications/initialized' }]],
    ['initialize', base, [{ ...ping, method: 'initialize' }]],
    ['another session id', { ...base, 'mcp-session-id': 'other' }, [ping]],
    ['no text/event-stream in Accept', { ...base, accept: 'application/json' }, [ping]],
    ['a non-JSON Content-Type', { ...base, 'content-type': 'text/plain' }, [ping]],
    ['an unsupported protocol version', { ...base, 'mcp-protocol-version': '1999-01-01' }, [ping]],
  ])('%s', async (_name, headers, messages) => {
    await checkDirectPostSupport();
    const { transport, server } = await initializedTransport();
    let opened = 0;
    const served = await serveDirectPost(transport, new Request('http://localhost/mcp', { method: 'POST', headers }), messages, undefined, () => {
      opened += 1;
      return { enqueue: () => undefined, close: () => undefined };
    });
    expect(served).toBe(false);
    expect(opened).toBe(0);
    await server.close();
  });
});
