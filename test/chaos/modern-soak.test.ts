/**
 * The soak in the 2026-07-28 era: 2,000 calls at concurrency 8 (echo, the read-only `slow` with an
 * outputSchema, the non-idempotent `counter`; more of the same if the injector has not met every fault kind
 * yet) against the official v2 server behind the TCP proxy, while a seeded injector restarts the server
 * (SIGKILL), cuts the network, resets connections and injects 503s. The same pass criteria as the legacy soak:
 * no call lost, none untyped, no counter execution twice, every counter success backed by exactly one
 * execution, no unhandled rejection. `CHAOS_SEED=<seed>` replays a run's fault schedule.
 */
import { describe, expect, test } from 'vitest';
import { clearEraVerdicts } from '../../src/session/era-cache';
import { createChaosClient } from '../support/chaos-client';
import { describeError, settle } from '../support/chaos-calls';
import { startFaultInjector, type FaultKind } from '../support/chaos-fault-injector';
import { startModernChaosServer } from '../support/chaos-modern-server';
import { chaosSeed, seededRandom, type Random } from '../support/chaos-random';
import { soakCounterKey, tallySoak, type SoakCall, type SoakCallKind } from '../support/chaos-soak-tally';

const TOTAL_CALLS = 2_000;
const CONCURRENCY = 8;
/**
 * Past this, unsettled calls are counted as lost rather than awaited (the suite must stay bounded). Longer than
 * the legacy soak's 60 s: each restart here starts a process that loads the v2 SDK (measured 2-3 s on a loaded
 * 2-core box), and a seed with 15 restarts spends ~40 s of the run with the server down.
 */
const SOAK_DEADLINE_MS = 120_000;

function pickCallKind(random: Random): SoakCallKind {
  const roll = random();
  return roll < 0.5 ? 'echo' : roll < 0.8 ? 'slow' : 'counter';
}

describe('modern-era soak under random faults', () => {
  test('2,000+ calls at concurrency 8: none lost, none untyped, no duplicate counter execution, no unhandled rejection', async ({ annotate }) => {
    clearEraVerdicts();
    const seed = chaosSeed();
    await using chaos = await startModernChaosServer({ proxy: true });
    const proxy = chaos.proxy!;
    await using caller = createChaosClient({
      url: chaos.url,
      timeoutMs: 5_000,
      totalTimeoutMs: 20_000,
      retry: { retries: 10_000, maxElapsedMs: 15_000, maxDelayMs: 250 },
    });
    await caller.client.callTool('echo', { text: 'warm up' });
    expect(caller.client.era).toBe('modern');
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    const actionErrors: string[] = [];
    const injector = startFaultInjector({
      random: seededRandom(seed),
      minGapMs: 100,
      maxGapMs: 500,
      maxFaults: 80,
      onActionError: (error: unknown, kind: FaultKind) => actionErrors.push(`${kind}: ${describeError(error)}`),
      actions: {
        restartServer: () => proxy.refuseWhile(() => chaos.server.restart()),
        cutNetwork: async (ms) => void (await proxy.cut(ms)),
        resetConnections: async () => void proxy.resetAll(),
        inject503: (count, retryAfter) => chaos.failNext({ count, status: 503, retryAfter }),
      },
    });

    const pickKind = seededRandom(seed + 1);
    const calls: SoakCall[] = Array.from({ length: TOTAL_CALLS }, (_, index) => ({ index, kind: pickCallKind(pickKind) }));
    const faultKindsMet = (): number => new Set(injector.log.map(({ kind }) => kind)).size;
    let next = 0;
    function nextCall(): SoakCall | undefined {
      if (next >= calls.length && faultKindsMet() < 4) calls.push({ index: calls.length, kind: pickCallKind(pickKind) });
      return calls[next++];
    }
    async function worker(): Promise<void> {
      for (let call = nextCall(); call !== undefined; call = nextCall()) {
        const { index, kind } = call;
        const pending =
          kind === 'echo'
            ? caller.client.callTool('echo', { text: `soak ${index}` })
            : kind === 'slow'
              ? caller.client.callTool('slow', { steps: 1, intervalMs: 0 })
              : caller.client.callTool('counter', { key: soakCounterKey(index) });
        call.outcome = await settle(pending);
      }
    }
    const startedAt = Date.now();
    let deadlineTimer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        Promise.all(Array.from({ length: CONCURRENCY }, () => worker())),
        new Promise<void>((resolve) => (deadlineTimer = setTimeout(resolve, SOAK_DEADLINE_MS))),
      ]);
    } finally {
      clearTimeout(deadlineTimer);
      await injector.stop();
      process.off('unhandledRejection', onUnhandled);
    }
    const elapsedMs = Date.now() - startedAt;

    const tally = tallySoak(calls, await chaos.counterRunsByKey());
    await annotate(
      `seed ${seed}; ${calls.length} calls in ${elapsedMs} ms; faults ${injector.log.map(({ kind }) => kind).join(',')}; ` +
        `failures ${JSON.stringify(tally.failuresByKindAndCode)}; counter: ${tally.counterSucceeded} ok, ` +
        `${tally.counterMaybeExecuted} maybe-executed, ${tally.counterExecutions} executions; client ${JSON.stringify(caller.client.stats())}`,
    );
    const context = `seed ${seed}`;
    expect(actionErrors, context).toEqual([]);
    expect(new Set(injector.log.map(({ kind }) => kind)), `${context}: the soak must meet every kind of fault`).toEqual(new Set(['restart', 'cut', 'reset', '503']));
    expect(tally.lost, context).toEqual([]);
    expect(tally.untyped, context).toEqual([]);
    expect(tally.executedTwice, context).toEqual([]);
    expect(tally.successWithoutOneExecution, context).toEqual([]);
    expect(tally.counterExecutions, context).toBeLessThanOrEqual(tally.counterSucceeded + tally.counterMaybeExecuted);
    expect(unhandled.map(describeError), context).toEqual([]);
    expect(caller.client.era, context).toBe('modern');
  }, 180_000);
});
