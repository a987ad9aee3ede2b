import { describe, expect, test } from 'vitest';
import { startReferenceServer } from '../../server/index';
import { APP_HEADER, initializeMessage, postMcp, RawMcpSession } from '../support/server-raw-client';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('reference server sessions', () => {
  test('initialize creates a session, accepts a client-chosen app session id and echoes it', async () => {
    await using server = await startReferenceServer();
    const session = await RawMcpSession.initialize(server.url, { appSessionId: 'client-chosen-id-1' });

    expect(session.sessionId).toMatch(UUID);
    expect(session.appSessionId).toBe('client-chosen-id-1');
    const echoed = await session.request('ping');
    expect(echoed.status).toBe(200);
    expect(echoed.headers.get(APP_HEADER)).toBe('client-chosen-id-1');
    const stats = server.stats();
    expect(stats.initializeCount).toBe(1);
    expect(stats.sessionsCreated).toBe(1);
    expect(stats.requests).toBe(3);
    expect(stats.appSessionIds).toEqual(['client-chosen-id-1', 'client-chosen-id-1', 'client-chosen-id-1']);
    expect(stats.lastHeaders[APP_HEADER]).toBe('client-chosen-id-1');
  });

  test('initialize without an app session id gets a fresh crypto-random one', async () => {
    await using server = await startReferenceServer();
    const first = await RawMcpSession.initialize(server.url);
    const second = await RawMcpSession.initialize(server.url);

    expect(first.appSessionId).toMatch(UUID);
    expect(second.appSessionId).toMatch(UUID);
    expect(first.appSessionId).not.toBe(second.appSessionId);
    expect(first.sessionId).not.toBe(second.sessionId);
  });

  test('a malformed app session id is refused with 400 naming the header, and no session is created', async () => {
    await using server = await startReferenceServer();
    const reply = await postMcp(server.url, initializeMessage(), { [APP_HEADER]: 'bad id!' });

    expect(reply.status).toBe(400);
    expect(reply.messages[0]).toMatchObject({ error: { message: expect.stringContaining('X-Archon-Session-Id') }, id: 1 });
    expect(reply.headers.get('mcp-session-id')).toBeNull();
    expect(server.stats().sessionsCreated).toBe(0);
    expect(server.liveSessions()).toBe(0);
  });

  test('a custom session header name is honoured', async () => {
    await using server = await startReferenceServer({ sessionHeader: 'X-App-Session' });
    const reply = await postMcp(server.url, initializeMessage(), { 'x-app-session': 'custom-header-id' });

    expect(reply.status).toBe(200);
    expect(reply.headers.get('x-app-session')).toBe('custom-header-id');
    const bad = await postMcp(server.url, initializeMessage(), { 'x-app-session': 'no' });
    expect(bad.messages[0]).toMatchObject({ error: { message: expect.stringContaining('X-App-Session') } });
  });

  test('re-initializing with a live app session id links the new protocol session to it', async () => {
    await using server = await startReferenceServer();
    const first = await RawMcpSession.initialize(server.url, { appSessionId: 'shared-app-session' });
    const second = await RawMcpSession.initialize(server.url, { appSessionId: 'shared-app-session' });

    expect(second.appSessionId).toBe('shared-app-session');
    expect(second.sessionId).not.toBe(first.sessionId);
    expect(server.stats().sessionsCreated).toBe(2);
  });

  test('an expired app session id is replaced by a new one', async () => {
    await using server = await startReferenceServer();
    const first = await RawMcpSession.initialize(server.url, { appSessionId: 'soon-expired-id' });
    expect(await server.faults.expireSession(first.sessionId)).toBe(1);

    const second = await RawMcpSession.initialize(server.url, { appSessionId: 'soon-expired-id' });
    expect(second.appSessionId).toMatch(UUID);
    expect(second.appSessionId).not.toBe('soon-expired-id');
  });

  test('an app session id bound to another principal is replaced by a new one', async () => {
    await using server = await startReferenceServer({ authToken: ['token-a', 'token-b'] });
    await RawMcpSession.initialize(server.url, {
      appSessionId: 'principal-bound-id',
      headers: { authorization: 'Bearer token-a' },
    });
    const other = await RawMcpSession.initialize(server.url, {
      appSessionId: 'principal-bound-id',
      headers: { authorization: 'Bearer token-b' },
    });

    expect(other.appSessionId).toMatch(UUID);
  });

  test('later requests echo the app session id linked to the protocol session', async () => {
    await using server = await startReferenceServer();
    const session = await RawMcpSession.initialize(server.url, { appSessionId: 'linked-app-id' });
    const reply = await session.request('ping', undefined, { [APP_HEADER]: 'some-other-app-id' });

    expect(reply.status).toBe(200);
    expect(reply.headers.get(APP_HEADER)).toBe('linked-app-id');
  });

  test('an unknown Mcp-Session-Id gets 404 with JSON-RPC error -32001', async () => {
    await using server = await startReferenceServer();
    const reply = await postMcp(
      server.url,
      { jsonrpc: '2.0', id: 7, method: 'ping' },
      { 'mcp-session-id': 'no-such-session', 'mcp-protocol-version': '2025-11-25' },
    );

    expect(reply.status).toBe(404);
    expect(reply.messages[0]).toEqual({ jsonrpc: '2.0', error: { code: -32001, message: 'Session not found' }, id: 7 });
  });

  test('a request without Mcp-Session-Id that is not initialize gets 400', async () => {
    await using server = await startReferenceServer();
    const reply = await postMcp(server.url, { jsonrpc: '2.0', id: 1, method: 'ping' });

    expect(reply.status).toBe(400);
    expect(reply.text).toContain('Mcp-Session-Id header is required');
  });

  test('DELETE closes the session: later requests get 404 and the record is kept as closed', async () => {
    await using server = await startReferenceServer({ testHooks: true });
    const session = await RawMcpSession.initialize(server.url);

    expect((await session.delete()).status).toBe(200);
    expect((await session.request('ping')).status).toBe(404);
    const response = await fetch(new URL(`/__archon/sessions/${session.sessionId}`, server.url));
    const { record } = (await response.json()) as { record: { status: string; disconnectReason: string } };
    expect(record).toMatchObject({ status: 'closed', disconnectReason: 'client-delete' });
    expect(server.stats().deleteCount).toBe(1);
    expect(server.liveSessions()).toBe(0);
  });

  test('a session expires after sessionTtlMs of inactivity', async () => {
    await using server = await startReferenceServer({ sessionTtlMs: 150 });
    const session = await RawMcpSession.initialize(server.url);
    expect((await session.request('ping')).status).toBe(200);

    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await session.request('ping')).status).toBe(404);
    expect(server.liveSessions()).toBe(0);
  });

  test('with auth, a session presented with another token gets 404 and without a token 401', async () => {
    await using server = await startReferenceServer({ authToken: ['token-a', 'token-b'] });
    const session = await RawMcpSession.initialize(server.url, { headers: { authorization: 'Bearer token-a' } });

    expect((await session.request('ping')).status).toBe(200);
    expect((await session.request('ping', undefined, { authorization: 'Bearer token-b' })).status).toBe(404);
    const anonymous = await postMcp(server.url, initializeMessage());
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
    expect(server.stats().lastHeaders['authorization']).toBeUndefined();
    expect(server.stats().sessionsCreated).toBe(1);
  });

  test('credentials never appear in the recorded headers', async () => {
    await using server = await startReferenceServer({ authToken: 'secret-token' });
    await RawMcpSession.initialize(server.url, { headers: { authorization: 'Bearer secret-token' } });

    expect(server.stats().lastHeaders['authorization']).toBe('[redacted]');
    expect(JSON.stringify(server.stats())).not.toContain('secret-token');
  });

  test('every request of a session is tracked in the store with its method, tool and status', async () => {
    // Request records are written behind in batches; a short flush interval keeps the wait below short.
    await using server = await startReferenceServer({ testHooks: true, activityFlushMs: 10 });
    const session = await RawMcpSession.initialize(server.url);
    await session.callTool('echo', { text: 'tracked' });
    await session.request('ping');
    type Tracked = { method: string; tool: string | null; status: number };
    const tracked = async (): Promise<Tracked[]> => {
      const response = await fetch(new URL(`/__archon/sessions/${session.sessionId}`, server.url));
      return ((await response.json()) as { requests: Tracked[] }).requests;
    };
    // Tracking happens when each response closes: give the last one a bounded moment.
    let requests = await tracked();
    for (let attempt = 0; attempt < 50 && requests.length < 4; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      requests = await tracked();
    }

    // Newest first.
    expect(requests.map(({ method, tool, status }) => ({ method, tool, status }))).toEqual([
      { method: 'ping', tool: null, status: 200 },
      { method: 'tools/call', tool: 'echo', status: 200 },
      { method: 'notifications/initialized', tool: null, status: 202 },
      { method: 'initialize', tool: null, status: 200 },
    ]);
  });

  test('session_health_check reports both ids and counts the session requests', async () => {
    await using server = await startReferenceServer();
    const session = await RawMcpSession.initialize(server.url, { appSessionId: 'health-app-id' });
    await session.request('ping');
    const result = await session.callTool('session_health_check');

    expect(result['structuredContent']).toMatchObject({
      mcpSessionId: session.sessionId,
      appSessionId: 'health-app-id',
      requestCount: 4,
    });
  });
});
