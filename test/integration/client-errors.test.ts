/**
 * One typed error per failure class, produced by the real reference server (or a real dead port).
 */
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ConnectionError, HttpError, MCPClient, RpcError, SessionExpiredError, TimeoutError } from '../../src/index';
import { type ReferenceServer, startServer } from '../transport/wire-fixture';

let server: ReferenceServer;

beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server.close();
});

function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) => error,
  );
}

describe('typed errors for each failure class', () => {
  test('a JSON-RPC error is an RpcError with the numeric code', async () => {
    await using client = new MCPClient({ url: server.url, listen: false });
    const error = await failure(client.getPrompt('no_such_prompt'));
    expect(error).toBeInstanceOf(RpcError);
    expect((error as RpcError).rpcCode).toBe(-32602);
  });

  test.each([
    [503, 1],
    [429, 2],
  ])('HTTP %i from the server is an HttpError with its Retry-After header', async (status, retryAfter) => {
    await using client = new MCPClient({ url: server.url, listen: false, retry: false });
    await client.ping();
    server.faults.failNext({ status, retryAfter, match: { rpcMethod: 'tools/call' } });
    const before = server.stats().faultsInjected;
    const error = await failure(client.callTool('echo', { text: 'x' }));
    expect(error).toBeInstanceOf(HttpError);
    expect(error).toMatchObject({ status, headers: { 'retry-after': String(retryAfter) } });
    expect(server.stats().faultsInjected).toBe(before + 1);
  });

  test('a session the server expired is a SessionExpiredError naming the session', async () => {
    // Protocol sessions exist in the 2025 era only.
    await using client = new MCPClient({ era: 'legacy', url: server.url, listen: false, retry: false });
    await client.ping();
    const expired = client.mcpSessionId;
    await server.faults.expireSession(expired);
    const error = await failure(client.callTool('echo', { text: 'x' }));
    expect(error).toBeInstanceOf(SessionExpiredError);
    expect(error).toMatchObject({ status: 404, mcpSessionId: expired });
  });

  test('a refused connection is a ConnectionError that was never sent', async () => {
    const dead = await startServer();
    const url = dead.url;
    await dead.close();
    await using client = new MCPClient({ url, listen: false, retry: false });
    const error = await failure(client.ping());
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({ reason: 'refused', requestSent: false, errorCode: 'ECONNREFUSED' });
    expect(client.state).toBe('idle');
  });

  test('a server that accepts but never answers initialize gives TimeoutError kind connect', async () => {
    const silent: Server = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    try {
      await using client = new MCPClient({ url: `http://127.0.0.1:${port}/mcp`, listen: false, connectTimeoutMs: 150, retry: false });
      const error = await failure(client.ping());
      expect(error).toBeInstanceOf(TimeoutError);
      expect(error).toMatchObject({ kind: 'connect', timeoutMs: 150 });
    } finally {
      silent.close();
    }
  });
});
