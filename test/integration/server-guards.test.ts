import { request as httpRequest } from 'node:http';
import { describe, expect, test } from 'vitest';
import { startReferenceServer } from '../../server/index';
import { initializeMessage, postMcp, RawMcpSession } from '../support/server-raw-client';

/** node:http lets a test set Host, which fetch forbids. */
function postWithHost(url: string, host: string, body: unknown): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      {
        method: 'POST',
        headers: { host, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

describe('reference server request guards', () => {
  test('a non-loopback Origin is refused with 403 before any session exists', async () => {
    await using server = await startReferenceServer();
    const reply = await postMcp(server.url, initializeMessage(), { origin: 'https://evil.example' });

    expect(reply.status).toBe(403);
    expect(reply.text).toContain('Invalid Origin header: https://evil.example');
    expect(server.stats().sessionsCreated).toBe(0);
  });

  test('loopback Origins and explicitly allowed Origins pass', async () => {
    await using server = await startReferenceServer({ allowedOrigins: ['https://app.example'] });

    expect((await postMcp(server.url, initializeMessage(), { origin: 'http://localhost:3000' })).status).toBe(200);
    expect((await postMcp(server.url, initializeMessage(), { origin: 'https://app.example' })).status).toBe(200);
    expect(server.stats().sessionsCreated).toBe(2);
  });

  test('a non-loopback Host is refused on a loopback bind (DNS rebinding), unless allowed', async () => {
    await using server = await startReferenceServer({ allowedHosts: ['mcp.internal'] });

    expect(await postWithHost(server.url, 'attacker.example:80', initializeMessage())).toBe(403);
    expect(await postWithHost(server.url, `mcp.internal:${server.port}`, initializeMessage())).toBe(200);
    expect(server.stats().sessionsCreated).toBe(1);
  });

  test('a body over maxBodyBytes gets 413 and creates nothing', async () => {
    await using server = await startReferenceServer({ maxBodyBytes: 1_024 });
    const big = { ...initializeMessage(), padding: 'x'.repeat(2_000) };
    const reply = await postMcp(server.url, big);

    expect(reply.status).toBe(413);
    expect(reply.text).toContain('exceeds 1024 bytes');
    expect(server.stats().sessionsCreated).toBe(0);
  });

  test('invalid JSON, a non-JSON-RPC body and a wrong content type are refused with clear 4xx', async () => {
    await using server = await startReferenceServer();

    const invalidJson = await postMcp(server.url, '{"jsonrpc": ');
    expect(invalidJson.status).toBe(400);
    expect(invalidJson.messages[0]).toMatchObject({ error: { code: -32700, message: 'Parse error: Invalid JSON' } });

    const notRpc = await postMcp(server.url, { hello: 'world' });
    expect(notRpc.status).toBe(400);
    expect(notRpc.text).toContain('Invalid JSON-RPC message');

    const emptyBatch = await postMcp(server.url, []);
    expect(emptyBatch.status).toBe(400);
    expect(emptyBatch.text).toContain('empty batch');

    const wrongType = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', accept: 'application/json, text/event-stream' },
      body: JSON.stringify(initializeMessage()),
    });
    expect(wrongType.status).toBe(415);
    await wrongType.body?.cancel();
    expect(server.stats().sessionsCreated).toBe(0);
    expect(server.stats().byStatus).toEqual({ '400': 3, '415': 1 });
  });

  test('an unsupported MCP-Protocol-Version is refused with 400 and leaves the session untouched', async () => {
    await using server = await startReferenceServer();
    const session = await RawMcpSession.initialize(server.url);
    const before = (await session.callTool('session_health_check'))['structuredContent'] as { requestCount: number };
    const reply = await session.request('ping', undefined, { 'mcp-protocol-version': '1999-01-01' });

    expect(reply.status).toBe(400);
    expect(reply.text).toContain('Unsupported protocol version: 1999-01-01');
    const after = (await session.callTool('session_health_check'))['structuredContent'] as { requestCount: number };
    expect(after.requestCount).toBe(before.requestCount + 1);
  });

  test('a request flood from one session gets 429 with Retry-After', async () => {
    await using server = await startReferenceServer({ rateLimitRequests: 3, rateLimitWindowMs: 60_000 });
    const session = await RawMcpSession.initialize(server.url);
    // The window's first request was notifications/initialized, so 2 pings pass and 3 are refused.
    const statuses: number[] = [];
    for (let index = 0; index < 5; index += 1) statuses.push((await session.request('ping')).status);

    expect(statuses.filter((status) => status === 429)).toHaveLength(statuses.length - 2);
    const limited = await session.request('ping');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });

  test('at maxSessions a new initialize gets 503 with Retry-After; existing sessions keep working', async () => {
    await using server = await startReferenceServer({ maxSessions: 1 });
    const session = await RawMcpSession.initialize(server.url);
    const refused = await postMcp(server.url, initializeMessage());

    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect((await session.request('ping')).status).toBe(200);
    expect(server.stats().sessionsCreated).toBe(1);
  });

  test('unknown paths and methods are refused', async () => {
    await using server = await startReferenceServer();
    const notFound = await fetch(new URL('/nope', server.url));
    const wrongMethod = await fetch(server.url, { method: 'PUT' });

    expect(notFound.status).toBe(404);
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('GET, POST, DELETE');
    await Promise.all([notFound.body?.cancel(), wrongMethod.body?.cancel()]);
  });

  test('test hooks are off unless asked for', async () => {
    await using server = await startReferenceServer();
    const response = await fetch(new URL('/__archon/stats', server.url));

    expect(response.status).toBe(404);
    await response.body?.cancel();
  });

  test('options are validated with messages naming the option', async () => {
    await expect(startReferenceServer({ sessionTtlMs: -1 })).rejects.toThrow(
      'Expected `sessionTtlMs` to be a positive integer, got -1',
    );
    await expect(startReferenceServer({ path: 'mcp' })).rejects.toThrow('Expected `path` to start with "/"');
    // @ts-expect-error: an unknown store spec is a type error too
    await expect(startReferenceServer({ store: 'sqlite:x' })).rejects.toThrow('Expected `store` to be');
  });
});
