/**
 * Fault matrix rows in the 2026-07-28 era, against the official v2 server as a child process (issue 8 "Prove
 * it"). The modern era has no session to lose and no resumption: a restart between calls costs nothing but
 * refused connections, and an answer lost mid-call can only be re-issued under a new id - which the client
 * does for a read-only tool and refuses (MaybeExecutedError) for a non-idempotent one, whose ledger proves it
 * ran exactly once. The official v2 client fails all three (notes/mcp-2026-07-28.md: a bare `fetch failed`).
 */
import { beforeEach, describe, expect, test } from 'vitest';
import { MaybeExecutedError } from '../../src/index';
import { clearEraVerdicts } from '../../src/session/era-cache';
import { createChaosClient } from '../support/chaos-client';
import { describeError, failuresOf, settle } from '../support/chaos-calls';
import { startModernChaosServer } from '../support/chaos-modern-server';
import { pollUntil } from '../support/chaos-poll';

const RETRY = { retries: 10_000, maxElapsedMs: 15_000, maxDelayMs: 500 };

beforeEach(() => clearEraVerdicts());

describe('modern era: restarts and kills', () => {
  test('server restarted between calls: no caller sees a failure, and nothing is re-negotiated', async ({ annotate }) => {
    await using chaos = await startModernChaosServer();
    await using caller = createChaosClient({ url: chaos.url, retry: RETRY });
    const before = await Promise.all([0, 1, 2].map((index) => settle(caller.client.callTool('echo', { text: `before ${index}` }))));
    await chaos.server.restart();
    const after = await Promise.all([0, 1, 2, 3, 4].map((index) => settle(caller.client.callTool('echo', { text: `after ${index}` }))));
    await annotate(`client ${JSON.stringify(caller.client.stats())}`);

    expect(failuresOf([...before, ...after])).toEqual([]);
    expect(caller.client.era).toBe('modern');
    // No session in this era: the restarted process serves the next request as it is.
    expect(caller.client.stats().reinitializations).toBe(0);
    expect((await chaos.stats()).byMethod['server/discover'] ?? 0).toBe(0);
  });

  test('killed mid non-idempotent call: MaybeExecutedError at once, and the tool ran exactly once', async ({ annotate }) => {
    await using chaos = await startModernChaosServer();
    await using caller = createChaosClient({ url: chaos.url, retry: RETRY });
    await caller.client.callTool('echo', { text: 'warm up' });

    const call = settle(caller.client.callTool('counter', { key: 'modern-killed', delayMs: 3_000 }));
    await pollUntil(async () => (await chaos.counterRuns('modern-killed')) === 1, { what: 'counter to start' });
    const killedAt = Date.now();
    await chaos.server.kill();
    const outcome = await call;
    await chaos.server.start();
    await annotate(`${outcome.ok ? 'result' : describeError(outcome.error)}, settled ${outcome.at - killedAt} ms after the kill`);

    expect(outcome.ok ? 'resolved' : outcome.error).toBeInstanceOf(MaybeExecutedError);
    expect(caller.client.stats().replaysRefused).toBe(1);
    await caller.client.callTool('echo', { text: 'after the restart' });
    expect(await chaos.counterRuns('modern-killed')).toBe(1);
  });

  test('killed mid read-only call: re-issued under a new id after the restart, and the result delivered', async ({ annotate }) => {
    await using chaos = await startModernChaosServer();
    // No listTools first: the client learns that `slow` is readOnlyHint from the server on its own.
    await using caller = createChaosClient({ url: chaos.url, retry: RETRY });
    await caller.client.callTool('echo', { text: 'warm up' });

    const progress: number[] = [];
    const call = settle(caller.client.callTool('slow', { steps: 10, intervalMs: 100 }, { onProgress: ({ progress: value }) => progress.push(value) }));
    await pollUntil(() => progress.length >= 2, { what: 'slow to report progress' });
    await chaos.server.kill();
    const restartedAt = Date.now();
    await chaos.server.start();
    const outcome = await call;
    await annotate(`${outcome.ok ? 'result' : describeError(outcome.error)}, settled ${outcome.at - restartedAt} ms after the restart began`);

    expect(outcome.ok ? outcome.value.structuredContent : describeError(outcome.error)).toEqual({ steps: 10 });
    // The new process ran it once; the dead one's run was lost with its answer.
    expect((await chaos.stats()).toolRuns['slow']).toBe(1);
    expect(caller.client.stats().replaysRefused).toBe(0);
  });
});
