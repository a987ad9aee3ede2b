/**
 * Issue 12, "Memory per session": an idle legacy session (no request in flight, no open stream) releases its
 * McpServer + transport after `idleServerMs` and gets a new pair on its next request, rebuilt from what the
 * process holds (no store read), with `initialize`, the logging level and the subscriptions replayed. Counted:
 * live pairs, factory calls, store reads; never bytes (the bench measures those).
 */
import { describe, expect, test } from 'vitest';
import { createMemoryStores, type Stores } from '../../server/index';
import { startLibraryServer } from '../support/server-library';
import { createNotesApp, NOTES_URI } from '../support/server-notes-app';
import { RawMcpSession, readEvents } from '../support/server-raw-client';

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return true;
}

/** A memory store whose session reads are counted. */
async function countedStores(): Promise<{ stores: Stores; gets: () => number }> {
  const stores = await createMemoryStores();
  let gets = 0;
  const get = stores.sessions.get.bind(stores.sessions);
  stores.sessions.get = (sessionId) => {
    gets += 1;
    return get(sessionId);
  };
  return { stores, gets: () => gets };
}

const IDLE_SERVER_MS = 60;

describe('idle session servers', () => {
  test('idle sessions release their server instances; the sessions stay valid and rebuild one each, without a store read', async () => {
    const app = createNotesApp();
    const counted = await countedStores();
    await using server = await startLibraryServer({ createServer: app.createServer, store: counted.stores, idleServerMs: IDLE_SERVER_MS, sessionCacheMs: 60_000 });
    const sessions = await Promise.all(Array.from({ length: 12 }, () => RawMcpSession.initialize(server.url)));
    expect(server.mcp.stats()).toMatchObject({ liveSessions: 12 });

    expect(await waitFor(() => server.mcp.stats().liveServers === 0)).toBe(true);
    expect(server.mcp.stats()).toMatchObject({ liveSessions: 12, liveServers: 0 });
    const readsBefore = counted.gets();
    const built = app.built.legacy;
    const rebuilt = server.mcp.stats().serversRebuilt;

    const replies = await Promise.all(sessions.map((session) => session.callTool('list_notes')));

    expect(replies.map((reply) => reply['structuredContent'])).toEqual(sessions.map(() => ({ notes: [] })));
    expect(app.built.legacy - built).toBe(12);
    expect(server.mcp.stats().serversRebuilt - rebuilt).toBe(12);
    expect(server.mcp.stats().liveSessions).toBe(12);
    expect(counted.gets() - readsBefore).toBe(0);
  });

  test('concurrent requests of an idle session share one rebuilt server', async () => {
    const app = createNotesApp();
    await using server = await startLibraryServer({ createServer: app.createServer, idleServerMs: IDLE_SERVER_MS });
    const session = await RawMcpSession.initialize(server.url);
    expect(await waitFor(() => server.mcp.stats().liveServers === 0)).toBe(true);
    const built = app.built.legacy;

    const replies = await Promise.all(Array.from({ length: 5 }, () => session.request('ping')));

    expect(replies.map((reply) => reply.status)).toEqual([200, 200, 200, 200, 200]);
    expect(app.built.legacy - built).toBe(1);
  });

  test('the rebuilt server has the session state: client capabilities from initialize, the subscription and the logging level', async () => {
    const app = createNotesApp();
    await using server = await startLibraryServer({ createServer: app.createServer, idleServerMs: IDLE_SERVER_MS });
    const session = await RawMcpSession.initialize(server.url, { capabilities: { roots: { listChanged: true } } });
    expect((await session.request('resources/subscribe', { uri: NOTES_URI })).status).toBe(200);
    expect((await session.request('logging/setLevel', { level: 'warning' })).status).toBe(200);
    const stream = await session.get();
    const reading = readEvents(stream, (events) => events.length >= 1, 2_000);
    await server.mcp.notify.resourceUpdated(NOTES_URI);
    const cursor = (await reading).events.at(-1)?.id;
    expect(cursor).toBeTruthy();
    expect(await waitFor(() => server.mcp.stats().liveServers === 0)).toBe(true);

    // Made while the session has no server: it goes to the session's event store, as on a disconnected GET stream.
    await server.mcp.notify.resourceUpdated(`${NOTES_URI}?unsubscribed`);
    await server.mcp.notify.resourceUpdated(NOTES_URI);
    const whoami = await session.callTool('whoami');
    const resumed = await session.get({ 'last-event-id': String(cursor) });
    const replayed = await readEvents(resumed, (events) => events.some((event) => event.data.includes('resources/updated')), 2_000);

    expect(whoami['structuredContent']).toMatchObject({ sessionId: session.sessionId, clientCapabilities: { roots: { listChanged: true } } });
    expect(replayed.events.filter((event) => event.data.includes('resources/updated')).map((event) => JSON.parse(event.data))).toEqual([
      { jsonrpc: '2.0', method: 'notifications/resources/updated', params: { uri: NOTES_URI } },
    ]);
    expect(server.mcp.stats().serversRebuilt).toBeGreaterThanOrEqual(1);
  });

  test('an open GET stream keeps the server; it is released once the stream ends', async () => {
    const app = createNotesApp();
    await using server = await startLibraryServer({ createServer: app.createServer, idleServerMs: IDLE_SERVER_MS });
    const session = await RawMcpSession.initialize(server.url);
    const abort = new AbortController();
    const stream = await session.get({}, abort.signal);
    expect(stream.status).toBe(200);

    await new Promise((resolve) => setTimeout(resolve, IDLE_SERVER_MS * 5));
    expect(server.mcp.stats().liveServers).toBe(1);

    abort.abort();
    expect(await waitFor(() => server.mcp.stats().liveServers === 0)).toBe(true);
    expect(server.mcp.stats().liveSessions).toBe(1);
  });

  test('a DELETE of an idle session ends it without rebuilding more than the pair that answers it', async () => {
    const app = createNotesApp();
    await using server = await startLibraryServer({ createServer: app.createServer, idleServerMs: IDLE_SERVER_MS });
    const session = await RawMcpSession.initialize(server.url);
    expect(await waitFor(() => server.mcp.stats().liveServers === 0)).toBe(true);
    const rebuilt = server.mcp.stats().serversRebuilt;

    expect((await session.delete()).status).toBe(200);

    expect(server.mcp.stats()).toMatchObject({ liveSessions: 0, liveServers: 0, serversRebuilt: rebuilt + 1 });
    expect((await session.request('ping')).status).toBe(404);
  });
});
