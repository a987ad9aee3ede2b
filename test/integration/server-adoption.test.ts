import { describe, expect, test } from 'vitest';
import { createMemoryStores, startReferenceServer } from '../../server/index';
import { checkAdoptionSupport } from '../../server/sessions/adopt-session';
import { RawMcpSession } from '../support/server-raw-client';

function onServer(session: RawMcpSession, url: string): RawMcpSession {
  return session.on(url);
}

async function metricValue(url: string, name: string): Promise<number> {
  const text = await (await fetch(new URL('/metrics', url))).text();
  const line = text.split('\n').find((entry) => entry.startsWith(`${name} `));
  return Number(line?.split(' ')[1] ?? Number.NaN);
}

describe('session adoption (two servers sharing one store)', () => {
  test('the SDK internals adoption relies on are present (start-up self-test)', async () => {
    expect(await checkAdoptionSupport()).toEqual({ ok: true });
  });

  test('a session created on A continues on B, with its app session id and client capabilities', async () => {
    const stores = await createMemoryStores();
    await using a = await startReferenceServer({ store: stores });
    await using b = await startReferenceServer({ store: stores });
    const session = await RawMcpSession.initialize(a.url, { appSessionId: 'failover-app-id' });

    const onB = onServer(session, b.url);
    const echo = await onB.request('tools/call', { name: 'echo', arguments: { text: 'on b' } });
    expect(echo.status).toBe(200);
    expect(echo.headers.get('mcp-session-id')).toBe(session.sessionId);
    expect(echo.headers.get('x-archon-session-id')).toBe('failover-app-id');
    expect(echo.messages.at(-1)).toMatchObject({ result: { structuredContent: { text: 'on b' } } });
    expect(b.stats()).toMatchObject({ sessionsRecovered: 1, sessionsCreated: 0, initializeCount: 0 });
    expect(await metricValue(b.url, 'mcp_sessions_recovered_total')).toBe(1);
    expect(await metricValue(a.url, 'mcp_sessions_recovered_total')).toBe(0);
    // A second request on B uses the now-live session: no second adoption.
    expect((await onB.request('ping')).status).toBe(200);
    expect(b.stats().sessionsRecovered).toBe(1);
  });

  test('a session drained by a graceful shutdown is adopted by the next server and becomes active again', async () => {
    const stores = await createMemoryStores();
    const a = await startReferenceServer({ store: stores });
    const session = await RawMcpSession.initialize(a.url);
    await a.close();
    expect((await stores.sessions.get(session.sessionId))?.status).toBe('draining');

    await using b = await startReferenceServer({ store: stores });
    expect((await onServer(session, b.url).request('ping')).status).toBe(200);
    const record = await stores.sessions.get(session.sessionId);
    expect(record).toMatchObject({ status: 'active', ownerInstance: b.instanceId });
  });

  test('a deleted session is never adopted again', async () => {
    const stores = await createMemoryStores();
    await using a = await startReferenceServer({ store: stores });
    await using b = await startReferenceServer({ store: stores });
    const session = await RawMcpSession.initialize(a.url);
    expect((await session.delete()).status).toBe(200);

    expect((await onServer(session, b.url).request('ping')).status).toBe(404);
    expect(b.stats().sessionsRecovered).toBe(0);
  });

  test('an expired session is not adopted: 404 so the client re-initializes', async () => {
    const stores = await createMemoryStores();
    await using a = await startReferenceServer({ store: stores });
    await using b = await startReferenceServer({ store: stores });
    const session = await RawMcpSession.initialize(a.url);
    // Its expiry passed (as if idle past the TTL): no sleep, so a loaded machine cannot blur it.
    await stores.sessions.touch(session.sessionId, Date.now() - 10, Date.now() - 1);

    expect((await onServer(session, b.url).request('ping')).status).toBe(404);
    expect((await stores.sessions.get(session.sessionId))?.status).toBe('expired');
    expect(b.stats().sessionsRecovered).toBe(0);
  });

  test('another principal cannot adopt a session: 404, and the record stays untouched', async () => {
    const stores = await createMemoryStores();
    await using a = await startReferenceServer({ store: stores, authToken: ['alice', 'mallory'] });
    await using b = await startReferenceServer({ store: stores, authToken: ['alice', 'mallory'] });
    const session = await RawMcpSession.initialize(a.url, { headers: { authorization: 'Bearer alice' } });
    const before = await stores.sessions.get(session.sessionId);

    const stolen = await onServer(session, b.url).request('ping', undefined, { authorization: 'Bearer mallory' });
    expect(stolen.status).toBe(404);
    expect(b.stats().sessionsRecovered).toBe(0);
    expect(await stores.sessions.get(session.sessionId)).toEqual(before);
  });

  test('concurrent first requests on B adopt the session once', async () => {
    const stores = await createMemoryStores();
    await using a = await startReferenceServer({ store: stores });
    await using b = await startReferenceServer({ store: stores });
    const session = await RawMcpSession.initialize(a.url);
    const onB = onServer(session, b.url);

    const replies = await Promise.all([onB.request('ping'), onB.request('ping'), onB.request('tools/list')]);
    expect(replies.map((reply) => reply.status)).toEqual([200, 200, 200]);
    expect(b.stats().sessionsRecovered).toBe(1);
    expect(b.liveSessions()).toBe(1);
  });
});
