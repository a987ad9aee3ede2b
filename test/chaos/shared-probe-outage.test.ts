/**
 * Issue 10 item 11: during an outage one shared reachability probe gates every waiting call. Before it, each
 * waiting call probed on its own: 49 calls made 113-205 attempts in a 2.4-3.4 s outage. Now the first attempt
 * that finds nothing listening closes the client's gate; held-back attempts wait on it, one of them goes out
 * per `reconnectDelayMs` interval as the probe, and the first answer releases every waiter at once.
 *
 * Counted where they happen: refused connections never reach a listening process (no proxy or server can
 * count them), so every TCP connect undici starts in this process is counted on its diagnostics channel
 * (`undici:client:beforeConnect`), from the moment the 50 calls wait until the server accepts again.
 */
import diagnosticsChannel from 'node:diagnostics_channel';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { RETRY_DEFAULTS } from '../../src/retry/index';
import { clearEraVerdicts } from '../../src/session/era-cache';
import { createChaosClient } from '../support/chaos-client';
import { failuresOf, realDelay, settle, type Settled } from '../support/chaos-calls';
import { startModernChaosServer } from '../support/chaos-modern-server';
import { probePortAccepting } from '../support/chaos-port-probe';
import { pollUntil } from '../support/chaos-poll';
import { startChaosServer } from '../support/chaos-server';

const CALLS = 50;
const OUTAGE_MS = 2_000;
/** O(1) per interval: the probe, plus the notification stream's own (backed-off) reconnects; 3 leaves room. */
const MAX_CONNECTS_PER_INTERVAL = 3;

let connects = 0;
const onConnect = (): void => {
  connects++;
};
beforeEach(() => {
  clearEraVerdicts();
  diagnosticsChannel.subscribe('undici:client:beforeConnect', onConnect);
});
afterEach(() => {
  diagnosticsChannel.unsubscribe('undici:client:beforeConnect', onConnect);
});

interface Outage {
  readonly server: { readonly port: number; kill(): Promise<void>; start(): Promise<void> };
  readonly url: string;
}

async function ride(outage: Outage, era: 'legacy' | 'modern', annotate: (note: string) => Promise<unknown>): Promise<void> {
  await using caller = createChaosClient({ url: outage.url, era, retry: { maxElapsedMs: 60_000 }, totalTimeoutMs: 90_000 });
  const { client } = caller;
  await client.callTool('echo', { text: 'before' });
  await outage.server.kill();
  // The first call finds the server gone and closes the gate; the other 49 then wait on it.
  const calls: Promise<Settled<unknown>>[] = [settle(client.callTool('echo', { text: 'first' }))];
  await pollUntil(() => caller.events.retry.length > 0, { what: 'the first refused attempt', timeoutMs: 10_000 });
  for (let index = 1; index < CALLS; index++) calls.push(settle(client.callTool('echo', { text: `waiting ${index}` })));
  const before = connects;
  const waitingSince = Date.now();
  await realDelay(OUTAGE_MS);
  const probe = probePortAccepting(outage.server.port, { intervalMs: 5, maxMs: 60_000 });
  let acceptingAt: number;
  try {
    await outage.server.start();
    acceptingAt = await probe.acceptingAt;
  } finally {
    probe.stop();
  }
  const during = connects - before;
  const intervals = Math.ceil((acceptingAt - waitingSince) / RETRY_DEFAULTS.reconnectDelayMs);
  const outcomes = await Promise.all(calls);
  await annotate(
    `${era}: ${during} connects in ${acceptingAt - waitingSince} ms (${intervals} intervals) while ${CALLS} calls waited; ` +
      `retries ${client.stats().retries}, reinitializations ${client.stats().reinitializations}`,
  );
  expect(failuresOf(outcomes)).toEqual([]);
  expect(during).toBeLessThanOrEqual(MAX_CONNECTS_PER_INTERVAL * intervals + 2);
  // The retry loops woke once per probe or at the release, not every ~125 ms each (that was ~50 per interval).
  expect(client.stats().retries).toBeLessThan(CALLS + 2 * intervals + 10);
}

describe('one shared reachability probe during an outage', () => {
  test('legacy era (reference server, memory store): 50 waiting calls make O(1) connects per interval and all succeed after the restart', async ({ annotate }) => {
    await using chaos = await startChaosServer();
    await ride({ server: chaos.server, url: chaos.url }, 'legacy', annotate);
  }, 120_000);

  test('modern era (official v2 server): 50 waiting calls make O(1) connects per interval and all succeed after the restart', async ({ annotate }) => {
    await using chaos = await startModernChaosServer();
    await ride({ server: chaos.server, url: chaos.url }, 'modern', annotate);
  }, 120_000);
});
