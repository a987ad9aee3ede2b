/**
 * Fault matrix row "network cut 4 s with the session alive". The TCP proxy resets every connection and
 * refuses new ones for 4 s while the server and its session live on. Pass: the calls made during the
 * cut recover, the GET notification stream comes back, and a notification sent afterwards arrives.
 * Real time: the outage is the scenario. The official SDK client's GET stream gives up at 3.5 s and
 * notifications are lost silently (notes/sdk-baseline.md e3c).
 */
import { describe, expect, test } from 'vitest';
import { createChaosClient } from '../support/chaos-client';
import { failuresOf, realDelay, settle } from '../support/chaos-calls';
import { pollUntil } from '../support/chaos-poll';
import { startChaosServer } from '../support/chaos-server';

const CUT_MS = 4_000;

describe('network cut with the session alive', () => {
  test('calls made during a 4 s cut recover, the GET stream comes back and a later notification arrives', async ({ annotate }) => {
    await using chaos = await startChaosServer({ proxy: true });
    const { proxy } = chaos;
    await using caller = createChaosClient({ era: 'legacy', url: chaos.url, retry: { retries: 10_000, maxElapsedMs: 15_000, maxDelayMs: 500 } });
    await caller.client.callTool('echo', { text: 'before' });
    await pollUntil(() => caller.events.stream.some(({ payload }) => payload.type === 'open'), { what: 'the GET stream to open' });
    const sessionBefore = caller.client.mcpSessionId;

    const cut = proxy.cut(CUT_MS);
    const during = [0, 1_000, 2_000, 3_000].map((startAfterMs) =>
      realDelay(startAfterMs).then(() => settle(caller.client.callTool('echo', { text: `during +${startAfterMs}` }))),
    );
    const backAt = await cut;
    const outcomes = await Promise.all(during);

    expect(failuresOf(outcomes)).toEqual([]);
    // The session lived through the cut: no re-initialize was needed.
    expect(caller.client.mcpSessionId).toBe(sessionBefore);
    expect((await chaos.stats()).initializeCount).toBe(1);
    const reopened = await pollUntil(() => caller.events.stream.find(({ at, payload }) => payload.type === 'open' && at >= backAt), {
      what: 'the GET stream to reopen after the cut',
      timeoutMs: 10_000,
    });
    const lastCallAt = Math.max(...outcomes.map(({ at }) => at));
    await annotate(`last call done ${lastCallAt - backAt} ms after the network came back; GET stream back after ${reopened.at - backAt} ms`);
    await caller.client.callTool('notify', { text: 'after the cut' });
    await pollUntil(
      () => caller.events.notification.some(({ payload }) => payload.method === 'notifications/message' && payload.params?.['data'] === 'after the cut'),
      { what: 'the notification sent after the cut' },
    );
    expect(caller.events.notification.filter(({ payload }) => payload.params?.['data'] === 'after the cut')).toHaveLength(1);
  }, 30_000);
});
