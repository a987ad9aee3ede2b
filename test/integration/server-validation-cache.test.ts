/**
 * Issue 12, "Speed", as far as the session layer shapes it: validation is served from an in-process cache (the
 * store stays the source of truth on a miss and on adoption), activity and request records are written behind
 * in batches with bounded staleness and flushed on shutdown, and nothing the contract calls durable (session
 * creation, subscriptions) is acknowledged before it is. Counted on a real store whose calls are observed.
 */
import { describe, expect, test } from 'vitest';
import { createMemoryStores, startReferenceServer, type SessionTouch, type Stores } from '../../server/index';
import { startLibraryServer } from '../support/server-library';
import { createNotesApp } from '../support/server-notes-app';
import { RawMcpSession } from '../support/server-raw-client';

interface Observed {
  stores: Stores;
  gets: () => number;
  touchBatches: SessionTouch[][];
}

/** A memory store whose reads and batched writes are counted. */
async function observedStores(): Promise<Observed> {
  const stores = await createMemoryStores();
  let gets = 0;
  const touchBatches: SessionTouch[][] = [];
  const get = stores.sessions.get.bind(stores.sessions);
  const touchMany = stores.sessions.touchMany.bind(stores.sessions);
  stores.sessions.get = (sessionId) => {
    gets += 1;
    return get(sessionId);
  };
  stores.sessions.touchMany = (touches) => {
    touchBatches.push([...touches]);
    return touchMany(touches);
  };
  return { stores, gets: () => gets, touchBatches };
}

const createServer = () => createNotesApp().createServer;

describe('validation cache', () => {
  test('requests of a live session are validated from memory: no store read within sessionCacheMs', async () => {
    const observed = await observedStores();
    await using server = await startLibraryServer({ createServer: createServer(), store: observed.stores, sessionCacheMs: 60_000 });
    const session = await RawMcpSession.initialize(server.url);
    const before = observed.gets();
    for (let n = 0; n < 10; n += 1) expect((await session.request('ping')).status).toBe(200);

    expect(observed.gets() - before).toBe(0);
  });

  test('a miss (another instance) reads the store once, and staleness is bounded by sessionCacheMs', async () => {
    const observed = await observedStores();
    await using a = await startLibraryServer({ createServer: createServer(), store: observed.stores, sessionCacheMs: 300 });
    await using b = await startLibraryServer({ createServer: createServer(), store: observed.stores, sessionCacheMs: 300 });
    const session = await RawMcpSession.initialize(a.url);
    const onB = session.on(b.url);
    const before = observed.gets();
    expect((await onB.request('ping')).status).toBe(200);
    expect((await onB.request('ping')).status).toBe(200);
    expect(observed.gets() - before).toBe(1);

    // Closed through A: B may serve it from memory for at most sessionCacheMs, then asks the store and refuses.
    expect((await session.delete()).status).toBe(200);
    const deadline = Date.now() + 5_000;
    let status = (await onB.request('ping')).status;
    while (status === 200 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      status = (await onB.request('ping')).status;
    }
    expect(status).toBe(404);
  });
});

describe('write-behind', () => {
  test('activity of many requests and sessions goes to the store in one batch, latest value per session', async () => {
    const observed = await observedStores();
    const server = await startLibraryServer({ createServer: createServer(), store: observed.stores, activityFlushMs: 3_600_000 });
    const sessions = await Promise.all([1, 2, 3].map(() => RawMcpSession.initialize(server.url)));
    for (let round = 0; round < 5; round += 1) await Promise.all(sessions.map((session) => session.request('ping')));
    const lastSeen = Date.now();

    // Nothing written on the request path: the store still shows the creation time.
    expect(observed.touchBatches).toEqual([]);
    expect((await observed.stores.sessions.get(sessions[0]?.sessionId ?? ''))?.lastActivityAt).toBe(
      (await observed.stores.sessions.get(sessions[0]?.sessionId ?? ''))?.createdAt,
    );
    await server.close();

    // 3 sessions x 6 validated requests = 18 touches of each kind, collapsed to one entry per session and app session.
    expect(observed.touchBatches).toHaveLength(1);
    const [batch = []] = observed.touchBatches;
    expect(batch.filter((touch) => touch.kind === 'session')).toHaveLength(3);
    expect(batch.filter((touch) => touch.kind === 'app')).toHaveLength(3);
    const after = await observed.stores.sessions.get(sessions[0]?.sessionId ?? '');
    expect(after?.lastActivityAt).toBeGreaterThan(after?.createdAt ?? Infinity);
    expect(after?.lastActivityAt).toBeLessThanOrEqual(lastSeen);
  });

  test('staleness is bounded: the store catches up within activityFlushMs without any further request', async () => {
    const observed = await observedStores();
    await using server = await startLibraryServer({ createServer: createServer(), store: observed.stores, activityFlushMs: 50 });
    const session = await RawMcpSession.initialize(server.url);
    await session.request('ping');
    const deadline = Date.now() + 5_000;
    while (observed.touchBatches.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));

    expect(observed.touchBatches.flat()).toEqual(
      expect.arrayContaining([expect.objectContaining({ kind: 'session', sessionId: session.sessionId })]),
    );
  });

  test('close() flushes activity and request records, however long the interval', async () => {
    const stores = await createMemoryStores();
    const server = await startLibraryServer({ createServer: createServer(), store: stores, activityFlushMs: 3_600_000 });
    const session = await RawMcpSession.initialize(server.url);
    await session.callTool('add_note', { text: 'flushed' });
    expect(await stores.sessions.listRequests(session.sessionId)).toEqual([]);
    await server.close();

    expect((await stores.sessions.listRequests(session.sessionId)).map((record) => record.method)).toEqual([
      'tools/call',
      'notifications/initialized',
      'initialize',
    ]);
    const record = await stores.sessions.get(session.sessionId);
    expect(record?.lastActivityAt).toBeGreaterThan(record?.createdAt ?? Infinity);
  });

  test('a request record measures until its JSON-RPC response, not until the SSE stream opened', async () => {
    await using server = await startReferenceServer({ testHooks: true, activityFlushMs: 10 });
    const session = await RawMcpSession.initialize(server.url);
    await session.callTool('slow', { steps: 2, intervalMs: 100 });
    await server.handler.close();

    const [slow] = await server.handler.stores.sessions.listRequests(session.sessionId, 1);
    expect(slow).toMatchObject({ method: 'tools/call', tool: 'slow', status: 200 });
    expect(slow?.durationMs).toBeGreaterThanOrEqual(150);
  });
});

describe('durability before acknowledgment', () => {
  test('initialize is answered only once the session record is written', async () => {
    const stores = await createMemoryStores();
    const create = stores.sessions.create.bind(stores.sessions);
    let written = 0;
    stores.sessions.create = async (record) => {
      await new Promise((resolve) => setTimeout(resolve, 150));
      await create(record);
      written += 1;
    };
    await using server = await startLibraryServer({ createServer: createServer(), store: stores });
    const session = await RawMcpSession.initialize(server.url);

    expect(written).toBe(1);
    expect(await stores.sessions.get(session.sessionId)).toMatchObject({ status: 'active' });
  });
});
