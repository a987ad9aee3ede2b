/**
 * The client's resilience counters, returned by `client.stats()`. Plain numbers that never reset, so a
 * dashboard can diff two snapshots (notes/clients-survey.md gap 5: nobody exposes retry/reinit metrics).
 */

/**
 * A snapshot of what the client did to keep calls working.
 *
 * @example
 * ```ts
 * const { retries, reinitializations } = client.stats();
 * ```
 */
export interface ClientStats {
  /** Requests started through the client (every surface method; initialize not included). */
  readonly calls: number;
  /** Waits-and-resends after a failed attempt. */
  readonly retries: number;
  /** Successful re-initializations after the server lost the session. */
  readonly reinitializations: number;
  /** Successful resumptions of a cut SSE stream with GET + Last-Event-ID. */
  readonly resumes: number;
  /** Calls whose answer was lost and that were NOT resent because they were not replay-safe. */
  readonly replaysRefused: number;
  /** Modern `input_required` rounds answered (each one a resend carrying the handlers' input). */
  readonly inputRounds: number;
  /** Results served from the response cache without a request (fresh by the server's `ttlMs`). */
  readonly cacheHits: number;
  /** Times the circuit breaker opened. */
  readonly breakerTrips: number;
  /** Total time spent re-initializing, in ms. */
  readonly recoveryMs: number;
}

/**
 * The mutable counters behind {@link ClientStats}. Internal.
 *
 * @example
 * ```ts
 * const counter = new StatsCounter(); counter.retries++; counter.snapshot(0).retries; // 1
 * ```
 */
export class StatsCounter {
  calls = 0;
  retries = 0;
  reinitializations = 0;
  resumes = 0;
  replaysRefused = 0;
  inputRounds = 0;
  cacheHits = 0;
  recoveryMs = 0;

  /** A frozen copy; `breakerTrips` comes from the breaker itself. */
  snapshot(breakerTrips: number): ClientStats {
    return Object.freeze({
      calls: this.calls,
      retries: this.retries,
      reinitializations: this.reinitializations,
      resumes: this.resumes,
      replaysRefused: this.replaysRefused,
      inputRounds: this.inputRounds,
      cacheHits: this.cacheHits,
      breakerTrips,
      recoveryMs: this.recoveryMs,
    });
  }
}
