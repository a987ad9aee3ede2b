/**
 * Sequential latency: one call at a time, so each figure is the full client + loopback + server round trip.
 * Measured in blocks so the modes can alternate block by block (see round.ts); a tally sums the blocks.
 */
import type { BenchSession } from '../clients/types';
import { cpuMicrosSince, percentile } from '../stats';
import { CallErrors } from './call-errors';

export interface SequentialResult {
  readonly calls: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly cpuMicrosPerCall: number;
  /** True when the time budget ended the run before all calls were made. */
  readonly truncated: boolean;
  /** Failed calls (not counted in `calls` nor in the latencies). */
  readonly errors: number;
  readonly firstError?: string;
}

/** Sums sequential blocks of one mode. */
export class SequentialTally {
  readonly #durationsMs: number[] = [];
  #cpuMicros = 0;
  #truncated = false;
  readonly #errors = new CallErrors();

  /** Makes up to `calls` calls one after the other, stopping early at `stopAt` (a `performance.now()` time). */
  async runBlock(session: BenchSession, calls: number, text: string, stopAt: number): Promise<void> {
    const cpuStart = process.cpuUsage();
    let done = 0;
    while (done < calls && performance.now() < stopAt) {
      const start = performance.now();
      try {
        await session.call(text);
        this.#durationsMs.push(performance.now() - start);
      } catch (error) {
        this.#errors.record(error);
      }
      done++;
    }
    this.#cpuMicros += cpuMicrosSince(cpuStart);
    if (done < calls) this.#truncated = true;
  }

  result(): SequentialResult {
    const sorted = [...this.#durationsMs].sort((a, b) => a - b);
    const calls = sorted.length;
    return {
      calls,
      errors: this.#errors.count,
      firstError: this.#errors.firstMessage,
      p50Ms: percentile(sorted, 50),
      p99Ms: percentile(sorted, 99),
      cpuMicrosPerCall: calls === 0 ? Number.NaN : this.#cpuMicros / calls,
      truncated: this.#truncated,
    };
  }
}
