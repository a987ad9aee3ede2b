/**
 * Issue 12, "Prove it": the contract, restart, failover, outage, cleanup, capacity, auth and bad-input suites run
 * through the LIBRARY (`createSessionHandler` on node:http) with a USER-DEFINED server (the notes app, nothing of
 * the demo tools), on every backend: memory, file (the `serve` default), pglite, and PostgreSQL 15 and Redis
 * started by the harness.
 * One store per backend for the whole file (handed in ready-made, so handlers share it as instances would).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createStores, type SessionHandlerOptions, type Stores } from '../../server/index';
import { postgresAvailable, startPostgres, type PostgresInstance } from '../support/postgres-harness';
import { redisAvailable, startRedis, type RedisInstance } from '../support/redis-harness';
import { startLibraryServer } from '../support/server-library';
import { createNotesApp, NOTES_URI } from '../support/server-notes-app';
import { initializeMessage, postMcp, RawMcpSession } from '../support/server-raw-client';

/** Starting a database (or a fresh pglite directory) on a loaded 2-core box. */
const BACKEND_TIMEOUT_MS = 120_000;

interface Backend {
  name: string;
  skip: string | undefined;
  open(): Promise<Stores>;
  dispose(): Promise<void>;
}

function backends(): Backend[] {
  let dir: string | undefined;
  let fileDir: string | undefined;
  let postgres: PostgresInstance | undefined;
  let redis: RedisInstance | undefined;
  const pg = postgresAvailable();
  const rd = redisAvailable();
  return [
    { name: 'memory', skip: undefined, open: () => createStores('memory'), dispose: async () => undefined },
    {
      name: 'file',
      skip: undefined,
      open: async () => createStores(`file:${(fileDir = await mkdtemp(join(tmpdir(), 'archon-suites-file-')))}`),
      dispose: async () => {
        if (fileDir !== undefined) await rm(fileDir, { recursive: true, force: true });
      },
    },
    {
      name: 'pglite',
      skip: undefined,
      open: async () => createStores(`pglite:${(dir = await mkdtemp(join(tmpdir(), 'archon-suites-')))}`),
      dispose: async () => {
        if (dir !== undefined) await rm(dir, { recursive: true, force: true });
      },
    },
    {
      name: 'postgres',
      skip: pg.ok ? undefined : pg.why,
      open: async () => {
        postgres = await startPostgres();
        return createStores(await postgres.createDatabase('library_suites'));
      },
      dispose: async () => postgres?.[Symbol.asyncDispose](),
    },
    {
      name: 'redis',
      skip: rd.ok ? undefined : rd.why,
      open: async () => {
        redis = await startRedis();
        return createStores(redis.url);
      },
      dispose: async () => redis?.[Symbol.asyncDispose](),
    },
  ];
}

const uniqueApp = (): string => `app-${randomUUID()}`;

describe.each(backends())('the session layer with a user-defined server on $name', (backend) => {
  let stores: Stores;
  beforeAll(async () => {
    if (backend.skip !== undefined) return;
    stores = await backend.open();
    await stores.sessions.init();
  }, BACKEND_TIMEOUT_MS);
  afterAll(async () => {
    if (backend.skip !== undefined) return;
    await stores.bus?.close();
    await Promise.allSettled([stores.sessions.close(), stores.events.close()]);
    await backend.dispose();
  }, BACKEND_TIMEOUT_MS);

  const serve = (options: Partial<SessionHandlerOptions> = {}) =>
    startLibraryServer({ createServer: createNotesApp().createServer, store: stores, ...options });

  test.skipIf(backend.skip !== undefined)('contract: sessions are created, echoed, validated, tracked and deleted', async () => {
    await using server = await serve({ activityFlushMs: 10 });
    const appSessionId = uniqueApp();
    const session = await RawMcpSession.initialize(server.url, { appSessionId });
    expect(session.appSessionId).toBe(appSessionId);
    expect((await session.callTool('add_note', { text: 'one' }))['structuredContent']).toEqual({ count: 1 });
    expect((await session.request('ping')).headers.get('x-archon-session-id')).toBe(appSessionId);
    expect((await postMcp(server.url, { jsonrpc: '2.0', id: 1, method: 'ping' }, { 'mcp-session-id': 'unknown', 'mcp-protocol-version': '2025-11-25' })).status).toBe(404);
    expect((await postMcp(server.url, { jsonrpc: '2.0', id: 1, method: 'ping' })).status).toBe(400);

    expect((await session.delete()).status).toBe(200);
    expect((await session.request('ping')).status).toBe(404);
    expect(await stores.sessions.get(session.sessionId)).toMatchObject({ status: 'closed', disconnectReason: 'client-delete' });
    await server.mcp.close();
    const tracked = (await stores.sessions.listRequests(session.sessionId)).map(({ method, tool }) => `${method}${tool === null ? '' : `:${tool}`}`);
    expect(tracked).toEqual(expect.arrayContaining(['initialize', 'tools/call:add_note', 'ping']));
  });

  test.skipIf(backend.skip !== undefined)('restart: a drained session is adopted by the next handler, its subscription with it', async () => {
    const first = await serve();
    const session = await RawMcpSession.initialize(first.url);
    await session.request('resources/subscribe', { uri: NOTES_URI });
    await first.close();
    expect(await stores.sessions.get(session.sessionId)).toMatchObject({ status: 'draining', state: { subscriptions: [NOTES_URI] } });

    await using second = await serve();
    const again = session.on(second.url);
    expect((await again.callTool('list_notes'))['structuredContent']).toEqual({ notes: [] });
    expect(second.mcp.stats()).toMatchObject({ sessionsAdopted: 1, sessionsCreated: 0 });
    expect(await stores.sessions.get(session.sessionId)).toMatchObject({ status: 'active', ownerInstance: second.mcp.instanceId });
  });

  test.skipIf(backend.skip !== undefined)('failover: a session live on A continues on B, adopted once under concurrent first requests', async () => {
    await using a = await serve();
    await using b = await serve();
    const appSessionId = uniqueApp();
    const session = await RawMcpSession.initialize(a.url, { appSessionId });
    const onB = session.on(b.url);
    const replies = await Promise.all([onB.request('ping'), onB.request('tools/list'), onB.request('ping')]);

    expect(replies.map((reply) => reply.status)).toEqual([200, 200, 200]);
    expect(replies[0]?.headers.get('x-archon-session-id')).toBe(appSessionId);
    expect(b.mcp.stats()).toMatchObject({ sessionsAdopted: 1, liveSessions: 1 });
  });

  test.skipIf(backend.skip !== undefined)('outage: a store that fails answers 503 + Retry-After, and the same session continues once it is back', async () => {
    await using a = await serve();
    await using b = await serve();
    const session = await RawMcpSession.initialize(a.url);
    const { get, ping } = stores.sessions;
    const down = new Error('connection refused');
    stores.sessions.get = () => Promise.reject(down);
    stores.sessions.ping = () => Promise.reject(down);
    try {
      const refused = await session.on(b.url).request('ping');
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('1');
      expect((await fetch(new URL('/health', b.url))).status).toBe(503);
    } finally {
      stores.sessions.get = get;
      stores.sessions.ping = ping;
    }
    expect((await session.on(b.url).request('ping')).status).toBe(200);
    expect((await fetch(new URL('/health', b.url))).status).toBe(200);
  });

  test.skipIf(backend.skip !== undefined)('cleanup: the regular tier expires idle sessions with no request, the fast tier evicts idle ones', async () => {
    await using server = await serve({ sessionTtlMs: 200, cleanupRegularIntervalMs: 50, activityFlushMs: 10 });
    const session = await RawMcpSession.initialize(server.url);
    const deadline = Date.now() + 10_000;
    while (server.mcp.stats().liveSessions > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));

    expect(server.mcp.stats()).toMatchObject({ liveSessions: 0, sessionsExpired: 1 });
    expect((await stores.sessions.get(session.sessionId))?.status).toBe('expired');
    expect((await session.request('ping')).status).toBe(404);
  });

  test.skipIf(backend.skip !== undefined)('capacity: beyond maxSessions initialize gets 503 + Retry-After; a live session keeps working', async () => {
    await using server = await serve({ maxSessions: 1 });
    const session = await RawMcpSession.initialize(server.url);
    const refused = await postMcp(server.url, initializeMessage());

    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect((await session.request('ping')).status).toBe(200);
  });

  test.skipIf(backend.skip !== undefined)('auth: no token 401, and a session is bound to the token that created it', async () => {
    await using server = await serve({ authToken: ['alice-token', 'bob-token'] });
    const session = await RawMcpSession.initialize(server.url, { headers: { authorization: 'Bearer alice-token' } });

    expect((await postMcp(server.url, initializeMessage())).status).toBe(401);
    expect((await session.request('ping')).status).toBe(200);
    expect((await session.request('ping', undefined, { authorization: 'Bearer bob-token' })).status).toBe(404);
    expect((await stores.sessions.get(session.sessionId))?.principalHash).toMatch(/^[0-9a-f]{64}$/);
  });

  test.skipIf(backend.skip !== undefined)('bad input: every malformed request gets a clean 4xx and creates nothing', async () => {
    await using server = await serve({ maxBodyBytes: 4_096 });
    const post = (body: string, headers: Record<string, string> = {}) =>
      fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers }, body });
    const statuses = [
      (await post('{not json')).status,
      (await post(JSON.stringify(initializeMessage()), { 'content-type': 'text/plain' })).status,
      (await post(JSON.stringify({ ...initializeMessage(), padding: 'x'.repeat(8_192) }))).status,
      (await post(JSON.stringify(initializeMessage()), { 'x-archon-session-id': 'bad id!' })).status,
      (await post(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }), { 'mcp-session-id': 'x', 'mcp-protocol-version': '1999-01-01' })).status,
      (await post(JSON.stringify(initializeMessage()), { origin: 'https://evil.example' })).status,
      (await fetch(server.url, { method: 'PUT', body: '{}' })).status,
      (await post(JSON.stringify({ hello: 'world' }))).status,
    ];

    expect(statuses).toEqual([400, 415, 413, 400, 400, 403, 405, 400]);
    expect(server.mcp.stats()).toMatchObject({ sessionsCreated: 0, liveSessions: 0 });
  });
});
