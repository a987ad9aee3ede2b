/**
 * The three loads of the server bench, each a pure function of a running server:
 * - steady: 8 sessions, 16 concurrent `tools/call echo`, for a fixed time after a warm-up;
 * - churn: 8 concurrent loops of initialize + call + DELETE;
 * - idle sessions: N sessions opened and left idle; heap and RSS per session after a full GC.
 * Server CPU comes from the probe in the child (its own `process.cpuUsage()`).
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
  measureMs: number;
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

export async function runSteady(server: ServerChild, shape: LoadShape): Promise<SteadyResult> {
  const dispatcher = new Agent({ connections: shape.concurrency * 2 });
  try {
    const sessions = await Promise.all(Array.from({ length: shape.sessions }, () => RawSession.open(server.url, dispatcher)));
    const call = (index: number) => sessions[index % sessions.length]?.call(ECHO_TEXT) ?? Promise.resolve();
    await loops(shape.concurrency, performance.now() + shape.warmupMs, call);

    const latencies: number[] = [];
    const before = await server.probe();
    const startedAt = performance.now();
    const errors = await loops(shape.concurrency, startedAt + shape.measureMs, async (index) => {
      const callStarted = performance.now();
      await call(index);
      latencies.push(performance.now() - callStarted);
    });
    const elapsedMs = performance.now() - startedAt;
    const after = await server.probe();
    await Promise.allSettled(sessions.map((session) => session.close()));
    latencies.sort((a, b) => a - b);
    return {
      callsPerSecond: (latencies.length * 1_000) / elapsedMs,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      serverCpuMicrosPerCall: (after.cpuMicros - before.cpuMicros) / Math.max(1, latencies.length),
      errors,
    };
  } finally {
    await dispatcher.close();
  }
}

export async function runChurn(server: ServerChild, shape: LoadShape): Promise<ChurnResult> {
  const dispatcher = new Agent({ connections: shape.churnConcurrency * 2 });
  const cycle = async (): Promise<void> => {
    const session = await RawSession.open(server.url, dispatcher);
    await session.call(ECHO_TEXT);
    await session.close();
  };
  try {
    await loops(shape.churnConcurrency, performance.now() + shape.warmupMs, cycle);
    let completed = 0;
    const before = await server.probe();
    const startedAt = performance.now();
    const errors = await loops(shape.churnConcurrency, startedAt + shape.measureMs, async () => {
      await cycle();
      completed += 1;
    });
    const elapsedMs = performance.now() - startedAt;
    const after = await server.probe();
    return {
      sessionsPerSecond: (completed * 1_000) / elapsedMs,
      serverCpuMicrosPerSession: (after.cpuMicros - before.cpuMicros) / Math.max(1, completed),
      errors,
    };
  } finally {
    await dispatcher.close();
  }
}

/**
 * Opens `shape.idleSessions` sessions and leaves them idle (no GET stream, no call): the server's memory
 * per live legacy session after a full GC. Snapshots, when asked, are written before and after.
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
