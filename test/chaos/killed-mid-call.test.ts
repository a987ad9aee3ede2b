/**
 * Fault matrix row "server killed mid-call to `counter` and restarted". `counter` is not idempotent and
 * writes its ledger line before it waits, so once the server reports it running, exactly one execution
 * exists. SIGKILL then loses the answer (and the in-memory event store with it). Pass: the caller gets
 * the result or MaybeExecutedError, and the ledger never shows a second execution - not even after the
 * client has recovered and made more calls. A naive retry runs it twice (notes/sdk-baseline.md e6a).
 * The read-only counterpart ("server killed mid-stream", DESIGN.md) must be replayed instead: the SDK client
 * leaves that caller waiting for its 60 s timeout (notes/sdk-baseline.md e4b).
 */
import { describe, expect, test } from 'vitest';
import { MaybeExecutedError } from '../../src/index';
import { createChaosClient } from '../support/chaos-client';
import { describeError, settle } from '../support/chaos-calls';
import { pollUntil } from '../support/chaos-poll';
import { startChaosServer } from '../support/chaos-server';

const KEY = 'killed-mid-call';

describe('server killed mid-call and restarted', () => {
  test('counter ran exactly once; the caller gets the result or MaybeExecutedError, never a second execution', async ({ annotate }) => {
    await using chaos = await startChaosServer({ eventStore: true });
    await using caller = createChaosClient({ era: 'legacy', url: chaos.url, retry: { retries: 10_000, maxElapsedMs: 15_000, maxDelayMs: 500 } });
    await caller.client.callTool('echo', { text: 'warm up' });

    const call = settle(caller.client.callTool('counter', { key: KEY, delayMs: 2_000 }));
    await pollUntil(async () => (await chaos.stats()).toolRuns['counter'] === 1, { what: 'counter to start' });
    const killedAt = Date.now();
    await chaos.server.kill();
    await chaos.server.start();
    const outcome = await call;
    await annotate(`${outcome.ok ? 'result' : describeError(outcome.error)}, settled ${outcome.at - killedAt} ms after the kill`);

    if (!outcome.ok) expect(outcome.error, describeError(outcome.error)).toBeInstanceOf(MaybeExecutedError);
    expect(await chaos.counterRuns(KEY)).toBe(1);
    // The client is usable again, and recovering did not replay the counter call behind the caller's back.
    await caller.client.callTool('echo', { text: 'after the restart' });
    expect(await chaos.counterRuns(KEY)).toBe(1);
    expect((await chaos.stats()).toolRuns['counter']).toBeUndefined();
  });

  test('a read-only call killed mid-stream is replayed after the restart: the caller gets its result, not a timeout', async ({ annotate }) => {
    await using chaos = await startChaosServer({ eventStore: true });
    // No listTools first: the client must learn that `slow` is readOnlyHint from the server on its own.
    await using caller = createChaosClient({ era: 'legacy', url: chaos.url, retry: { retries: 10_000, maxElapsedMs: 15_000, maxDelayMs: 500 } });
    await caller.client.callTool('echo', { text: 'warm up' });

    const call = settle(caller.client.callTool('slow', { steps: 10, intervalMs: 100 }, { onProgress: () => undefined }));
    await pollUntil(async () => (await chaos.stats()).toolRuns['slow'] === 1, { what: 'slow to start' });
    await chaos.server.kill();
    const restartedAt = Date.now();
    await chaos.server.start();
    const outcome = await call;
    await annotate(`${outcome.ok ? 'result' : describeError(outcome.error)}, settled ${outcome.at - restartedAt} ms after the restart began`);

    expect(outcome.ok ? outcome.value.structuredContent : describeError(outcome.error)).toEqual({ steps: 10 });
    // The dead process's event store died with it: the restarted one ran the tool again, once.
    expect((await chaos.stats()).toolRuns['slow']).toBe(1);
  });
});
