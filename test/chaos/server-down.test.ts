/**
 * Fault matrix row "server down 2 s, then back; and down 10 s, then back, with a budget of at least
 * 15 s". Real time: the outage is the scenario. The server keeps sessions in memory, so coming back also
 * means a re-initialize. Pass: no caller sees a failure, and the first call succeeds within 300 ms of
 * the server accepting connections. The official SDK client fails 58/68 calls here
 * (notes/sdk-baseline.md e3a).
 */
import { describe, expect, test } from 'vitest';
import { runServerOutage } from '../support/chaos-outage';

/** The bound between the server accepting connections and the first success. */
const FIRST_SUCCESS_WITHIN_MS = 300;

/**
 * While the server is down every attempt is refused; `maxDelayMs` bounds how stale the client's last
 * look at the port can be. 100 ms leaves 200 ms of the bound for the 404 + re-initialize + resend against
 * a process that has just started (its first requests are slow: cold JIT; 30-180 ms measured).
 */
const RETRY = { retries: 10_000, maxElapsedMs: 15_000, maxDelayMs: 100 } as const;

describe('server down, then back', () => {
  test('down 2 s: no caller sees a failure and the first success follows the restart within 300 ms', async ({ annotate }) => {
    const outcome = await runServerOutage({ downMs: 2_000, client: { retry: RETRY } });
    await annotate(`first success ${outcome.firstSuccessAfterAcceptingMs} ms after accepting; ${outcome.failures.length}/${outcome.calls} failed`);

    expect(outcome.failures).toEqual([]);
    expect(outcome.firstSuccessAfterAcceptingMs).toBeLessThanOrEqual(FIRST_SUCCESS_WITHIN_MS);
  }, 30_000);

  test('down 2 s before the client ever connected: no caller sees a failure and the first success follows within 300 ms', async ({
    annotate,
  }) => {
    const outcome = await runServerOutage({ downMs: 2_000, client: { retry: RETRY }, connectedBefore: false });
    await annotate(`first success ${outcome.firstSuccessAfterAcceptingMs} ms after accepting; ${outcome.failures.length}/${outcome.calls} failed`);

    expect(outcome.failures).toEqual([]);
    expect(outcome.firstSuccessAfterAcceptingMs).toBeLessThanOrEqual(FIRST_SUCCESS_WITHIN_MS);
  }, 30_000);

  test('down 10 s with a 15 s budget: no caller sees a failure and the first success follows within 300 ms', async ({ annotate }) => {
    const outcome = await runServerOutage({ downMs: 10_000, client: { retry: RETRY } });
    await annotate(`first success ${outcome.firstSuccessAfterAcceptingMs} ms after accepting; ${outcome.failures.length}/${outcome.calls} failed`);

    expect(outcome.failures).toEqual([]);
    expect(outcome.firstSuccessAfterAcceptingMs).toBeLessThanOrEqual(FIRST_SUCCESS_WITHIN_MS);
  }, 40_000);
});
