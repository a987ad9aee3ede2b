/**
 * Proves the process stayed responsive during a hostile case: a timer ticks every 10 ms and the monitor keeps
 * the largest gap between ticks. A blocked event loop (a backtracking regex, a synchronous 2 GB decode) shows
 * as one long gap. On a shared, loaded machine a gap can also be the process waiting for a core; so each gap
 * is also measured in CPU time this process spent during it (`process.cpuUsage`, all its threads, so it can
 * only over-count), and `blockedMs = min(wall gap, CPU in the gap)` is what a test bounds: a loop busy for
 * 100 ms burns 100 ms of CPU, a starved one does not.
 */

/** The largest gaps between ticks, in ms. */
export interface LoopGaps {
  /** Largest wall-clock gap beyond the interval. */
  readonly maxGapMs: number;
  /** Largest gap during which this process was busy: min(wall gap, CPU time in the gap). */
  readonly maxBlockedMs: number;
}

/** A running monitor. */
export interface LoopMonitor {
  stop(): LoopGaps;
}

/**
 * @example
 * ```ts
 * const monitor = startLoopMonitor();
 * await hostileCase();
 * expect(monitor.stop().maxBlockedMs).toBeLessThan(100);
 * ```
 */
export function startLoopMonitor(intervalMs = 10): LoopMonitor {
  let last = performance.now();
  let lastCpu = process.cpuUsage();
  let maxGapMs = 0;
  let maxBlockedMs = 0;
  const tick = (): void => {
    const now = performance.now();
    const cpu = process.cpuUsage(lastCpu);
    const gapMs = Math.max(0, now - last - intervalMs);
    maxGapMs = Math.max(maxGapMs, gapMs);
    maxBlockedMs = Math.max(maxBlockedMs, Math.min(gapMs, (cpu.user + cpu.system) / 1000));
    last = now;
    lastCpu = process.cpuUsage();
  };
  const timer = setInterval(tick, intervalMs);
  return {
    stop(): LoopGaps {
      clearInterval(timer);
      tick();
      return { maxGapMs, maxBlockedMs };
    },
  };
}

/** The HTTP stacks of the client: undici (the default) and `fetch`. */
export const STACKS = [
  ['undici', {}],
  ['fetch', { fetch: (url: string | URL, init?: RequestInit) => globalThis.fetch(url, init) }],
] as const;

/** Prints a case's measured figures, so a CI log shows the bound's margin and not only pass/fail. */
export function reportFigures(label: string, figures: Record<string, number | string>): void {
  console.info(`[hostile] ${label}: ${Object.entries(figures).map(([key, value]) => `${key}=${typeof value === 'number' ? Math.round(value * 10) / 10 : value}`).join(' ')}`);
}
