/**
 * `npm run bench:server -- --hostile` (issue 9): a good client's sequential `tools/call` echo, first alone, then
 * under a constant `--connections` (300) hostile connections (slowloris headers, slow bodies, stalled POSTs, idle
 * sockets; `hostile-load.ts`), on the plain official-SDK server and on `archon-mcp serve` per store, one after the
 * other in the same run. Our server keeps its default deadlines and per-client connection bounds (only the
 * per-session rate limit and the session caps are lifted, as in the plain bench), so whatever the hostile side
 * holds is held for the whole phase; what is measured is what that costs the good client, next to what it costs
 * the SDK server on the same machine at the same time. Loopback only; each phase lasts `--phase-ms`, so the run
 * is bounded (the bench's watchdog stops it regardless). Target: p99 under 50 ms. A benchmark, never a test: it
 * prints PASS/FAIL and exits 0 unless it could not run.
 */
import { writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { Agent } from "undici";
import { percentile } from "../stats";
import { startHostileLoad, type HostileTally } from "./hostile-load";
import { RawSession } from "./raw-session";
import { startServerChild } from "./server-child";
import {
  sdkTarget,
  storeTarget,
  type BuiltPaths,
  type StoreId,
  type Target,
} from "./targets";

/** The target of issue 9: the good client's p99 under 300 hostile connections. */
export const HOSTILE_P99_TARGET_MS = 50;
/** A good call unanswered for this long counts as failed. */
const CALL_TIMEOUT_MS = 10_000;

export interface HostileBenchOptions {
  readonly paths: BuiltPaths;
  readonly stores: readonly StoreId[];
  readonly connections: number;
  /** How long each phase (alone, under load) calls, ms. */
  readonly phaseMs: number;
  readonly warmupMs: number;
  /** Where the JSON record goes, or undefined for none. */
  readonly out: string | undefined;
}

/** Latency figures of one phase, ms. */
interface PhaseFigures {
  calls: number;
  callsPerSecond: number;
  failures: number;
  p50: number;
  p99: number;
  max: number;
}

interface StoreFigures {
  store: StoreId | "sdk";
  alone?: PhaseFigures;
  underLoad?: PhaseFigures;
  hostile?: HostileTally;
  error?: string;
}

async function callFor(
  session: RawSession,
  durationMs: number,
): Promise<PhaseFigures> {
  const latencies: number[] = [];
  let failures = 0;
  const startedAll = performance.now();
  const until = startedAll + durationMs;
  for (let call = 0; performance.now() < until; call++) {
    const startedAt = performance.now();
    try {
      await session.call(`good ${call}`);
      latencies.push(performance.now() - startedAt);
    } catch {
      failures += 1;
    }
  }
  const elapsedMs = performance.now() - startedAll;
  latencies.sort((a, b) => a - b);
  return {
    calls: latencies.length,
    callsPerSecond: (latencies.length * 1000) / elapsedMs,
    failures,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: latencies.at(-1) ?? Number.NaN,
  };
}

function render(phase: PhaseFigures | undefined): string {
  if (phase === undefined) return "n/a";
  return `${phase.callsPerSecond.toFixed(0)} calls/s (${phase.calls}), ${phase.failures} failed, p50 ${phase.p50.toFixed(2)} ms, p99 ${phase.p99.toFixed(2)} ms, max ${phase.max.toFixed(1)} ms`;
}

async function measureTarget(
  id: StoreId | "sdk",
  options: HostileBenchOptions,
): Promise<StoreFigures> {
  const figures: StoreFigures = { store: id };
  const target: Target | string =
    id === "sdk"
      ? sdkTarget(options.paths)
      : await storeTarget(id, options.paths);
  if (typeof target === "string")
    return { store: id, error: `skipped (${target})` };
  const child = await startServerChild(await target.launch());
  // Every good call has a deadline, so a server that stops answering ends the phase instead of hanging it.
  const dispatcher = new Agent({
    connections: 1,
    headersTimeout: CALL_TIMEOUT_MS,
    bodyTimeout: CALL_TIMEOUT_MS,
  });
  try {
    const session = await RawSession.open(child.url, dispatcher);
    await callFor(session, options.warmupMs);
    figures.alone = await callFor(session, options.phaseMs);
    const hostile = await startHostileLoad(
      new URL(child.url),
      options.connections,
    );
    try {
      await callFor(session, options.warmupMs);
      figures.underLoad = await callFor(session, options.phaseMs);
      figures.hostile = hostile.tally();
    } finally {
      hostile.stop();
    }
  } catch (error) {
    figures.error = error instanceof Error ? error.message : String(error);
  } finally {
    await dispatcher.close();
    await child.stop();
    await target.dispose();
  }
  return figures;
}

function ratio(ours: number | undefined, sdk: number | undefined): string {
  if (ours === undefined || sdk === undefined || !(sdk > 0)) return "n/a";
  return `${(ours / sdk).toFixed(2)}x`;
}

function print(
  figures: StoreFigures,
  sdk: StoreFigures | undefined,
  connections: number,
): void {
  if (figures.error !== undefined) {
    console.log(`\n${figures.store}: ${figures.error}`);
    return;
  }
  console.log(
    `\n${figures.store}${figures.store === "sdk" ? " (plain official-SDK server, the baseline)" : ""}:`,
  );
  console.log(`  alone:           ${render(figures.alone)}`);
  console.log(`  under hostility: ${render(figures.underLoad)}`);
  const tally = figures.hostile;
  console.log(
    `  hostile sockets: ${tally?.open ?? 0} open at the end, ${tally?.opened ?? 0} opened, closed by the server ${JSON.stringify(tally?.closedByServer ?? {})}, ` +
      `answers ${JSON.stringify(tally?.statuses ?? {})}`,
  );
  const kept = ratio(
    figures.underLoad?.callsPerSecond,
    figures.alone?.callsPerSecond,
  );
  console.log(`  good client's throughput under hostility / alone: ${kept}`);
  if (figures.store !== "sdk" && sdk?.underLoad !== undefined) {
    console.log(
      `  against the SDK server in this run: throughput alone ${ratio(figures.alone?.callsPerSecond, sdk.alone?.callsPerSecond)}, ` +
        `under hostility ${ratio(figures.underLoad?.callsPerSecond, sdk.underLoad.callsPerSecond)}; p99 under hostility ` +
        `${ratio(figures.underLoad?.p99, sdk.underLoad.p99)} of the SDK's`,
    );
  }
  const p99 = figures.underLoad?.p99 ?? Number.NaN;
  const verdict =
    p99 < HOSTILE_P99_TARGET_MS && figures.underLoad?.failures === 0
      ? "PASS"
      : "FAIL";
  console.log(
    `  target p99 < ${HOSTILE_P99_TARGET_MS} ms under ${connections} hostile connections: ${verdict} (${p99.toFixed(2)} ms)`,
  );
}

/**
 * Measures the SDK baseline, then each store, and prints each against the baseline.
 *
 * @example
 * ```ts
 * await runHostileBench({ paths, stores: ['memory', 'file'], connections: 300, phaseMs: 10_000, warmupMs: 1_000, out: undefined });
 * ```
 */
export async function runHostileBench(
  options: HostileBenchOptions,
): Promise<void> {
  const loadBefore = loadavg();
  console.log(
    `bench:server --hostile — good client: sequential tools/call echo from 127.0.0.1 on one connection, ${options.phaseMs} ms alone then ${options.phaseMs} ms under ` +
      `${options.connections} hostile connections from 127.0.0.2 (slow headers, slow bodies, stalled POSTs, idle sockets; each replaced when closed); ` +
      `the SDK server first, then ${options.stores.join(", ")}; node ${process.version}; load average ${loadBefore.map((l) => l.toFixed(2)).join(" ")}`,
  );
  const results: StoreFigures[] = [];
  for (const id of ["sdk", ...options.stores] as const) {
    const figures = await measureTarget(id, options);
    results.push(figures);
    print(figures, results[0], options.connections);
  }
  const loadAfter = loadavg();
  console.log(
    `\nload average before ${loadBefore.map((l) => l.toFixed(2)).join(" ")}, after ${loadAfter.map((l) => l.toFixed(2)).join(" ")}`,
  );
  console.log(
    "Servers run one after the other: a ratio is only as steady as the machine was between them.",
  );
  if (options.out !== undefined) {
    const record = {
      date: new Date().toISOString(),
      node: process.version,
      loadBefore,
      loadAfter,
      connections: options.connections,
      phaseMs: options.phaseMs,
      results,
    };
    writeFileSync(
      options.out,
      `${JSON.stringify(record, (_key, value: unknown) => (typeof value === "number" && !Number.isFinite(value) ? null : value), 2)}\n`,
    );
    console.log(`results: ${options.out}`);
  }
}
