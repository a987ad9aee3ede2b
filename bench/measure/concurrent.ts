/**
 * Throughput at a fixed concurrency over a fixed call count: N workers share one session and pull call
 * numbers from a shared counter, so exactly the block's calls are made (fewer only when the time budget ends
 * it). Measured in blocks so the modes can alternate (see round.ts); the tally divides total calls by the total
 * time spent in this mode's blocks.
 */
import type { BenchSession } from '../clients/types';
import { cpuMicrosSince } from '../stats';
import { CallErrors } from './call-errors';

export interface ConcurrentResult {
  readonly calls: number;
  readonly callsPerSecond: number;
  readonly cpuMicrosPerCall: number;
  readonly truncated: boolean;
  /** Failed calls (not counted in `calls`). */
  readonly errors: number;
  readonly firstError?: string;
}

/** Sums concurrent blocks of one mode. */
export class ConcurrentTally {
  #calls = 0;
  #elapsedMs = 0;
  #cpuMicros = 0;
  #truncated = false;
  readonly #errors = new CallErrors();

  async runBlock(
    session: BenchSession,
    calls: number,
    concurrency: number,
    text: string,
    stopAt: number,
  ): Promise<void> {
    let started = 0;
    let done = 0;
    let broken = false;
    const worker = async (): Promise<void> => {
      while (!broken && started < calls && performance.now() < stopAt) {
        started++;
        try {
          await session.call(text);
          done++;
        } catch (error) {
          try {
            this.#errors.record(error);
          } catch (tooMany) {
            broken = true;
            throw tooMany;
          }
        }
      }
    };
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    // allSettled: when the mode breaks, every worker has stopped before the session is closed.
    const settled = await Promise.allSettled(Array.from({ length: concurrency }, worker));
    const failure = settled.find((s) => s.status === 'rejected');
    if (failure !== undefined) throw failure.reason;
    this.#cpuMicros += cpuMicrosSince(cpuStart);
    this.#elapsedMs += performance.now() - start;
    this.#calls += done;
    if (started < calls) this.#truncated = true;
  }

  result(): ConcurrentResult {
    return {
      calls: this.#calls,
      callsPerSecond: this.#elapsedMs === 0 ? Number.NaN : (this.#calls / this.#elapsedMs) * 1_000,
      cpuMicrosPerCall: this.#calls === 0 ? Number.NaN : this.#cpuMicros / this.#calls,
      truncated: this.#truncated,
      errors: this.#errors.count,
      firstError: this.#errors.firstMessage,
    };
  }
}
