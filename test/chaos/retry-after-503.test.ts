/**
 * Fault matrix row "one 503 with Retry-After: 1, on a call, on initialize, and on the GET stream".
 * Pass: each is retried after at least 1 s (the server's hint, not the client's shorter backoff) and
 * no caller sees a failure. Real time: honouring a 1 s Retry-After is the scenario. The official SDK
 * client rejects in 2 ms, cannot connect, and never retries the GET stream (notes/sdk-baseline.md e5).
 */
import { describe, expect, test } from 'vitest';
import type { HttpError } from '../../src/index';
import { createChaosClient } from '../support/chaos-client';
import { failuresOf, settle } from '../support/chaos-calls';
import { pollUntil } from '../support/chaos-poll';
import { startChaosServer } from '../support/chaos-server';

const RETRY_AFTER_MS = 1_000;

describe('one 503 with Retry-After: 1', () => {
  test('on a call: retried once, after at least 1 s, and the caller sees no failure', async () => {
    await using chaos = await startChaosServer();
    await using caller = createChaosClient({ era: 'legacy', url: chaos.url });
    await caller.client.callTool('echo', { text: 'warm up' });

    await chaos.server.faults.failNext({ status: 503, retryAfter: 1, match: { rpcMethod: 'tools/call' } });
    const startedAt = Date.now();
    const outcome = await settle(caller.client.callTool('echo', { text: 'through a 503' }));

    expect(failuresOf([outcome])).toEqual([]);
    expect(outcome.at - startedAt).toBeGreaterThanOrEqual(RETRY_AFTER_MS);
    expect(caller.events.retry.map(({ payload }) => [payload.method, payload.delayMs >= RETRY_AFTER_MS])).toEqual([['tools/call', true]]);
    const stats = await chaos.stats();
    expect(stats.faultsInjected).toBe(1);
    expect(stats.byRpcMethod['tools/call']).toBe(3);
    expect(stats.toolRuns['echo']).toBe(2);
  });

  test('on initialize: the connect is retried once, after at least 1 s, and the first call succeeds', async () => {
    await using chaos = await startChaosServer();
    await using caller = createChaosClient({ era: 'legacy', url: chaos.url });

    await chaos.server.faults.failNext({ status: 503, retryAfter: 1, match: { rpcMethod: 'initialize' } });
    const startedAt = Date.now();
    const outcome = await settle(caller.client.callTool('echo', { text: 'first call' }));

    expect(failuresOf([outcome])).toEqual([]);
    expect(outcome.at - startedAt).toBeGreaterThanOrEqual(RETRY_AFTER_MS);
    // A lazy connect is retried inside the call, so the event names the call's method; the cause is the 503.
    expect(caller.events.retry.map(({ payload }) => [(payload.cause as HttpError).status, payload.delayMs >= RETRY_AFTER_MS])).toEqual([[503, true]]);
    const stats = await chaos.stats();
    expect(stats.faultsInjected).toBe(1);
    expect(stats.initializeCount).toBe(2);
    expect(stats.toolRuns['echo']).toBe(1);
  });

  test('on the GET stream: it is reopened once, at least 1 s after the 503, while calls keep succeeding', async () => {
    await using chaos = await startChaosServer();
    await using caller = createChaosClient({ era: 'legacy', url: chaos.url });

    await chaos.server.faults.failNext({ status: 503, retryAfter: 1, match: { httpMethod: 'GET' } });
    const outcome = await settle(caller.client.callTool('echo', { text: 'while the stream waits' }));
    const failedAt = (await pollUntil(() => caller.events.stream.find(({ payload }) => payload.type === 'error'), { what: 'the GET stream to fail' })).at;
    const openedAt = (
      await pollUntil(() => caller.events.stream.find(({ payload }) => payload.type === 'open'), { what: 'the GET stream to reopen' })
    ).at;

    expect(failuresOf([outcome])).toEqual([]);
    expect(openedAt - failedAt).toBeGreaterThanOrEqual(RETRY_AFTER_MS);
    const stats = await chaos.stats();
    expect(stats.faultsInjected).toBe(1);
    expect(stats.byHttpMethod['GET']).toBe(2);
    expect(caller.events.stream.filter(({ payload }) => payload.type === 'error')).toHaveLength(1);
  });
});
