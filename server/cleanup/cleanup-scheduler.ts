import type { CleanupTier, ServerMetrics } from '../observability/server-metrics';
import type { ServerLogger } from '../session-options';
import type { SessionStore } from '../stores/types';

/** What one tier does; returns how many items it handled. */
export interface CleanupTierSpec {
  intervalMs: number;
  /** Shared-store tiers run under the store's leader lock so only one instance does the work. */
  needsLock: boolean;
  run(now: number): Promise<number>;
}

export type CleanupResult = 'ok' | 'error' | 'skipped';

export interface CleanupTierStatus {
  intervalMs: number;
  runs: number;
  lastRunAt: string | null;
  lastResult: CleanupResult | null;
  /** Items handled by the last successful run (evicted, expired or purged). */
  lastCount: number;
  lastError: string | null;
}

export interface CleanupStatus {
  running: boolean;
  tiers: Record<CleanupTier, CleanupTierStatus>;
}

export interface CleanupSchedulerDeps {
  tiers: Record<CleanupTier, CleanupTierSpec>;
  store: SessionStore;
  instanceId: string;
  metrics: ServerMetrics;
  logger: ServerLogger;
}

/**
 * Runs the three cleanup tiers on their own intervals (server-anchors.md, "Cleanup tiers"):
 * fast (local transports), regular (expiry), deep (purge). Timers are unref'd so a forgotten
 * server never holds the process open; a run never overlaps the previous run of its tier.
 *
 * @example
 * ```ts
 * const cleanup = new CleanupScheduler(deps);
 * cleanup.start();
 * await cleanup.runNow('regular');
 * ```
 */
export class CleanupScheduler {
  readonly #deps: CleanupSchedulerDeps;
  readonly #timers: NodeJS.Timeout[] = [];
  readonly #active = new Map<CleanupTier, Promise<CleanupResult>>();
  readonly #status: Record<CleanupTier, CleanupTierStatus>;

  constructor(deps: CleanupSchedulerDeps) {
    this.#deps = deps;
    const initial = (tier: CleanupTier): CleanupTierStatus => ({
      intervalMs: deps.tiers[tier].intervalMs,
      runs: 0,
      lastRunAt: null,
      lastResult: null,
      lastCount: 0,
      lastError: null,
    });
    this.#status = { fast: initial('fast'), regular: initial('regular'), deep: initial('deep') };
  }

  start(): void {
    if (this.#timers.length > 0) return;
    for (const tier of ['fast', 'regular', 'deep'] as const) {
      const timer = setInterval(() => void this.runNow(tier), this.#deps.tiers[tier].intervalMs);
      timer.unref();
      this.#timers.push(timer);
    }
  }

  /** Stops the timers and waits for runs in progress. */
  async stop(): Promise<void> {
    for (const timer of this.#timers.splice(0)) clearInterval(timer);
    await Promise.allSettled(this.#active.values());
  }

  /** Runs one tier now (or joins the run in progress). */
  runNow(tier: CleanupTier): Promise<CleanupResult> {
    let run = this.#active.get(tier);
    if (run === undefined) {
      run = this.#run(tier).finally(() => this.#active.delete(tier));
      this.#active.set(tier, run);
    }
    return run;
  }

  status(): CleanupStatus {
    return { running: this.#timers.length > 0, tiers: structuredClone(this.#status) };
  }

  async #run(tier: CleanupTier): Promise<CleanupResult> {
    const { store, instanceId, metrics, logger } = this.#deps;
    const spec = this.#deps.tiers[tier];
    const status = this.#status[tier];
    const lockName = `mcp-cleanup-${tier}`;
    let result: CleanupResult;
    try {
      // The lock outlives a crashed leader by one interval at most.
      if (spec.needsLock && !(await store.tryAcquireLock(lockName, instanceId, spec.intervalMs))) {
        result = 'skipped';
      } else {
        status.lastCount = await spec.run(Date.now());
        status.lastError = null;
        result = 'ok';
      }
    } catch (error) {
      status.lastError = String(error);
      logger.warn?.({ msg: 'cleanup failed', tier, error: String(error) });
      result = 'error';
    }
    status.runs += 1;
    status.lastRunAt = new Date().toISOString();
    status.lastResult = result;
    metrics.cleanupRuns.inc({ tier, result });
    return result;
  }
}
