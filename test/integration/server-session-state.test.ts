/**
 * Issue 12, "Per-session state survives adoption": subscriptions, the logging level and the client's
 * capabilities are saved with the session record (durable before the client is told) and restored when
 * another process adopts the session; a change then reaches the adopted session by the SDK's own route
 * (`sendResourceUpdated` inside a tool) and by `mcp.notify.resourceUpdated(uri)`.
 */
import { describe, expect, test } from 'vitest';
import { createMemoryStores, startReferenceServer } from '../../server/index';
import { startLibraryServer } from '../support/server-library';
import { openListen, postModern } from '../support/server-modern-client';
import { createNotesApp, NOTES_URI } from '../support/server-notes-app';
import { RawMcpSession, readEvents } from '../support/server-raw-client';

function updatesOf(events: { data: string }[]): string[] {
  return events.flatMap((event) => {
    if (event.data.trim() === '') return [];
    const message = JSON.parse(event.data) as { method?: string; params?: { uri?: string } };
    return message.method === 'notifications/resources/updated' ? [String(message.params?.uri)] : [];
  });
}

describe('per-session state survives adoption', () => {
  test('a subscription is saved before the subscribe call is answered', async () => {
    const stores = await createMemoryStores();
    await using server = await startLibraryServer({ createServer: createNotesApp().createServer, store: stores });
    const session = await RawMcpSession.initialize(server.url);
    expect((await session.request('resources/subscribe', { uri: NOTES_URI })).status).toBe(200);

    expect((await stores.sessions.get(session.sessionId))?.state).toEqual({ subscriptions: [NOTES_URI], loggingLevel: null });
    expect((await session.request('logging/setLevel', { level: 'warning' })).status).toBe(200);
    expect((await session.request('resources/unsubscribe', { uri: NOTES_URI })).status).toBe(200);
    expect((await stores.sessions.get(session.sessionId))?.state).toEqual({ subscriptions: [], loggingLevel: 'warning' });
  });

  test('after adoption by another instance the subscription is restored: the SDK route and mcp.notify both reach it', async () => {
    const stores = await createMemoryStores();
    const app = createNotesApp();
    await using a = await startLibraryServer({ createServer: app.createServer, store: stores });
    await using b = await startLibraryServer({ createServer: app.createServer, store: stores });
    const session = await RawMcpSession.initialize(a.url, { capabilities: { roots: { listChanged: true } } });
    await session.request('resources/subscribe', { uri: NOTES_URI });
    await a.close();

    const onB = session.on(b.url);
    // YOUR server instance on B knows the client as A's did.
    expect((await onB.callTool('whoami'))['structuredContent']).toMatchObject({ clientCapabilities: { roots: { listChanged: true } } });
    const stream = await onB.get();
    expect(stream.status).toBe(200);
    expect(b.mcp.stats().sessionsAdopted).toBe(1);
    expect(app.built.legacy).toBe(2);
    const received = readEvents(stream, (events) => updatesOf(events).length >= 3, 5_000);
    // Route 1: a tool calls sendResourceUpdated on its own server instance (a modern request's tool, too).
    await onB.callTool('add_note', { text: 'after restart' });
    await postModern(b.url, 'tools/call', { name: 'add_note', arguments: { text: 'from 2026' } });
    // Route 2: a change made outside any request.
    b.mcp.notify.resourceUpdated(NOTES_URI);
    b.mcp.notify.resourceUpdated('notes://not-subscribed');

    const { events, timedOut } = await received;
    expect(timedOut).toBe(false);
    expect(updatesOf(events)).toEqual([NOTES_URI, NOTES_URI, NOTES_URI]);
  });

  test("the client's capabilities and logging level come back with the adopted session", async () => {
    const stores = await createMemoryStores();
    await using a = await startReferenceServer({ store: stores });
    await using b = await startReferenceServer({ store: stores });
    const session = await RawMcpSession.initialize(a.url, { capabilities: { roots: { listChanged: true }, elicitation: {} } });
    await session.request('logging/setLevel', { level: 'error' });
    await a.close();

    const onB = session.on(b.url);
    const stream = await onB.get();
    const received = readEvents(stream, (events) => events.some((event) => event.data.includes('"level":"error"')), 5_000);
    // Filtered by the restored level: the info message is dropped, the error one arrives.
    await onB.callTool('notify', { text: 'quiet', level: 'info' });
    await onB.callTool('notify', { text: 'loud', level: 'error' });
    const { events, timedOut } = await received;

    expect(timedOut).toBe(false);
    expect(events.map((event) => event.data).filter((data) => data.includes('notifications/message'))).toEqual([
      expect.stringContaining('"data":"loud"'),
    ]);
    const record = await stores.sessions.get(session.sessionId);
    expect(record?.initializeParams).toMatchObject({ capabilities: { roots: { listChanged: true }, elicitation: {} } });
    expect(record?.state).toEqual({ subscriptions: [], loggingLevel: 'error' });
  });

  test('one change reaches every subscriber, both eras: legacy GET streams and a modern listen stream', async () => {
    const app = createNotesApp();
    await using server = await startLibraryServer({ createServer: app.createServer });
    const subscribed = await RawMcpSession.initialize(server.url);
    const bystander = await RawMcpSession.initialize(server.url);
    await subscribed.request('resources/subscribe', { uri: NOTES_URI });
    const legacyStream = await subscribed.get();
    const bystanderStream = await bystander.get();
    const controller = new AbortController();
    const listen = await openListen(server.url, { resourceSubscriptions: [NOTES_URI] }, controller.signal);
    expect(listen.status).toBe(200);
    const legacy = readEvents(legacyStream, (events) => updatesOf(events).length >= 1, 5_000);
    const modern = readEvents(listen, (events) => updatesOf(events).length >= 1, 5_000);
    const quiet = readEvents(bystanderStream, (events) => updatesOf(events).length >= 1, 300);

    await bystander.callTool('add_note', { text: 'seen by subscribers only' });

    expect(updatesOf((await legacy).events)).toEqual([NOTES_URI]);
    expect(updatesOf((await modern).events)).toEqual([NOTES_URI]);
    expect(updatesOf((await quiet).events)).toEqual([]);
    controller.abort();
  });

  test('mcp.notify list changes reach the GET streams of sessions whose server announces them', async () => {
    await using server = await startReferenceServer();
    const session = await RawMcpSession.initialize(server.url);
    const stream = await session.get();
    const received = readEvents(stream, (events) => events.filter((event) => event.data.includes('list_changed')).length >= 2, 5_000);
    server.handler.notify.toolsChanged();
    server.handler.notify.promptsChanged();

    const { events } = await received;
    expect(events.map((event) => (JSON.parse(event.data) as { method: string }).method).filter((method) => method.endsWith('list_changed'))).toEqual([
      'notifications/tools/list_changed',
      'notifications/prompts/list_changed',
    ]);
  });
});
