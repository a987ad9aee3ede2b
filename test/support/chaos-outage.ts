/**
 * "Server down for a while, then back", measured: shared by the chaos rows (pass/fail) and
 * `bench/recovery.ts` (p50/p90 over runs), so both measure exactly the same thing.
 */
import { createChaosClient, type ChaosClientOptions } from './chaos-client';
import { failuresOf, realDelay, settle, type Settled } from './chaos-calls';
import { probePortAccepting } from './chaos-port-probe';
import { startChaosServer } from './chaos-server';

export interface OutageOutcome {
  /** Caller-visible failures, one line each. */
  readonly failures: string[];
  readonly calls: number;
  /** First successful call's settlement minus the first accepted TCP connect; Infinity if none succeeded. */
  readonly firstSuccessAfterAcceptingMs: number;
  /** How long the first start of the server process took on this machine, now (spawn to ready line). */
  readonly startupMs: number;
  /** How long the restart took (spawn to ready line). */
  readonly restartMs: number;
  /**
   * A first call against a freshly started server, before the outage: connect (initialize), tools/list and
   * tools/call, timed. What the first success after the restart also has to do, so a bound on it can be
   * derived from this instead of a constant (a loaded machine makes both slower).
   */
  readonly firstCallMs: number;
}

/** What the row may base its client options on: measured on this machine, in this run. */
export interface OutageMeasurements {
  /** See `OutageOutcome.startupMs`. */
  readonly startupMs: number;
}

/**
 * Starts a server and a client, makes one call (unless `connectedBefore: false`), SIGKILLs the server, keeps calling at the outage's
 * start, middle and end, restarts the server after `downMs` on the same port and waits for every call.
 * The moment the server accepts connections comes from an independent TCP probe (5 ms period), not the
 * harness's ready line, which arrives later.
 *
 * @example
 * ```ts
 * const outcome = await runServerOutage({ downMs: 2_000, client: { retry: { maxElapsedMs: 15_000 } } });
 * ```
 */
export async function runServerOutage(options: {
  downMs: number;
  /** The client's options, or a function of what was measured (e.g. a budget derived from the start-up time). */
  client: Omit<ChaosClientOptions, 'url'> | ((measured: OutageMeasurements) => Omit<ChaosClientOptions, 'url'>);
  /** Whether the client has connected before the outage (else its first connect meets it). @default true */
  connectedBefore?: boolean;
}): Promise<OutageOutcome> {
  const { downMs, connectedBefore = true } = options;
  const startingAt = Date.now();
  await using chaos = await startChaosServer();
  const startupMs = Date.now() - startingAt;
  const clientOptions = typeof options.client === 'function' ? options.client({ startupMs }) : options.client;
  // The legacy era unless the row says otherwise.
  await using caller = createChaosClient({ era: 'legacy', ...clientOptions, url: chaos.url });
  // The first call against the fresh process, timed; a client that must not connect yet measures it with a twin.
  const calibratingAt = Date.now();
  if (connectedBefore) {
    await caller.client.callTool('echo', { text: 'before' });
  } else {
    await using twin = createChaosClient({ era: 'legacy', ...clientOptions, url: chaos.url });
    await twin.client.callTool('echo', { text: 'calibration' });
  }
  const firstCallMs = Date.now() - calibratingAt;

  await chaos.server.kill();
  const calls: Promise<Settled<unknown>>[] = [];
  for (const startAfterMs of [0, downMs / 2, Math.max(0, downMs - 100)]) {
    calls.push(realDelay(startAfterMs).then(() => settle(caller.client.callTool('echo', { text: `during +${startAfterMs}` }))));
  }
  await realDelay(downMs);
  const probe = probePortAccepting(chaos.server.port, { intervalMs: 5, maxMs: 30_000 });
  try {
    const restartingAt = Date.now();
    await chaos.server.start();
    const restartMs = Date.now() - restartingAt;
    const acceptingAt = await probe.acceptingAt;
    const outcomes = await Promise.all(calls);
    const successes = outcomes.flatMap((outcome) => (outcome.ok ? [outcome.at] : []));
    const firstSuccessAt = successes.length > 0 ? Math.min(...successes) : Number.POSITIVE_INFINITY;
    return {
      failures: failuresOf(outcomes),
      calls: outcomes.length,
      firstSuccessAfterAcceptingMs: firstSuccessAt - acceptingAt,
      startupMs,
      restartMs,
      firstCallMs,
    };
  } finally {
    probe.stop();
  }
}
