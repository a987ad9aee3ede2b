import { describe, expect, test } from 'vitest';
import { startReferenceServer } from '../../server/index';
import { RawMcpSession, readEvents } from '../support/server-raw-client';

describe('reference server fault injection', () => {
  test('failNext answers the next N matching requests with the status, Retry-After and a JSON-RPC error', async () => {
    await using server = await startReferenceServer();
    const session = await RawMcpSession.initialize(server.url);
    server.faults.failNext({ count: 2, status: 503, retryAfter: 1, match: { rpcMethod: 'tools/call' } });

    const ping = await session.request('ping');
    const first = await session.request('tools/call', { name: 'echo', arguments: { text: 'a' } });
    const second = await session.request('tools/call', { name: 'echo', arguments: { text: 'a' } });
    const third = await session.request('tools/call', { name: 'echo', arguments: { text: 'a' } });

    expect(ping.status).toBe(200);
    expect([first.status, second.status, third.status]).toEqual([503, 503, 200]);
    expect(first.headers.get('retry-after')).toBe('1');
    expect(first.messages[0]).toMatchObject({ error: { code: -32000, message: 'Injected failure: HTTP 503' } });
    const stats = server.stats();
    expect(stats.faultsInjected).toBe(2);
    expect(stats.toolRuns).toEqual({ echo: 1 });
    expect(stats.byRpcMethod['tools/call']).toBe(3);
  });

  test('failNext can target an HTTP method, and 429 without Retry-After', async () => {
    await using server = await startReferenceServer();
    const session = await RawMcpSession.initialize(server.url);
    server.faults.failNext({ status: 429, match: { httpMethod: 'GET' } });

    expect((await session.request('ping')).status).toBe(200);
    const get = await session.get();
    expect(get.status).toBe(429);
    expect(get.headers.get('retry-after')).toBeNull();
    await get.body?.cancel();
    expect(server.stats().faultsInjected).toBe(1);
  });

  test('failNext on initialize refuses session creation', async () => {
    await using server = await startReferenceServer();
    server.faults.failNext({ status: 503, retryAfter: 2, match: { rpcMethod: 'initialize' } });

    await expect(RawMcpSession.initialize(server.url)).rejects.toThrow('HTTP 503');
    await RawMcpSession.initialize(server.url);
    expect(server.stats().sessionsCreated).toBe(1);
    expect(server.stats().initializeCount).toBe(2);
  });

  test('cutStreams resets every open stream', async () => {
    await using server = await startReferenceServer();
    const session = await RawMcpSession.initialize(server.url);
    const stream = await session.get();
    expect(stream.status).toBe(200);
    const reading = readEvents(stream, () => false, 2_000);

    expect(server.faults.cutStreams()).toBe(1);
    const { error, timedOut } = await reading;
    expect(timedOut).toBe(false);
    expect(error).toBeInstanceOf(Error);
    expect(server.stats().streamsCut).toBe(1);
  });

  test('cutAfterEvents lets N message events out, then cuts the stream', async () => {
    await using server = await startReferenceServer();
    const session = await RawMcpSession.initialize(server.url);
    server.faults.cutAfterEvents({ count: 2, rpcMethod: 'tools/call' });
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { ...session.headers(), 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 9,
        method: 'tools/call',
        params: { name: 'slow', arguments: { steps: 5, intervalMs: 30 }, _meta: { progressToken: 't' } },
      }),
    });
    const { events, timedOut } = await readEvents(response, () => false, 3_000);

    expect(timedOut).toBe(false);
    const messages = events.filter((event) => event.data.trim() !== '');
    // 2 left the server; a slow reader may lose the last (fetch drops queued chunks when the body errors),
    // never gets a third: the 5-step call would otherwise send 5 progress events and a result.
    expect(messages.length).toBeGreaterThanOrEqual(1);
    expect(messages.length).toBeLessThanOrEqual(2);
    expect(messages.every((event) => event.data.includes('notifications/progress'))).toBe(true);
    expect(server.stats().streamsCut).toBe(1);
  });

  test('expireSession makes the next request 404', async () => {
    await using server = await startReferenceServer();
    const kept = await RawMcpSession.initialize(server.url);
    const expired = await RawMcpSession.initialize(server.url);

    expect(await server.faults.expireSession(expired.sessionId)).toBe(1);
    expect((await expired.request('ping')).status).toBe(404);
    expect((await kept.request('ping')).status).toBe(200);
    expect(await server.faults.expireSession()).toBe(1);
    expect((await kept.request('ping')).status).toBe(404);
  });

  test('reset clears pending faults', async () => {
    await using server = await startReferenceServer();
    const session = await RawMcpSession.initialize(server.url);
    server.faults.failNext({ count: 5 });
    server.faults.reset();

    expect((await session.request('ping')).status).toBe(200);
    expect(server.stats().faultsInjected).toBe(0);
  });

  test('faults and stats are reachable over HTTP with testHooks', async () => {
    await using server = await startReferenceServer({ testHooks: true });
    const session = await RawMcpSession.initialize(server.url);
    const hook = (body: unknown) =>
      fetch(new URL('/__archon/faults', server.url), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });

    const armed = await hook({ action: 'failNext', status: 500, match: { httpMethod: 'POST' } });
    expect(await armed.json()).toEqual({ ok: true, result: null });
    expect((await session.request('ping')).status).toBe(500);
    const expired = await hook({ action: 'expireSession', sessionId: session.sessionId });
    expect(await expired.json()).toEqual({ ok: true, result: 1 });
    const bad = await hook({ action: 'explode' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toContain('Expected `action`');
    const invalid = await hook({ action: 'failNext', status: 200 });
    expect(invalid.status).toBe(400);
    await invalid.body?.cancel();

    const stats = (await (await fetch(new URL('/__archon/stats', server.url))).json()) as Record<string, unknown>;
    expect(stats).toMatchObject({ faultsInjected: 1, sessionsCreated: 1, liveSessions: 0 });
    await fetch(new URL('/__archon/stats/reset', server.url), { method: 'POST' }).then((response) => response.body?.cancel());
    expect(server.stats().requests).toBe(0);
  });

  test('fault options are validated', () => {
    return (async () => {
      await using server = await startReferenceServer();
      expect(() => server.faults.failNext({ count: 0 })).toThrow('Expected `count` to be a positive integer, got 0');
      expect(() => server.faults.failNext({ status: 302 })).toThrow('Expected `status` to be an HTTP error status');
      expect(() => server.faults.cutAfterEvents({ count: -1 })).toThrow('Expected `count`');
    })();
  });
});
