/**
 * Fault matrix rows "server down 2 s, then back" and "close() during a call" in the 2026-07-28 era, against
 * the official v2 server. Without sessions there is nothing to re-initialize: calls made while the server is
 * down wait (probing every `reconnectDelayMs`) and go through once it accepts again; `close()` ends a call at
 * once with ClosedError and leaves no DELETE to send.
 */
import { beforeEach, describe, expect, test } from 'vitest';
import { ClosedError } from '../../src/index';
import { clearEraVerdicts } from '../../src/session/era-cache';
import { createChaosClient } from '../support/chaos-client';
import { describeError, failuresOf, realDelay, settle, type Settled } from '../support/chaos-calls';
import { startModernChaosServer } from '../support/chaos-modern-server';
import { probePortAccepting } from '../support/chaos-port-probe';
import { pollUntil } from '../support/chaos-poll';

beforeEach(() => clearEraVerdicts());

describe('modern era: outages and close()', () => {
  test('server down 2 s: no caller sees a failure, and the first success follows the restart soon (probed every 250 ms)', async ({ annotate }) => {
    await using chaos = await startModernChaosServer();
    await using caller = createChaosClient({ url: chaos.url });
    await caller.client.callTool('echo', { text: 'before' });
    await chaos.server.kill();
    const calls: Promise<Settled<unknown>>[] = [];
    for (const startAfterMs of [0, 1_000, 1_900]) {
      calls.push(realDelay(startAfterMs).then(() => settle(caller.client.callTool('echo', { text: `during +${startAfterMs}` }))));
    }
    await realDelay(2_000);
    const probe = probePortAccepting(chaos.server.port, { intervalMs: 5, maxMs: 30_000 });
    try {
      await chaos.server.start();
      const acceptingAt = await probe.acceptingAt;
      const outcomes = await Promise.all(calls);
      const firstSuccess = Math.min(...outcomes.flatMap((outcome) => (outcome.ok ? [outcome.at] : [])));
      await annotate(`first success ${firstSuccess - acceptingAt} ms after the server accepted`);
      expect(failuresOf(outcomes)).toEqual([]);
      // Probing every reconnectDelayMs (250 ms, jittered) finds it within about that; 1 s leaves a loaded box room.
      expect(firstSuccess - acceptingAt).toBeLessThan(1_000);
      expect(caller.client.stats().reinitializations).toBe(0);
    } finally {
      probe.stop();
    }
  }, 30_000);

  test('close() during a call: ClosedError at once, no DELETE (no session to end)', async ({ annotate }) => {
    await using chaos = await startModernChaosServer();
    const caller = createChaosClient({ url: chaos.url });
    await caller.client.callTool('echo', { text: 'warm up' });
    const call = settle(caller.client.callTool('slow', { steps: 20, intervalMs: 100 }));
    await pollUntil(async () => (await chaos.stats()).toolRuns['slow'] === 1, { what: 'slow to start' });
    const closedAt = Date.now();
    await caller.client.close();
    const outcome = await call;
    await annotate(`${outcome.ok ? 'resolved' : describeError(outcome.error)} ${outcome.at - closedAt} ms after close()`);
    expect(outcome.ok ? 'resolved' : outcome.error).toBeInstanceOf(ClosedError);
    expect(outcome.at - closedAt).toBeLessThan(1_000);
    expect((await chaos.stats()).byMethod['DELETE'] ?? 0).toBe(0);
  });
});
