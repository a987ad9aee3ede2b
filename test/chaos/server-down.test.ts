/**
 * Fault matrix row "server down 2 s, then back; and down 10 s, then back, with a budget of at least
 * 15 s", in both eras against the reference server. Real time: the outage is the scenario. The server keeps
 * sessions in memory, so coming back also means a re-initialize in the 2025 era (2026-07-28 has no session to
 * lose). Pass: no caller sees a failure, and the first call succeeds within one probe interval plus the work
 * a first call does, after the server accepts connections. The official SDK client fails 58/68 calls here
 * (notes/sdk-baseline.md e3a).
 *
 * Issue #10 item 13: on a busy machine these rows failed with a constant budget (15 s ran out while the
 * restarted child process was still starting) and a constant 300 ms bound (311 ms). The figures the README
 * quotes (first success 34 ms after accepting, p50) are measured by `npm run bench:recovery` on a quiet
 * machine; here budgets and bounds are derived from what this run measured: the server's start-up time and
 * the duration of a first call against a fresh server.
 */
import { describe, expect, test } from 'vitest';
import { RETRY_DEFAULTS } from '../../src/retry/index';
import { type OutageMeasurements, type OutageOutcome, runServerOutage } from '../support/chaos-outage';

/**
 * The budget of a call that starts when the server goes down: the outage, then the restart (measured here
 * as the first start-up, with three times that for a machine that gets busier meanwhile), then the
 * re-initialize and the call. Never under the fault matrix's 15 s.
 */
function budgetMs(downMs: number, { startupMs }: OutageMeasurements): number {
  return Math.max(15_000, downMs + 3 * startupMs + 2_000);
}

/**
 * The first success after the server accepts: at most one probe interval of waiting (`reconnectDelayMs`, or
 * the backoff cap before a first connect), then what a first call against a fresh server does (measured
 * before the outage), twice over for noise, plus 250 ms. Quiet machine: about 250 + 2 x 40 + 250 ms; the
 * bound grows with the load because the measured first call does.
 */
function firstSuccessBoundMs(waitCapMs: number, outcome: OutageOutcome): number {
  return waitCapMs + 2 * outcome.firstCallMs + 250;
}

function describeRun(outcome: OutageOutcome, boundMs: number): string {
  return (
    `first success ${outcome.firstSuccessAfterAcceptingMs} ms after accepting (bound ${boundMs} ms); ` +
    `${outcome.failures.length}/${outcome.calls} failed; start-up ${outcome.startupMs} ms, restart ${outcome.restartMs} ms, ` +
    `first call ${outcome.firstCallMs} ms`
  );
}

const ERAS = ['legacy', 'modern'] as const;

describe('server down, then back', () => {
  test.for(ERAS)(
    '%s era: down 2 s: no caller sees a failure and the first success follows the restart within a probe interval',
    { timeout: 90_000 },
    async (era, { annotate }) => {
      const downMs = 2_000;
      const outcome = await runServerOutage({
        downMs,
        client: (measured) => ({ era, retry: { maxElapsedMs: budgetMs(downMs, measured) } }),
      });
      const boundMs = firstSuccessBoundMs(RETRY_DEFAULTS.reconnectDelayMs, outcome);
      await annotate(describeRun(outcome, boundMs));

      expect(outcome.failures).toEqual([]);
      expect(outcome.firstSuccessAfterAcceptingMs).toBeLessThanOrEqual(boundMs);
    },
  );

  test.for(ERAS)(
    '%s era: down 2 s before the client ever connected: no caller sees a failure and the first success follows within a backoff step',
    { timeout: 90_000 },
    async (era, { annotate }) => {
      // A client that never reached the server treats a refusal as a likely wrong URL and backs off within its
      // retries; waiting for a server that is still starting is then a matter of options.
      const maxDelayMs = 100;
      const downMs = 2_000;
      const outcome = await runServerOutage({
        downMs,
        client: (measured) => ({ era, retry: { retries: 10_000, maxElapsedMs: budgetMs(downMs, measured), maxDelayMs } }),
        connectedBefore: false,
      });
      const boundMs = firstSuccessBoundMs(maxDelayMs, outcome);
      await annotate(describeRun(outcome, boundMs));

      expect(outcome.failures).toEqual([]);
      expect(outcome.firstSuccessAfterAcceptingMs).toBeLessThanOrEqual(boundMs);
    },
  );

  test.for(ERAS)(
    '%s era: down 10 s with a budget of at least 15 s: no caller sees a failure and the first success follows within a probe interval',
    { timeout: 120_000 },
    async (era, { annotate }) => {
      const downMs = 10_000;
      const outcome = await runServerOutage({
        downMs,
        client: (measured) => ({ era, retry: { maxElapsedMs: budgetMs(downMs, measured) } }),
      });
      const boundMs = firstSuccessBoundMs(RETRY_DEFAULTS.reconnectDelayMs, outcome);
      await annotate(describeRun(outcome, boundMs));

      expect(outcome.failures).toEqual([]);
      expect(outcome.firstSuccessAfterAcceptingMs).toBeLessThanOrEqual(boundMs);
    },
  );
});
