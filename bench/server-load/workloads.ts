/**
 * The three loads of the server bench:
 * - steady: 8 sessions, 16 concurrent `tools/call echo`, measured in blocks after a warm-up;
 * - churn: 8 concurrent loops of initialize + call + DELETE, in blocks;
 * - idle sessions: N sessions opened and left idle; heap and RSS per session after a full GC.
 * Blocks let two servers alternate second by second (`paired-rounds.ts`), so a load spike on this
 * shared machine hits both sides of a ratio. Server CPU comes from the probe in the child.
 */
import { Agent } from 'undici';
import { percentile } from '../stats';
import { RawSession } from './raw-session';
import type { ServerChild } from './server-child';

/** Sizes of the loads (the workload by default). */
export interface LoadShape {
  sessions: number;
  concurrency: number;
  churnConcurrency: number;
  warmupMs: number;
  /** Length of one measured block. */
  blockMs: number;
  /** Blocks per server per phase and round. */
  blocks: number;
  idleSessions: number;
}

/** What one steady phase measured. */
export interface SteadyResult {
  callsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  serverCpuMicrosPerCall: number;
  errors: number;
}

/** What one churn phase measured. */
export interface ChurnResult {
  sessionsPerSecond: number;
  serverCpuMicrosPerSession: number;
  errors: number;
}

/** Memory of idle sessions, per session. */
export interface IdleResult {
  heapBytesPerSession: number;
  rssBytesPerSession: number;
}

const ECHO_TEXT = 'hello from the server bench';

/** Runs `worker` on `concurrency` loops until `stopAt`, counting errors instead of stopping. */
async function loops(concurrency: number, stopAt: number, worker: (index: number) => Promise<void>): Promise<number> {
  let errors = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, index) => {
      while (performance.now() < stopAt) {
        try {
          await worker(index);
        } catch {
          errors += 1;
          // A server that fails fast must not turn the loop into a spin.
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      }
    }),
  );
  return errors;
}

/** What one block of a load measured: the raw counts, summed over blocks before dividing. */
export interface Block {
  completed: number;
  elapsedMs: number;
  /** Per-call latencies (steady only). */
  latencies: number[];
  serverCpuMicros: number;
  errors: number;
}

/** A load running against one server, measured in blocks so two servers can alternate. */
export interface Load {
  measure(ms: number): Promise<Block>;
  close(): Promise<void>;
}

function blockLoad(server: ServerChild, concurrency: number, unit: (index: number) => Promise<void>, close: () => Promise<void>): Load {
  return {
    async measure(ms) {
      const latencies: number[] = [];
      let completed = 0;
      const before = await server.probe();
      const startedAt = performance.now();
      const errors = await loops(concurrency, startedAt + ms, async (index) => {
        const callStarted = performance.now();
        await unit(index);
        latencies.push(performance.now() - callStarted);
        completed += 1;
      });
      const elapsedMs = performance.now() - startedAt;
      const after = await server.probe();
      return { completed, elapsedMs, latencies, serverCpuMicros: after.cpuMicros - before.cpuMicros, errors };
    },
    close,
  };
}

/** Steady load: `shape.sessions` sessions, `shape.concurrency` concurrent echo calls; warmed up. */
export async function openSteady(server: ServerChild, shape: LoadShape): Promise<Load> {
  const dispatcher = new Agent({ connections: shape.concurrency * 2 });
  const sessions = await Promise.all(Array.from({ length: shape.sessions }, () => RawSession.open(server.url, dispatcher)));
  const call = (index: number) => sessions[index % sessions.length]?.call(ECHO_TEXT) ?? Promise.resolve();
  await loops(shape.concurrency, performance.now() + shape.warmupMs, call);
  return blockLoad(server, shape.concurrency, call, async () => {
    await Promise.allSettled(sessions.map((session) => session.close()));
    await dispatcher.close();
  });
}

/** Churn: `shape.churnConcurrency` loops of initialize + call + DELETE; warmed up. */
export async function openChurn(server: ServerChild, shape: LoadShape): Promise<Load> {
  const dispatcher = new Agent({ connections: shape.churnConcurrency * 2 });
  const cycle = async (): Promise<void> => {
    const session = await RawSession.open(server.url, dispatcher);
    await session.call(ECHO_TEXT);
    await session.close();
  };
  await loops(shape.churnConcurrency, performance.now() + shape.warmupMs, cycle);
  return blockLoad(server, shape.churnConcurrency, cycle, () => dispatcher.close());
}

export function steadyOf(blocks: readonly Block[]): SteadyResult {
  const completed = blocks.reduce((sum, block) => sum + block.completed, 0);
  const elapsedMs = blocks.reduce((sum, block) => sum + block.elapsedMs, 0);
  const latencies = blocks.flatMap((block) => block.latencies).sort((a, b) => a - b);
  return {
    callsPerSecond: (completed * 1_000) / elapsedMs,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    serverCpuMicrosPerCall: blocks.reduce((sum, block) => sum + block.serverCpuMicros, 0) / Math.max(1, completed),
    errors: blocks.reduce((sum, block) => sum + block.errors, 0),
  };
}

export function churnOf(blocks: readonly Block[]): ChurnResult {
  const completed = blocks.reduce((sum, block) => sum + block.completed, 0);
  const elapsedMs = blocks.reduce((sum, block) => sum + block.elapsedMs, 0);
  return {
    sessionsPerSecond: (completed * 1_000) / elapsedMs,
    serverCpuMicrosPerSession: blocks.reduce((sum, block) => sum + block.serverCpuMicros, 0) / Math.max(1, completed),
    errors: blocks.reduce((sum, block) => sum + block.errors, 0),
  };
}

/**
 * How long the idle sessions are left alone before the "after" probe: longer than `archon-mcp serve` takes to
 * release the server instance of an idle session (`idleServerMs`, 5 s by default, swept every second). The SDK
 * baseline keeps every instance whatever the wait.
 */
export const IDLE_SETTLE_MS = 7_000;

/**
 * Opens `shape.idleSessions` sessions and leaves them idle (no GET stream, no call) for `IDLE_SETTLE_MS`: the
 * server's memory per live legacy session after a full GC. Snapshots, when asked, are written before and after.
 */
export async function measureIdleSessions(
  server: ServerChild,
  shape: LoadShape,
  snapshots?: { before: string; after: string },
): Promise<IdleResult> {
  const dispatcher = new Agent({ connections: shape.concurrency });
  try {
    // One session first, so lazily built module state (schemas, caches) is not counted per session.
    const first = await RawSession.open(server.url, dispatcher);
    const before = await server.probe({ gc: true, ...(snapshots && { heapSnapshotPath: snapshots.before }) });
    const sessions: RawSession[] = [];
    for (let start = 0; start < shape.idleSessions; start += shape.concurrency) {
      const batch = Math.min(shape.concurrency, shape.idleSessions - start);
      sessions.push(...(await Promise.all(Array.from({ length: batch }, () => RawSession.open(server.url, dispatcher)))));
    }
    await new Promise((resolve) => setTimeout(resolve, IDLE_SETTLE_MS));
    const after = await server.probe({ gc: true, ...(snapshots && { heapSnapshotPath: snapshots.after }) });
    await Promise.allSettled([first, ...sessions].map((session) => session.close()));
    return {
      heapBytesPerSession: (after.heapUsedBytes - before.heapUsedBytes) / sessions.length,
      rssBytesPerSession: (after.rssBytes - before.rssBytes) / sessions.length,
    };
  } finally {
    await dispatcher.close();
  }
}
