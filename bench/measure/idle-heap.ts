/**
 * Heap cost of an idle connected client: connect many (initialized, GET stream open as by default), collect
 * garbage before and after, divide the heapUsed delta. Needs `--expose-gc`; without it the figure is NaN.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { BenchSession, ClientMode } from '../clients/types';

export interface IdleHeapResult {
  readonly clients: number;
  readonly bytesPerClient: number;
}

export interface IdleHeapOptions {
  readonly clients: number;
  /** Connects in parallel batches of this size (the server is one process on 2 shared cores). */
  readonly batch: number;
  /** Time given to every GET stream to be established before the second heap reading. */
  readonly settleMs: number;
  readonly deadlineMs: number;
}

async function collectGarbage(gc: NodeJS.GCFunction): Promise<void> {
  // Several passes with time between: a pass may only queue finalizers (the SDK's fetch frees its abort
  // listeners from a FinalizationRegistry) and weak-ref clears, whose garbage the next pass collects. With
  // only two back-to-back passes a 10-client run once measured a negative delta.
  for (let pass = 0; pass < 4; pass++) {
    gc();
    await sleep(20);
  }
}

async function closeAll(sessions: readonly BenchSession[]): Promise<void> {
  await Promise.allSettled(sessions.map((s) => s.close()));
}

export async function measureIdleHeap(
  mode: ClientMode,
  url: string,
  options: IdleHeapOptions,
): Promise<IdleHeapResult> {
  const gc = globalThis.gc;
  if (gc === undefined) return { clients: 0, bytesPerClient: Number.NaN };
  // Two batches connected and closed first so lazily created module state and the connect path's optimised
  // code are not charged to the clients (with only 3 warm-up clients, ~6.5 KB/client of the delta was code).
  for (let i = 0; i < 2; i++) {
    await closeAll(await Promise.all(Array.from({ length: options.batch }, () => mode.connect(url))));
  }
  await sleep(options.settleMs);
  await collectGarbage(gc);
  const before = process.memoryUsage().heapUsed;
  const sessions: BenchSession[] = [];
  const stopAt = performance.now() + options.deadlineMs;
  try {
    while (sessions.length < options.clients && performance.now() < stopAt) {
      const size = Math.min(options.batch, options.clients - sessions.length);
      sessions.push(...(await Promise.all(Array.from({ length: size }, () => mode.connect(url)))));
    }
    await sleep(options.settleMs);
    await collectGarbage(gc);
    const after = process.memoryUsage().heapUsed;
    return { clients: sessions.length, bytesPerClient: (after - before) / sessions.length };
  } finally {
    await closeAll(sessions);
  }
}
