import { describe, expect, test } from 'vitest';
import { startReferenceServer } from '../../server/index';
import { RawMcpSession, readEvents } from '../support/server-raw-client';

const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

function messagesOf(events: { data: string }[]): Record<string, unknown>[] {
  return events.filter((event) => event.data.trim() !== '').map((event) => JSON.parse(event.data) as Record<string, unknown>);
}

function progressOf(messages: Record<string, unknown>[]): number[] {
  return messages
    .filter((message) => message['method'] === 'notifications/progress')
    .map((message) => (message['params'] as { progress: number }).progress);
}

async function waitFor(condition: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe('reference server SSE resumption (event store)', () => {
  test('a POST stream cut mid-call resumes with GET + Last-Event-ID: the rest of the progress, then the result', async () => {
    await using server = await startReferenceServer();
    const session = await RawMcpSession.initialize(server.url);
    server.faults.cutAfterEvents({ count: 2, rpcMethod: 'tools/call' });
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { ...session.headers(), ...JSON_HEADERS },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 41,
        method: 'tools/call',
        params: { name: 'slow', arguments: { steps: 4, intervalMs: 25 }, _meta: { progressToken: 'r' } },
      }),
    });
    const cut = await readEvents(response, () => false, 3_000);
    expect(cut.error).toBeInstanceOf(Error);
    const lastEventId = cut.events.at(-1)?.id;
    expect(lastEventId).toBeTruthy();

    const resumed = await session.get({ 'last-event-id': String(lastEventId) });
    expect(resumed.status).toBe(200);
    const replay = await readEvents(resumed, (events) => messagesOf(events).some((message) => message['id'] === 41), 3_000);
    const messages = messagesOf(replay.events);

    // The server lets 2 progress events out before the cut, but a client that reads slowly may lose the last
    // one: fetch drops chunks still queued in the body stream when it errors. Whatever the client saw last is
    // where the replay starts, so together they are every progress event exactly once.
    const seen = progressOf(messagesOf(cut.events));
    expect(seen.length).toBeGreaterThanOrEqual(1);
    expect(seen.length).toBeLessThanOrEqual(2);
    expect([...seen, ...progressOf(messages)]).toEqual([1, 2, 3, 4]);
    expect(messages.at(-1)).toMatchObject({ id: 41, result: { structuredContent: { steps: 4 } } });
    expect(server.stats().toolRuns).toEqual({ slow: 1 });
    expect(server.stats().byHttpMethod['GET']).toBe(1);
  });

  test('test_reconnection closes its own stream; the result arrives on the resumed GET', async () => {
    await using server = await startReferenceServer({ retryIntervalMs: 250 });
    const session = await RawMcpSession.initialize(server.url);
    const reply = await session.request('tools/call', { name: 'test_reconnection', arguments: { delayMs: 100 } });

    expect(reply.status).toBe(200);
    expect(reply.events).toHaveLength(1);
    expect(reply.text).toContain('retry: 250');
    expect(reply.messages).toEqual([]);
    const resumed = await session.get({ 'last-event-id': String(reply.events[0]?.id) });
    const replay = await readEvents(resumed, (events) => messagesOf(events).length > 0, 3_000);

    expect(messagesOf(replay.events)).toEqual([
      expect.objectContaining({
        result: {
          content: [
            {
              type: 'text',
              text: 'Reconnection test completed successfully. If you received this, the client properly reconnected after stream closure.',
            },
          ],
        },
      }),
    ]);
    expect(server.stats().toolRuns).toEqual({ test_reconnection: 1 });
  });

  test('notify sends log and resource-updated notifications on the GET stream, not on the POST stream', async () => {
    await using server = await startReferenceServer();
    const session = await RawMcpSession.initialize(server.url);
    await session.request('resources/subscribe', { uri: 'archon://status' });
    const stream = await session.get();
    const reading = readEvents(stream, (events) => messagesOf(events).length >= 2, 3_000);
    const reply = await session.callTool('notify', { text: 'hello stream' });

    expect(reply['structuredContent']).toEqual({ logged: true, resourcesUpdated: ['archon://status'] });
    const { events } = await reading;
    expect(messagesOf(events)).toEqual([
      { jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', logger: 'archon', data: 'hello stream' } },
      { jsonrpc: '2.0', method: 'notifications/resources/updated', params: { uri: 'archon://status' } },
    ]);
  });

  test('GET stream notifications sent while disconnected are replayed after Last-Event-ID', async () => {
    await using server = await startReferenceServer();
    const session = await RawMcpSession.initialize(server.url);
    const first = await session.get();
    const reading = readEvents(first, (events) => messagesOf(events).length >= 1, 3_000);
    await session.callTool('notify', { text: 'one' });
    const seen = await reading;
    const cursor = seen.events.at(-1)?.id;
    expect(cursor).toBeTruthy();
    // The client-side cancel must reach the server first, or the resume would conflict (409) with it.
    await waitFor(() => server.stats().openResponses === 0);
    expect(server.stats().openResponses).toBe(0);

    await session.callTool('notify', { text: 'two' });
    await session.callTool('notify', { text: 'three' });
    const resumed = await session.get({ 'last-event-id': String(cursor) });
    const replay = await readEvents(resumed, (events) => messagesOf(events).length >= 2, 3_000);

    expect(messagesOf(replay.events).map((message) => (message['params'] as { data: string }).data)).toEqual(['two', 'three']);
  });

  test('an unknown Last-Event-ID is refused with 400', async () => {
    await using server = await startReferenceServer();
    const session = await RawMcpSession.initialize(server.url);
    const other = await RawMcpSession.initialize(server.url);
    const stream = await other.get();
    const reading = readEvents(stream, (events) => messagesOf(events).length >= 1, 3_000);
    await other.callTool('notify', { text: 'private' });
    const foreignId = (await reading).events.at(-1)?.id;

    // Another session's event id: the store is scoped per session, so it is unknown here.
    const response = await session.get({ 'last-event-id': String(foreignId) });
    expect(response.status).toBe(400);
    await response.body?.cancel();
  });

  test('without an event store there are no priming events and test_reconnection answers inline', async () => {
    await using server = await startReferenceServer({ eventStore: false });
    const session = await RawMcpSession.initialize(server.url);
    const reply = await session.request('tools/call', { name: 'test_reconnection', arguments: { delayMs: 10 } });

    expect(reply.events.every((event) => event.id === undefined)).toBe(true);
    expect(reply.messages.at(-1)).toMatchObject({
      result: {
        content: [{ type: 'text', text: 'Reconnection test completed without closing the stream: the server has no event store.' }],
      },
    });
  });
});
