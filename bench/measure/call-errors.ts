/**
 * Tolerance for sporadic call failures. On 2 shared cores under heavy load a keep-alive race can reset one
 * socket in thousands of calls (seen once: ECONNRESET -> MaybeExecutedError for `echo`); one such reset should
 * be counted and reported, not end a mode's whole run. Beyond a few per phase the mode is broken and fails.
 */

/** Failed calls tolerated per phase (one mode, one round) before the error is rethrown. */
export const MAX_CALL_ERRORS_PER_PHASE = 5;

export class CallErrors {
  #count = 0;
  #first: unknown;

  get count(): number {
    return this.#count;
  }

  /** The first failure's message, for the report. */
  get firstMessage(): string | undefined {
    if (this.#count === 0) return undefined;
    return this.#first instanceof Error ? `${this.#first.name}: ${this.#first.message}` : String(this.#first);
  }

  /** Records a failed call; rethrows once the phase has seen too many. */
  record(error: unknown): void {
    if (this.#count === 0) this.#first = error;
    this.#count++;
    if (this.#count > MAX_CALL_ERRORS_PER_PHASE) throw error;
  }
}
