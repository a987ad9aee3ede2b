/**
 * One round: a fresh connected client per mode, warm-up (the first answer checked for the echoed text), then
 * the sequential and the c16 phases, each cut into blocks that alternate between the modes (rotating which mode
 * goes first). On 2 shared noisy cores a burst of load from elsewhere then hits every mode about equally, rather
 * than whichever mode happened to be running. The server's CPU over the c16 blocks is read from the child so
 * server cost can be told apart from client cost.
 */
import type { BenchSession, ClientMode, ModeId } from './clients/types';
import type { BenchConfig } from './config';
import { ConcurrentTally, type ConcurrentResult } from './measure/concurrent';
import { SequentialTally, type SequentialResult } from './measure/sequential';
import type { ServerChild } from './server/launch';

export interface RoundResult {
  readonly sequential: SequentialResult;
  readonly concurrent: ConcurrentResult;
  /** Server process CPU per call during this mode's c16 blocks, microseconds. */
  readonly serverCpuMicrosPerCall: number;
}

/** Blocks per phase: enough alternations to spread noise, blocks long enough (>= 100 ms) to amortise switching. */
const BLOCKS_PER_PHASE = 8;

interface Contender {
  readonly mode: ClientMode;
  readonly session: BenchSession;
  readonly sequential: SequentialTally;
  readonly concurrent: ConcurrentTally;
  serverCpuMicros: number;
}

async function warmUp(session: BenchSession, config: BenchConfig, label: string): Promise<void> {
  const first = await session.call(config.text);
  if (!JSON.stringify(first).includes(config.text)) {
    throw new Error(`${label}: echo answered ${JSON.stringify(first).slice(0, 300)}`);
  }
  // Half sequential, half concurrent, so both code paths are optimised before they are timed; not tallied.
  const stopAt = performance.now() + config.phaseDeadlineMs;
  const half = Math.ceil(config.warmupCalls / 2);
  await new SequentialTally().runBlock(session, half, config.text, stopAt);
  await new ConcurrentTally().runBlock(session, half, config.concurrency, config.text, stopAt);
}

function blockSizes(total: number): number[] {
  const blocks = Math.min(BLOCKS_PER_PHASE, total);
  return Array.from(
    { length: blocks },
    (_, i) => Math.floor((total * (i + 1)) / blocks) - Math.floor((total * i) / blocks),
  );
}

function rotated<T>(items: readonly T[], by: number): T[] {
  const n = by % Math.max(1, items.length);
  return [...items.slice(n), ...items.slice(0, n)];
}

/**
 * Runs one round for every mode. A mode that fails is reported in `failed` and left out of the rest of the
 * round; the others carry on.
 */
export async function runRound(
  modes: readonly ClientMode[],
  server: ServerChild,
  config: BenchConfig,
  roundIndex: number,
): Promise<{ results: Map<ModeId, RoundResult>; failed: Map<ModeId, unknown> }> {
  const failed = new Map<ModeId, unknown>();
  const contenders: Contender[] = [];
  for (const mode of modes) {
    try {
      const session = await mode.connect(server.url);
      contenders.push({
        mode,
        session,
        sequential: new SequentialTally(),
        concurrent: new ConcurrentTally(),
        serverCpuMicros: 0,
      });
      await warmUp(session, config, mode.label);
    } catch (error) {
      failed.set(mode.id, error);
    }
  }
  const alive = (): Contender[] => contenders.filter((c) => !failed.has(c.mode.id));
  const guarded = async (c: Contender, block: () => Promise<void>): Promise<void> => {
    try {
      await block();
    } catch (error) {
      failed.set(c.mode.id, error);
    }
  };
  try {
    // Each phase has its own budget per mode; the deadline covers all modes' blocks of the phase.
    let stopAt = performance.now() + config.phaseDeadlineMs * modes.length;
    for (const [i, calls] of blockSizes(config.sequentialCalls).entries()) {
      for (const c of rotated(alive(), roundIndex + i)) {
        await guarded(c, () => c.sequential.runBlock(c.session, calls, config.text, stopAt));
      }
    }
    stopAt = performance.now() + config.phaseDeadlineMs * modes.length;
    for (const [i, calls] of blockSizes(config.concurrentCalls).entries()) {
      for (const c of rotated(alive(), roundIndex + i)) {
        await guarded(c, async () => {
          const before = await server.stats();
          await c.concurrent.runBlock(c.session, calls, config.concurrency, config.text, stopAt);
          c.serverCpuMicros += (await server.stats()).cpuMicros - before.cpuMicros;
        });
      }
    }
  } finally {
    await Promise.allSettled(contenders.map((c) => c.session.close()));
  }
  const results = new Map<ModeId, RoundResult>();
  for (const c of alive()) {
    const concurrent = c.concurrent.result();
    results.set(c.mode.id, {
      sequential: c.sequential.result(),
      concurrent,
      serverCpuMicrosPerCall: c.serverCpuMicros / concurrent.calls,
    });
  }
  return { results, failed };
}
