/**
 * `npm run bench`: MCPClient vs the official SDK client vs a raw undici POST, against the same server (a child
 * process, event store off) in the same run, in two sections: the legacy era (2025-11-25: the reference server
 * or `--server=sdk`, the v1 SDK client) and the modern era (2026-07-28: the official v2 server, the v2 SDK
 * client with `versionNegotiation: 'auto'`, a floor POST carrying the modern envelope). Within each round the
 * modes alternate block by block, in rotating order, to spread machine noise (round.ts); figures are medians
 * of rounds. Prints tables and the issues' targets (a report: it never fails on a miss) and writes
 * bench/results/latest.json. See bench/README.md.
 *
 * Profile MCPClient alone: `npm run bench:profile` (see bench/profile-summary.ts).
 */
import { availableParallelism, loadavg } from 'node:os';
import type { ClientMode, ModeId } from './clients/types';
import { fileURLToPath } from 'node:url';
import { parseBenchArgs, RUN_WATCHDOG_MS, type BenchConfig, type BenchEra } from './config';
import { measureIdleHeap } from './measure/idle-heap';
import { measureSocketsAfterClose } from './measure/sockets-after-close';
import { loadModes } from './modes';
import { renderErrors, renderFigures, renderRatios, renderTargets } from './report/print';
import { checkTargets, summarize, type ModeResults, type ModeSummary } from './report/summary';
import { type SectionRecord, writeResults } from './report/write-json';
import { runRound } from './round';
import { launchServer, type ServerChild } from './server/launch';
import { collectWarnings } from './warnings';

const log = (line: string): void => void process.stderr.write(`${line}\n`);
const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

async function runRounds(
  modes: readonly ClientMode[],
  results: Map<ModeId, ModeResults>,
  server: ServerChild,
  config: BenchConfig,
): Promise<void> {
  const start = performance.now();
  for (let round = 0; round < config.rounds; round++) {
    // Predictive: a round that would end past the budget is not started (rounds take about equally long).
    const elapsed = performance.now() - start;
    if (round > 0 && elapsed + elapsed / round > config.roundsBudgetMs) {
      log(`rounds budget (${config.roundsBudgetMs} ms) would be exceeded: stopping after ${round} rounds`);
      return;
    }
    const healthy = modes.filter((m) => results.get(m.id)?.error === undefined);
    const { results: roundResults, failed } = await runRound(healthy, server, config, round);
    for (const [id, error] of failed) {
      const entry = results.get(id);
      if (entry !== undefined) entry.error = message(error);
      log(`${entry?.label ?? id} failed: ${message(error)}`);
    }
    for (const [id, result] of roundResults) {
      const entry = results.get(id);
      if (entry === undefined) continue;
      entry.rounds.push(result);
      const { sequential, concurrent } = result;
      log(
        [
          `round ${round + 1}/${config.rounds} ${entry.label.padEnd(12)}`,
          `p50 ${sequential.p50Ms.toFixed(3)} ms`,
          `c16 ${concurrent.callsPerSecond.toFixed(0)}/s`,
          `cpu ${concurrent.cpuMicrosPerCall.toFixed(0)} us`,
        ].join('  '),
      );
    }
  }
}

/**
 * The SDK uses the global undici pool (MCPClient a process-wide Agent): sockets are measured before any round
 * fills them.
 */
async function runSocketsPhase(
  modes: readonly ClientMode[],
  results: Map<ModeId, ModeResults>,
  server: ServerChild,
  config: BenchConfig,
): Promise<void> {
  if (!config.sockets) return;
  for (const mode of modes.filter((m) => m.id !== 'floor')) {
    const entry = results.get(mode.id);
    if (entry === undefined || entry.error !== undefined) continue;
    try {
      const options = {
        clients: 3,
        callsEach: 32,
        concurrency: 8,
        settleMs: config.settleMs,
        text: config.text,
        deadlineMs: 15_000,
      };
      // The SDK's leftovers expire with the server's 5 s keep-alive; waited for so the second count sees new sockets.
      entry.sockets = await measureSocketsAfterClose(mode, server, {
        ...options,
        besideAnotherClient: false,
        drainMs: 6_000,
      });
      entry.socketsBeside = await measureSocketsAfterClose(mode, server, {
        ...options,
        besideAnotherClient: true,
        drainMs: 0,
      });
      const beside = JSON.stringify(entry.socketsBeside);
      log(`${mode.label}: sockets after close ${JSON.stringify(entry.sockets)}, beside another client ${beside}`);
    } catch (error) {
      entry.error = message(error);
      log(`${mode.label} sockets phase failed: ${entry.error}`);
    }
  }
}

async function runHeapPhase(
  modes: readonly ClientMode[],
  results: Map<ModeId, ModeResults>,
  server: ServerChild,
  config: BenchConfig,
): Promise<void> {
  // The floor has no client object to hold idle, so this phase is MCPClient vs SDK only. Run after the rounds so
  // module loading and JIT code are not charged to the clients.
  if (!config.heap) return;
  for (const mode of modes.filter((m) => m.id !== 'floor')) {
    const entry = results.get(mode.id);
    if (entry === undefined || entry.error !== undefined) continue;
    try {
      entry.heap = await measureIdleHeap(mode, server.url, {
        clients: config.idleClients,
        batch: 10,
        settleMs: 300,
        deadlineMs: 20_000,
      });
      log(
        `${mode.label}: heap per idle client ${(entry.heap.bytesPerClient / 1_000).toFixed(1)} KB over ${entry.heap.clients}`,
      );
    } catch (error) {
      entry.error = message(error);
      log(`${mode.label} heap phase failed: ${entry.error}`);
    }
  }
}

/** The modern section's server: the official v2 SDK server, in a child speaking the same IPC as the legacy one. */
const V2_CHILD = fileURLToPath(new URL('./modern/v2-child.ts', import.meta.url));

/** Runs one era's section: its modes, its server, its phases; returns the record and the printed text. */
async function runSection(era: BenchEra, config: BenchConfig): Promise<{ record: SectionRecord; text: string }> {
  const { modes, failed } = await loadModes(config.only, config.archonEntry, era);
  const results = new Map<ModeId, ModeResults>();
  for (const mode of modes) results.set(mode.id, { id: mode.id, label: mode.label, rounds: [] });
  for (const f of failed) {
    results.set(f.id, { id: f.id, label: f.label, rounds: [], error: `not loadable: ${f.error}` });
    log(`${f.label} not loadable: ${f.error}`);
  }
  const server = era === 'modern' ? await launchServer('sdk', V2_CHILD) : await launchServer(config.server);
  const serverName = era === 'modern' ? 'v2' : server.kind;
  log(`${era} era: server ${serverName} at ${server.url} (pid ${server.pid}); modes: ${modes.map((m) => m.label).join(', ')}`);
  const loadAtStart = loadavg();
  try {
    await runSocketsPhase(modes, results, server, config);
    await runRounds(modes, results, server, config);
    await runHeapPhase(modes, results, server, config);
  } finally {
    await server.stop();
  }
  const order: ModeId[] = ['archon', 'sdk', 'floor'];
  const summaries: ModeSummary[] = order.flatMap((id) => {
    const entry = results.get(id);
    return entry === undefined ? [] : [summarize(entry)];
  });
  const byId = new Map(summaries.map((s) => [s.id, s]));
  const targets = checkTargets(byId, era, serverName !== 'reference');
  const title = era === 'modern' ? 'MODERN ERA (2026-07-28), official v2 server (createMcpHandler, legacy: reject)' : `LEGACY ERA (2025-11-25), ${serverName === 'sdk' ? 'official v1 SDK server' : 'reference server'}`;
  const context = [
    `MCPClient from ${config.archonEntry ?? 'src/index.ts (tsx)'}`,
    `server: ${serverName}, event store off`,
    `${Math.max(0, ...summaries.map((s) => s.rounds))} of ${config.rounds} rounds (median)`,
    `${config.warmupCalls} warm-up, ${config.sequentialCalls} sequential, ${config.concurrentCalls} at c${config.concurrency}`,
    `node ${process.version}, ${availableParallelism()} cores`,
    `load average ${loadAtStart[0]?.toFixed(1)} at start, ${loadavg()[0]?.toFixed(1)} at end`,
  ].join('; ');
  const sections = [`== ${title} ==`, context, renderFigures(summaries), renderErrors(summaries), renderRatios(byId), renderTargets(targets)];
  return {
    record: { era, server: serverName, summaries, targets, results: [...results.values()] },
    text: sections.filter((section) => section !== '').join('\n\n'),
  };
}

async function main(): Promise<void> {
  const config = parseBenchArgs(process.argv.slice(2));
  // tsx turns on source-mapped stack traces, which an app running the published package does not have; they
  // made the stack of an error built per call dearer (MCPClient's per-call AbortError: ~20 us/call with them,
  // ~13 us/call without, bench:profile). Off, so every client is measured as shipped.
  process.setSourceMapsEnabled(false);
  // A last resort: whatever hangs, the process ends on its own.
  setTimeout(() => {
    log(`bench watchdog: still running after ${RUN_WATCHDOG_MS} ms, exiting`);
    process.exit(2);
  }, RUN_WATCHDOG_MS).unref();
  if (globalThis.gc === undefined) log('note: run with --expose-gc (npm run bench does) for the heap figure');

  const stopCollecting = collectWarnings();
  const started = new Date();
  const loadAtStart = loadavg();
  const sections: SectionRecord[] = [];
  const texts: string[] = [];
  for (const era of config.eras) {
    const { record, text } = await runSection(era, config);
    sections.push(record);
    texts.push(text);
  }
  const warnings = stopCollecting();
  for (const w of warnings) {
    const where = w.firstStack.split('\n').slice(1, 8).join('\n');
    texts.push(`warning x${w.count}: ${w.name}: ${w.message}\n${where}`);
  }
  process.stdout.write(`\n${texts.join('\n\n')}\n`);
  if (config.outFile !== undefined) {
    await writeResults(config.outFile, { started, loadAtStart, config, sections, warnings });
    log(`\nresults written to ${config.outFile}`);
  }
}

main().then(
  // Explicit exit: a client that leaks a handle must not keep the bench alive (the sockets row reports leaks).
  () => process.exit(0),
  (error: unknown) => {
    log(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
