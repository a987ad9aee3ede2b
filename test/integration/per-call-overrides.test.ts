/**
 * Issue 10 item 14: `retry` and `replay` per call, like openai-node's per-request `maxRetries` and ky's per-request
 * `retry`. Resolved once per call (fields a call omits keep the client's values), before the retry loop and the
 * replay decision; checked like the client's options, unknown keys included. Real reference server, in process.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { HttpError, MCPClient, MaybeExecutedError, SessionExpiredError } from '../../src/index';
import { type ReferenceServer, startServer, waitFor } from '../transport/wire-fixture';

let server: ReferenceServer;
beforeAll(async () => {
  // No event store: a cut stream cannot be resumed, so the replay decision is what happens next.
  server = await startServer({ eventStore: false });
});
afterAll(async () => {
  await server.close();
});

const FAST_RETRY = { retries: 4, minDelayMs: 1, maxDelayMs: 20, maxRetryAfterMs: 50 } as const;

function outcome(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => value,
    (error: unknown) => error,
  );
}

function toolCalls(): number {
  return server.stats().byRpcMethod['tools/call'] ?? 0;
}

async function cutDuring(call: Promise<unknown>, tool: string): Promise<unknown> {
  const before = server.stats().toolRuns[tool] ?? 0;
  const settled = outcome(call);
  await waitFor(() => (server.stats().toolRuns[tool] ?? 0) > before);
  server.faults.cutStreams();
  return settled;
}

describe('retry per call', () => {
  test('retry: { retries: 0 } on one call: a 503 fails it at once, while the next call rides out a 503 with the client policy', async () => {
    await using client = new MCPClient({ era: 'legacy', url: server.url, listen: false, retry: FAST_RETRY });
    await client.listTools();
    server.faults.failNext({ status: 503, retryAfter: 0, match: { rpcMethod: 'tools/call' } });
    let before = toolCalls();
    const error = await outcome(client.callTool('echo', { text: 'once' }, { retry: { retries: 0 } }));
    expect(error).toBeInstanceOf(HttpError);
    expect(error).toMatchObject({ status: 503 });
    expect(toolCalls() - before).toBe(1);

    server.faults.failNext({ status: 503, retryAfter: 0, match: { rpcMethod: 'tools/call' } });
    before = toolCalls();
    expect((await client.callTool('echo', { text: 'again' })).structuredContent).toEqual({ text: 'again' });
    expect(toolCalls() - before).toBe(2);
  });

  test('fields a call omits keep the client values: a client without retries, a call with 2', async () => {
    await using client = new MCPClient({ era: 'legacy', url: server.url, listen: false, retry: { ...FAST_RETRY, retries: 0 } });
    await client.listTools();
    server.faults.failNext({ count: 2, status: 503, retryAfter: 0, match: { rpcMethod: 'tools/call' } });
    const before = toolCalls();
    expect((await client.callTool('echo', { text: 'ridden' }, { retry: { retries: 2 } })).structuredContent).toEqual({ text: 'ridden' });
    expect(toolCalls() - before).toBe(3);
  });

  test('retry: false on one call turns recovery off for it: a lost session surfaces raw', async () => {
    await using client = new MCPClient({ era: 'legacy', url: server.url, listen: false, retry: FAST_RETRY });
    await client.listTools();
    expect(await server.faults.expireSession(client.mcpSessionId)).toBe(1);
    const error = await outcome(client.listTools({ refresh: true, retry: false }));
    expect(error).toBeInstanceOf(SessionExpiredError);
    expect(client.stats().reinitializations).toBe(0);
    // The next call, under the client policy, recovers.
    expect((await client.listTools({ refresh: true })).tools.length).toBeGreaterThan(0);
    expect(client.stats().reinitializations).toBe(1);
  });
});

describe('replay per call', () => {
  test("replay: 'never' on one call refuses to resend a read-only tool whose answer was lost", async () => {
    await using client = new MCPClient({ era: 'legacy', url: server.url, listen: false, retry: FAST_RETRY });
    await client.listTools();
    const refused = await cutDuring(client.callTool('slow', { steps: 3, intervalMs: 100 }, { replay: 'never' }), 'slow');
    expect(refused).toBeInstanceOf(MaybeExecutedError);
    // The same call under the client's 'safe' policy is resent (readOnlyHint from a trusted server).
    const resent = await cutDuring(client.callTool('slow', { steps: 3, intervalMs: 100 }), 'slow');
    expect(resent).toMatchObject({ structuredContent: { steps: 3 } });
    expect(client.stats().replaysRefused).toBe(1);
  });

  test("replay: 'always' on one call resends a non-idempotent tool: the caller accepted a second execution", async () => {
    await using client = new MCPClient({ era: 'legacy', url: server.url, listen: false, retry: FAST_RETRY });
    await client.listTools();
    const before = server.stats().toolRuns.counter ?? 0;
    const result = await cutDuring(client.callTool('counter', { key: 'per-call-always', delayMs: 200 }, { replay: 'always' }), 'counter');
    expect(result).toMatchObject({ structuredContent: { key: 'per-call-always' } });
    expect((server.stats().toolRuns.counter ?? 0) - before).toBe(2);
  });
});

describe('per-call options are checked before anything is sent', () => {
  test.each([
    ['callTool', (client: MCPClient) => client.callTool('echo', {}, { retries: 1 } as never), 'Unknown call option `retries`; did you mean `retry: { retries }`?'],
    ['callTool', (client: MCPClient) => client.callTool('echo', {}, { retry: { maxAttempts: 1 } } as never), 'Unknown option `retry.maxAttempts`; did you mean `retry.retries`?'],
    ['listTools', (client: MCPClient) => client.listTools({ page: 'x' } as never), 'Unknown call option `page`; did you mean `cursor`?'],
    ['readResource', (client: MCPClient) => client.readResource('archon://status', { cursor: 'x' } as never), 'Unknown call option `cursor`'],
    ['getPrompt', (client: MCPClient) => client.getPrompt('p', {}, { timeout: 5 } as never), 'Unknown call option `timeout`; did you mean `timeoutMs`?'],
    ['ping', (client: MCPClient) => client.ping({ replay: 'sometimes' } as never), "Expected `replay` to be 'safe', 'never' or 'always', got \"sometimes\""],
    ['ping', (client: MCPClient) => client.ping({ retry: true } as never), 'Expected `retry` to be an object or false, got boolean'],
    ['listPrompts', (client: MCPClient) => client.listPrompts({ retry: { retries: -1 } }), 'Expected `retry.retries` to be a non-negative integer, got -1'],
  ])('%s: %s', async (_, call, message) => {
    await using client = new MCPClient({ url: 'http://127.0.0.1:9/mcp', retry: false });
    const error = await outcome(call(client));
    expect(error).toBeInstanceOf(TypeError);
    expect((error as TypeError).message).toContain(message);
    expect(client.stats().calls).toBe(0);
  });
});
