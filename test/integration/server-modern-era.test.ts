/**
 * Issue 12, "Both eras, one endpoint": 2026-07-28 traffic is served per request from the same factory as the
 * legacy sessions, and the app session (`X-Archon-Session-Id`) is its only session: validated, echoed, bound
 * to the principal, tracked, rate-limited. Through the library with a user-defined server.
 */
import { describe, expect, test } from 'vitest';
import { createMemoryStores, startReferenceServer } from '../../server/index';
import { startLibraryServer } from '../support/server-library';
import { postModern, resultOf } from '../support/server-modern-client';
import { createNotesApp } from '../support/server-notes-app';
import { initializeMessage, postMcp, RawMcpSession } from '../support/server-raw-client';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('the modern era (2026-07-28) through the session layer', () => {
  test('one endpoint serves both eras from one factory: a legacy session and a modern request side by side', async () => {
    const app = createNotesApp();
    await using server = await startLibraryServer({ createServer: app.createServer });
    const legacy = await RawMcpSession.initialize(server.url, { appSessionId: 'legacy-client-1' });
    await legacy.callTool('add_note', { text: 'from 2025' });
    const modern = resultOf(await postModern(server.url, 'tools/call', { name: 'add_note', arguments: { text: 'from 2026' } }, { appSessionId: 'modern-client-1' }));

    expect(modern).toMatchObject({ structuredContent: { count: 2 }, resultType: 'complete' });
    expect(app.notes).toEqual(['from 2025', 'from 2026']);
    expect(app.executions()).toBe(2);
    // One instance for the legacy session's life, one per modern request; no legacy session for the modern client.
    expect(app.built.legacy).toBe(1);
    expect(app.built.modern).toBeGreaterThanOrEqual(1);
    expect(server.mcp.stats()).toMatchObject({ liveSessions: 1, sessionsCreated: 1, appSessions: 1 });
  });

  test('the app session is validated, echoed, recorded in the store and tracked per request', async () => {
    const stores = await createMemoryStores();
    await using server = await startLibraryServer({ createServer: createNotesApp().createServer, store: stores, activityFlushMs: 10 });
    const reply = await postModern(server.url, 'tools/call', { name: 'whoami', arguments: {} }, { appSessionId: 'modern-app-2' });

    expect(reply.headers.get('x-archon-session-id')).toBe('modern-app-2');
    expect(resultOf(reply)).toMatchObject({ structuredContent: { era: 'modern', appSessionId: 'modern-app-2', sessionId: null } });
    expect(await stores.sessions.getAppSession('modern-app-2')).toMatchObject({ status: 'active', principalHash: null });
    const bad = await postModern(server.url, 'tools/list', {}, { appSessionId: 'no!' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('X-Archon-Session-Id');
    await server.mcp.close();
    expect(await stores.sessions.listRequests('modern-app-2')).toEqual([
      expect.objectContaining({ sessionId: 'modern-app-2', method: 'tools/call', tool: 'whoami', status: 200 }),
    ]);
  });

  test('a request without the header is served, with no app session and no echo', async () => {
    await using server = await startLibraryServer({ createServer: createNotesApp().createServer });
    const reply = await postModern(server.url, 'tools/list');

    expect(reply.status).toBe(200);
    expect(reply.headers.get('x-archon-session-id')).toBeNull();
    expect(server.mcp.stats().appSessions).toBe(0);
  });

  test('an app session id held by another principal is not shared: the request is served under a fresh id, echoed', async () => {
    await using server = await startLibraryServer({ createServer: createNotesApp().createServer, authToken: ['alice', 'mallory'] });
    const alice = await postModern(server.url, 'tools/call', { name: 'whoami', arguments: {} }, { appSessionId: 'alice-app-1', headers: { authorization: 'Bearer alice' } });
    const mallory = await postModern(server.url, 'tools/call', { name: 'whoami', arguments: {} }, { appSessionId: 'alice-app-1', headers: { authorization: 'Bearer mallory' } });

    expect(alice.headers.get('x-archon-session-id')).toBe('alice-app-1');
    expect(mallory.headers.get('x-archon-session-id')).toMatch(UUID);
    expect(resultOf(mallory)).toMatchObject({ structuredContent: { appSessionId: mallory.headers.get('x-archon-session-id') } });
    expect((await postModern(server.url, 'tools/list', {}, { appSessionId: 'alice-app-1' })).status).toBe(401);
  });

  test('the per-session rate limit applies to an app session: 429 with Retry-After', async () => {
    await using server = await startLibraryServer({ createServer: createNotesApp().createServer, rateLimitRequests: 2, rateLimitWindowMs: 60_000 });
    const statuses: number[] = [];
    for (let n = 0; n < 3; n += 1) statuses.push((await postModern(server.url, 'tools/list', {}, { appSessionId: 'busy-app-1' })).status);
    const limited = await postModern(server.url, 'tools/list', {}, { appSessionId: 'busy-app-1' });

    expect(statuses).toEqual([200, 200, 429]);
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
    expect((await postModern(server.url, 'tools/list', {}, { appSessionId: 'other-app-1' })).status).toBe(200);
  });

  test('capacity counts both eras: at maxSessions a new app session gets 503 + Retry-After, a known one is served', async () => {
    await using server = await startLibraryServer({ createServer: createNotesApp().createServer, maxSessions: 2 });
    await RawMcpSession.initialize(server.url);
    expect((await postModern(server.url, 'tools/list', {}, { appSessionId: 'first-app-1' })).status).toBe(200);
    const refused = await postModern(server.url, 'tools/list', {}, { appSessionId: 'second-app-1' });

    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect((await postModern(server.url, 'tools/list', {}, { appSessionId: 'first-app-1' })).status).toBe(200);
    expect((await postMcp(server.url, initializeMessage())).status).toBe(503);
  });

  test('Origin, auth and the body limit apply to modern requests as to legacy ones', async () => {
    await using server = await startLibraryServer({ createServer: createNotesApp().createServer, authToken: 'secret', maxBodyBytes: 2_048 });
    const origin = await postModern(server.url, 'tools/list', {}, { headers: { authorization: 'Bearer secret', origin: 'https://evil.example' } });
    const anonymous = await postModern(server.url, 'tools/list');
    const huge = await postModern(server.url, 'tools/call', { name: 'add_note', arguments: { text: 'x'.repeat(4_096) } }, { headers: { authorization: 'Bearer secret' } });

    expect([origin.status, anonymous.status, huge.status]).toEqual([403, 401, 413]);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
  });

  test('requestState is sealed with a key shared through the store: a round minted on A completes on B; tampering is refused', async () => {
    const stores = await createMemoryStores();
    const app = createNotesApp();
    await using a = await startLibraryServer({ createServer: app.createServer, store: stores });
    await using b = await startLibraryServer({ createServer: app.createServer, store: stores });
    resultOf(await postModern(a.url, 'tools/call', { name: 'add_note', arguments: { text: 'doomed' } }));
    const capabilities = { elicitation: { form: {} } };
    const first = resultOf(await postModern(a.url, 'tools/call', { name: 'wipe_notes', arguments: {} }, { capabilities }));
    expect(first).toMatchObject({ resultType: 'input_required', requestState: expect.stringMatching(/^v1\./) });
    const requestState = String(first['requestState']);

    const tampered = await postModern(
      b.url,
      'tools/call',
      { name: 'wipe_notes', arguments: {}, requestState: `${requestState.slice(0, -4)}AAAA`, inputResponses: { confirm: { action: 'accept', content: { confirm: true } } } },
      { capabilities, id: 2 },
    );
    expect(tampered.messages.at(-1)).toMatchObject({ error: { code: -32602, message: 'Invalid or expired requestState' } });
    expect(app.notes).toEqual(['doomed']);

    const completed = resultOf(
      await postModern(
        b.url,
        'tools/call',
        { name: 'wipe_notes', arguments: {}, requestState, inputResponses: { confirm: { action: 'accept', content: { confirm: true } } } },
        { capabilities, id: 3 },
      ),
    );
    expect(completed).toMatchObject({ structuredContent: { wiped: 1 } });
    expect(app.notes).toEqual([]);
  });

  test('an explicit requestStateKey is used as given, and a short one is refused with a TypeError', async () => {
    const key = 'k'.repeat(32);
    await using server = await startLibraryServer({ createServer: createNotesApp().createServer, requestStateKey: key });
    const minted = await server.mcp.requestState.mint({ n: 1 });
    expect(await server.mcp.requestState.verify(minted, {} as never)).toEqual({ n: 1 });
    await expect(startLibraryServer({ createServer: createNotesApp().createServer, requestStateKey: 'short' })).rejects.toThrow(
      'Expected `requestStateKey` to be a string or Uint8Array of at least 32 bytes, got 5 bytes',
    );
  });
});

describe('restricting the eras', () => {
  test("eras: ['legacy'] answers a modern request as a 2025 server would, and serves initialize", async () => {
    await using server = await startReferenceServer({ eras: ['legacy'] });
    const modern = await postModern(server.url, 'tools/list', {}, { appSessionId: 'modern-app-3' });

    expect(modern.status).toBe(400);
    expect(modern.text).toContain('Unsupported protocol version: 2026-07-28');
    expect((await RawMcpSession.initialize(server.url)).sessionId).toMatch(UUID);
    expect((await (await fetch(new URL('/health', server.url))).json()) as { eras: string[] }).toMatchObject({ eras: ['legacy'] });
  });

  test("eras: ['modern'] refuses initialize with -32022 naming 2026-07-28, and answers legacy GET with 405", async () => {
    await using server = await startReferenceServer({ eras: ['modern'] });
    const initialize = await postMcp(server.url, initializeMessage());

    expect(initialize.status).toBe(400);
    expect(initialize.messages[0]).toMatchObject({ error: { code: -32022, data: { supported: ['2026-07-28'] } } });
    expect((await fetch(server.url, { headers: { accept: 'text/event-stream' } })).status).toBe(405);
    expect(resultOf(await postModern(server.url, 'tools/list'))).toMatchObject({ tools: expect.any(Array) });
  });

  test('unknown or invalid options are refused with a TypeError naming them', async () => {
    const createServer = createNotesApp().createServer;
    await expect(startLibraryServer({ createServer, eras: [] })).rejects.toThrow("Expected `eras` to be a non-empty array of 'legacy' and 'modern'");
    await expect(startLibraryServer({ createServer, sessionTTLMs: 5 } as never)).rejects.toThrow('Unknown option `sessionTTLMs` (did you mean `sessionTtlMs`?)');
    await expect(startLibraryServer({ store: 'memory' } as never)).rejects.toThrow('Expected `createServer` to be a function');
  });
});
