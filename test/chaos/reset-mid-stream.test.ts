/**
 * Fault matrix rows "TCP reset mid-stream while `slow` reports progress, event store on" and "same,
 * event store off, non-idempotent tool". The proxy resets only the connection carrying the call, so the
 * GET stream and the session survive. With an event store the client must resume with Last-Event-ID
 * (no progress lost or repeated, tool not re-run); without one, a non-idempotent call must fail with
 * MaybeExecutedError at once instead of waiting for a timeout (the SDK waits 60 s: notes/sdk-baseline.md e4c),
 * while a read-only one is simply resent (DESIGN.md "Replay-safe").
 */
import { describe, expect, test } from 'vitest';
import { MaybeExecutedError } from '../../src/index';
import { createChaosClient } from '../support/chaos-client';
import { describeError, settle } from '../support/chaos-calls';
import { pollUntil } from '../support/chaos-poll';
import { startChaosServer } from '../support/chaos-server';

const STEPS = 10;

/** Far below the client's 60 s attempt timeout and the tool's own 3 s: "at once" has room for one round trip. */
const AT_ONCE_MS = 1_000;

describe('TCP reset mid-stream', () => {
  test('with an event store: the result arrives, every progress event exactly once, the tool ran once', async () => {
    await using chaos = await startChaosServer({ proxy: true, eventStore: true });
    const { proxy } = chaos;
    await using caller = createChaosClient({ era: 'legacy', url: chaos.url });
    await caller.client.callTool('echo', { text: 'warm up' });

    const progress: number[] = [];
    const resetDone = proxy.resetWhenServerSends('notifications/progress', 3);
    const call = settle(
      caller.client.callTool('slow', { steps: STEPS, intervalMs: 100 }, { onProgress: ({ progress: step }) => progress.push(step) }),
    );
    await resetDone;
    const outcome = await call;

    expect(outcome.ok ? outcome.value.structuredContent : outcome.error).toEqual({ steps: STEPS });
    expect(progress).toEqual(Array.from({ length: STEPS }, (_, index) => index + 1));
    expect(proxy.stats.resets).toBe(1);
    const stats = await chaos.stats();
    expect(stats.toolRuns['slow']).toBe(1);
    // Resumed, not resent: the server saw the warm-up and the call, once each.
    expect(stats.byRpcMethod['tools/call']).toBe(2);
    expect(caller.client.stats().resumes).toBe(1);
  });

  test('without an event store: a non-idempotent call fails with MaybeExecutedError at once, the tool ran once', async ({ annotate }) => {
    await using chaos = await startChaosServer({ proxy: true, eventStore: false });
    const { proxy } = chaos;
    await using caller = createChaosClient({ era: 'legacy', url: chaos.url });
    await caller.client.callTool('echo', { text: 'warm up' });

    const call = settle(caller.client.callTool('counter', { key: 'reset-no-store', delayMs: 3_000 }));
    await pollUntil(async () => (await chaos.stats()).toolRuns['counter'] === 1, { what: 'counter to start' });
    const resetAt = Date.now();
    expect(proxy.resetWhereClientSent('"name":"counter"')).toBe(1);
    const outcome = await call;

    await annotate(`rejected ${outcome.at - resetAt} ms after the reset`);
    expect(outcome.ok ? 'resolved' : outcome.error).toBeInstanceOf(MaybeExecutedError);
    expect(outcome.at - resetAt).toBeLessThan(AT_ONCE_MS);
    expect(await chaos.counterRuns('reset-no-store')).toBe(1);
    const stats = await chaos.stats();
    expect(stats.toolRuns['counter']).toBe(1);
    // Not resent: the server saw the warm-up and the call, once each.
    expect(stats.byRpcMethod['tools/call']).toBe(2);
    expect(caller.client.stats().replaysRefused).toBe(1);
  });

  test('without an event store: a read-only tool whose answer was lost is resent, unasked, and the caller gets its result', async () => {
    await using chaos = await startChaosServer({ proxy: true, eventStore: false });
    const { proxy } = chaos;
    // No listTools first: the client must learn that `slow` is readOnlyHint from the server on its own.
    await using caller = createChaosClient({ era: 'legacy', url: chaos.url });
    await caller.client.callTool('echo', { text: 'warm up' });

    const resetDone = proxy.resetWhenServerSends('notifications/progress', 3);
    const call = settle(caller.client.callTool('slow', { steps: 5, intervalMs: 100 }, { onProgress: () => undefined }));
    await resetDone;
    const outcome = await call;

    expect(outcome.ok ? outcome.value.structuredContent : describeError(outcome.error)).toEqual({ steps: 5 });
    // Replayed, not resumed: the tool ran again from the start.
    expect((await chaos.stats()).toolRuns['slow']).toBe(2);
  });
});
