/**
 * Fault matrix row "network cut" in the 2026-07-28 era: the TCP proxy resets every connection and refuses new
 * ones for 4 s while the v2 server lives on. Pass: calls made during the cut recover, the listen stream comes
 * back on its own (re-sent with capped backoff; there is no replay), the tool list is re-fetched after the gap,
 * and the next change notification arrives exactly once.
 */
import { beforeEach, expect, test } from 'vitest';
import { clearEraVerdicts } from '../../src/session/era-cache';
import { createChaosClient } from '../support/chaos-client';
import { failuresOf, realDelay, settle } from '../support/chaos-calls';
import { startModernChaosServer } from '../support/chaos-modern-server';
import { pollUntil } from '../support/chaos-poll';

const CUT_MS = 4_000;

beforeEach(() => clearEraVerdicts());

test('modern era: calls during a 4 s cut recover, the listen stream comes back, the next list change arrives once', async ({ annotate }) => {
  await using chaos = await startModernChaosServer({ proxy: true });
  const proxy = chaos.proxy!;
  await using caller = createChaosClient({ url: chaos.url, retry: { retries: 10_000, maxElapsedMs: 15_000, maxDelayMs: 500 } });
  await caller.client.callTool('echo', { text: 'before' });
  await pollUntil(() => caller.events.stream.some(({ payload }) => payload.type === 'open'), { what: 'the listen stream to be acknowledged' });
  const listsBefore = (await chaos.stats()).byMethod['tools/list'] ?? 0;

  const cut = proxy.cut(CUT_MS);
  const during = [0, 1_000, 2_000, 3_000].map((startAfterMs) =>
    realDelay(startAfterMs).then(() => settle(caller.client.callTool('echo', { text: `during +${startAfterMs}` }))),
  );
  const backAt = await cut;
  const outcomes = await Promise.all(during);
  expect(failuresOf(outcomes)).toEqual([]);

  const reopened = await pollUntil(() => caller.events.stream.find(({ at, payload }) => payload.type === 'open' && at >= backAt), {
    what: 'the listen stream to come back after the cut',
    timeoutMs: 10_000,
  });
  // After the gap the client re-listed the tools: a tools/list_changed sent during the cut would be lost.
  await pollUntil(async () => ((await chaos.stats()).byMethod['tools/list'] ?? 0) > listsBefore, { what: 'the tools to be re-listed after the gap' });
  await annotate(`listen stream back ${reopened.at - backAt} ms after the network; client ${JSON.stringify(caller.client.stats())}`);

  const changed = (): number => caller.events.notification.filter(({ at, payload }) => payload.method === 'notifications/tools/list_changed' && at >= backAt).length;
  await chaos.changeTools();
  await pollUntil(() => changed() === 1, { what: 'the list change sent after the cut' });
  await realDelay(300);
  expect(changed()).toBe(1);
  // One stream, not a pile of them: the server holds exactly one open listen response.
  expect((await chaos.stats()).listenOpen).toBe(1);
}, 30_000);
