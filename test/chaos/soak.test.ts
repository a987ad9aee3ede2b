/**
 * The soak: 2,000 calls at concurrency 8 (echo, find_projects and the non-idempotent counter; more of the
 * same mix if the injector has not yet met every fault kind) while a seeded injector restarts the server
 * (SIGKILL), cuts the network, resets connections and injects 503s.
 * Pass: no call lost (each resolves or rejects with a typed McpClientError), no counter execution
 * twice, every counter success backed by exactly one execution, executions never more than successes
 * plus MaybeExecuted, and no unhandled rejection. Failures as such are allowed - a call caught by a crash
 * may end in MaybeExecutedError - but each must be typed. Replay a run's fault schedule with
 * `CHAOS_SEED=<seed printed in the failure>`. Both eras, against the reference server (the 2026-07-28 soak
 * against the official v2 server is modern-soak.test.ts).
 */
import { describe, expect, test } from 'vitest';
import { createChaosClient } from '../support/chaos-client';
import { describeError, settle } from '../support/chaos-calls';
import { startFaultInjector, type FaultKind } from '../support/chaos-fault-injector';
import { chaosSeed, seededRandom, type Random } from '../support/chaos-random';
import { startChaosServer } from '../support/chaos-server';
import { soakCounterKey, tallySoak, type SoakCall, type SoakCallKind } from '../support/chaos-soak-tally';

const TOTAL_CALLS = 2_000;
const CONCURRENCY = 8;
/**
 * No call starts after this (the suite must stay bounded). Issue #10 item 13: it used to be the deadline by
 * which every planned call had to have settled, so a busy machine that got through 623 of 2,000 calls in 60 s
 * "lost" the other 1,392, none of which had started. Now it only stops new calls; each started call is bounded
 * by the client's own `totalTimeoutMs` and is lost only if it outlives that.
 */
const ISSUE_CALLS_FOR_MS = 60_000;
/** The client's `totalTimeoutMs`: every started call settles within it, or it is lost. */
const TOTAL_TIMEOUT_MS = 20_000;
/** Enough calls, whatever the machine's load, for the counts to mean something (a quiet one runs 2,000+). */
const MIN_CALLS = 200;

function pickCallKind(random: Random): SoakCallKind {
  const roll = random();
  return roll < 0.5 ? 'echo' : roll < 0.8 ? 'find_projects' : 'counter';
}

describe('soak under random faults', () => {
  test.for(['legacy', 'modern'] as const)(
    '%s era: 2,000+ calls (as many as start within 60 s) at concurrency 8: none lost, none untyped, no duplicate counter execution, no unhandled rejection',
    { timeout: 150_000 },
    async (era, { annotate }) => {
      const seed = chaosSeed();
      await using chaos = await startChaosServer({ proxy: true });
      const { proxy } = chaos;
      await using caller = createChaosClient({
        era,
        url: chaos.url,
        timeoutMs: 5_000,
        totalTimeoutMs: TOTAL_TIMEOUT_MS,
        retry: { retries: 10_000, maxElapsedMs: 15_000, maxDelayMs: 250 },
      });
      // Connected before the first fault: the soak is about keeping a working client working.
      await caller.client.callTool('echo', { text: 'warm up' });
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
          // The port is closed while the server is down, as without the proxy: connections are refused.
          restartServer: () => proxy.refuseWhile(() => chaos.server.restart()),
          cutNetwork: async (ms) => void (await proxy.cut(ms)),
          resetConnections: async () => void proxy.resetAll(),
          inject503: (count, retryAfter) => chaos.server.faults.failNext({ count, status: 503, retryAfter }),
        },
      });

      const pickKind = seededRandom(seed + 1);
      const calls: SoakCall[] = Array.from({ length: TOTAL_CALLS }, (_, index) => ({ index, kind: pickCallKind(pickKind) }));
      const faultKindsMet = (): number => new Set(injector.log.map(({ kind }) => kind)).size;
      let next = 0;
      /**
       * The next call: the 2,000 planned ones, then more of the same mix until the injector has met every
       * fault kind once (on a fast runtime 2,000 calls can finish before a restart has even happened).
       */
      let issuing = true;
      function nextCall(): SoakCall | undefined {
        if (!issuing) return undefined;
        if (next >= calls.length && faultKindsMet() < 4) calls.push({ index: calls.length, kind: pickCallKind(pickKind) });
        const call = calls[next];
        if (call !== undefined) next++;
        return call;
      }
      async function worker(): Promise<void> {
        for (let call = nextCall(); call !== undefined; call = nextCall()) {
          const { index, kind } = call;
          const pending =
            kind === 'echo'
              ? caller.client.callTool('echo', { text: `soak ${index}` })
              : kind === 'find_projects'
                ? caller.client.callTool('find_projects', { query: 'a', limit: 3 })
                : caller.client.callTool('counter', { key: soakCounterKey(index) });
          call.outcome = await settle(pending);
        }
      }
      const startedAt = Date.now();
      const stopIssuing = setTimeout(() => (issuing = false), ISSUE_CALLS_FOR_MS);
      let deadlineTimer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          Promise.all(Array.from({ length: CONCURRENCY }, () => worker())),
          // Calls still unsettled after their own total timeout (and some slack) are lost: stop waiting for them.
          new Promise<void>((resolve) => (deadlineTimer = setTimeout(resolve, ISSUE_CALLS_FOR_MS + TOTAL_TIMEOUT_MS + 10_000))),
        ]);
      } finally {
        clearTimeout(stopIssuing);
        clearTimeout(deadlineTimer);
        await injector.stop();
        process.off('unhandledRejection', onUnhandled);
      }
      const elapsedMs = Date.now() - startedAt;
      const started = calls.slice(0, next);

      const tally = tallySoak(started, await chaos.counterRunsByKey());
      await annotate(
        `seed ${seed}; ${started.length} of ${calls.length} planned calls started, in ${elapsedMs} ms; faults ${injector.log.map(({ kind }) => kind).join(',')}; ` +
          `failures ${JSON.stringify(tally.failuresByKindAndCode)}; counter: ${tally.counterSucceeded} ok, ` +
          `${tally.counterMaybeExecuted} maybe-executed, ${tally.counterExecutions} executions; client ${JSON.stringify(caller.client.stats())}`,
      );
      const context = `${era} era, seed ${seed}`;
      expect(started.length, context).toBeGreaterThanOrEqual(MIN_CALLS);
      expect(actionErrors, context).toEqual([]);
      expect(new Set(injector.log.map(({ kind }) => kind)), `${context}: the soak must meet every kind of fault`).toEqual(
        new Set(['restart', 'cut', 'reset', '503']),
      );
      expect(tally.lost, context).toEqual([]);
      expect(tally.untyped, context).toEqual([]);
      expect(tally.executedTwice, context).toEqual([]);
      expect(tally.successWithoutOneExecution, context).toEqual([]);
      expect(tally.counterExecutions, context).toBeLessThanOrEqual(tally.counterSucceeded + tally.counterMaybeExecuted);
      expect(unhandled.map(describeError), context).toEqual([]);
    },
  );
});
