/**
 * Fault matrix row "a 429 burst (the next 5 responses)". Three concurrent callers share five 429s with
 * Retry-After: 1, so by pigeonhole at least one caller is refused twice in a row. Pass: no failure
 * within the budget, and every wait honours the server's 1 s. Real time: the hint is the scenario.
 */
import { describe, expect, test } from 'vitest';
import { createChaosClient } from '../support/chaos-client';
import { failuresOf, settle } from '../support/chaos-calls';
import { startChaosServer } from '../support/chaos-server';

const BURST = 5;
const CALLERS = 3;
const RETRY_AFTER_MS = 1_000;

describe('a 429 burst', () => {
  test('five 429s with Retry-After: 1 cost no failure, and every retry waited at least 1 s', async () => {
    await using chaos = await startChaosServer();
    await using caller = createChaosClient({ era: 'legacy', url: chaos.url, retry: { retries: 6, maxElapsedMs: 15_000 } });
    await caller.client.callTool('echo', { text: 'warm up' });

    await chaos.server.faults.failNext({ count: BURST, status: 429, retryAfter: 1, match: { rpcMethod: 'tools/call' } });
    const startedAt = Date.now();
    const outcomes = await Promise.all(
      Array.from({ length: CALLERS }, (_, call) => settle(caller.client.callTool('echo', { text: `caller ${call}` }))),
    );

    expect(failuresOf(outcomes)).toEqual([]);
    expect(caller.events.retry).toHaveLength(BURST);
    expect(caller.events.retry.filter(({ payload }) => payload.delayMs < RETRY_AFTER_MS)).toEqual([]);
    // Someone was refused twice, so the slowest caller waited two full hints.
    expect(Math.max(...outcomes.map(({ at }) => at)) - startedAt).toBeGreaterThanOrEqual(2 * RETRY_AFTER_MS);
    const stats = await chaos.stats();
    expect(stats.faultsInjected).toBe(BURST);
    expect(stats.toolRuns['echo']).toBe(1 + CALLERS);
  });
});
