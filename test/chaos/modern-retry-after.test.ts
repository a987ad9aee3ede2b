/**
 * Fault matrix rows "503 with Retry-After" and "429 burst" in the 2026-07-28 era. The official v2 client
 * rejects at once (`SdkHttpError`, notes/mcp-2026-07-28.md); MCPClient's one retry policy honours the hint in
 * both eras. Whether the refusal hits the handshake probe or a call, it is load, never era evidence.
 */
import { beforeEach, describe, expect, test } from 'vitest';
import { clearEraVerdicts } from '../../src/session/era-cache';
import { createChaosClient } from '../support/chaos-client';
import { failuresOf, settle } from '../support/chaos-calls';
import { startModernChaosServer } from '../support/chaos-modern-server';

beforeEach(() => clearEraVerdicts());

describe('modern era: Retry-After', () => {
  test.each([503, 429])('one %i with Retry-After: 1 on a call: resent once, after at least 1 s, run once', async (status) => {
    await using chaos = await startModernChaosServer();
    await using caller = createChaosClient({ url: chaos.url });
    await caller.client.callTool('echo', { text: 'warm up' });
    await chaos.failNext({ status, retryAfter: 1 });
    const startedAt = Date.now();
    const outcome = await settle(caller.client.callTool('counter', { key: `retry-after-${status}` }));

    expect(failuresOf([outcome])).toEqual([]);
    expect(caller.events.retry).toHaveLength(1);
    expect(caller.events.retry[0]?.payload.delayMs).toBeGreaterThanOrEqual(1_000);
    expect(outcome.at - startedAt).toBeGreaterThanOrEqual(1_000);
    expect(await chaos.counterRuns(`retry-after-${status}`)).toBe(1);
    expect((await chaos.stats()).byStatus[String(status)]).toBe(1);
  });

  test('a 503 on the handshake probe is retried, not taken for a legacy server', async () => {
    await using chaos = await startModernChaosServer();
    await chaos.failNext({ status: 503, retryAfter: 1 });
    await using caller = createChaosClient({ url: chaos.url });
    const outcome = await settle(caller.client.callTool('echo', { text: 'first' }));

    expect(failuresOf([outcome])).toEqual([]);
    expect(caller.client.era).toBe('modern');
    // The first request (the tool list the call learns) met the refused probe and waited as told.
    expect(caller.events.retry).toHaveLength(1);
    expect(caller.events.retry[0]?.payload.delayMs).toBeGreaterThanOrEqual(1_000);
    expect((await chaos.stats()).byMethod['server/discover']).toBe(2);
  });
});
