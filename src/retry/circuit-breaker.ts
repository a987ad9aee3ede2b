/**
 * A circuit breaker over calls that gave up: after N consecutive calls ended in `RetryExhaustedError`
 * (each already retried within its budget), the client stops hammering a server that is down and fails
 * calls fast until a cool-down has passed. Any success closes it. (Counting single failed attempts or
 * re-initializations instead opened it during a 2 s outage, failing calls that still had budget.)
 */
import { ConnectionError } from '../errors/tree';

/**
 * Circuit breaker settings.
 *
 * @example
 * ```ts
 * const options: CircuitBreakerOptions = { failureThreshold: 3, coolDownMs: 5_000 };
 * ```
 */
export interface CircuitBreakerOptions {
  /**
   * Consecutive calls that gave up (`RetryExhaustedError`) before the circuit opens.
   * @default 5
   */
  failureThreshold?: number;
  /**
   * How long the circuit stays open; then calls are let through again (half-open) and the first failure re-opens it.
   * @default 10_000
   */
  coolDownMs?: number;
  /**
   * The circuit on session loss: more than this many sessions (legacy) or negotiations (modern) lost within
   * `sessionLossWindowMs`, each less than 5 s after the handshake that made it, put the client in the `degraded`
   * state, where calls fail fast with `ConnectionError` reason `degraded` until a recovery holds (issue 9).
   * @default 3
   */
  sessionLossThreshold?: number;
  /**
   * The window in which `sessionLossThreshold` counts session losses.
   * @default 60_000
   */
  sessionLossWindowMs?: number;
  /**
   * Clock in ms, injectable for tests.
   * @default Date.now
   */
  now?: () => number;
}

/**
 * Five consecutive calls that gave up: each already spent its retries or its budget, so five is a server
 * that is not coming back soon, well past a restart. A 10 s cool-down is about one more restart; the
 * half-open state then finds out cheaply.
 *
 * @example
 * ```ts
 * new CircuitBreaker({ coolDownMs: CIRCUIT_BREAKER_DEFAULTS.coolDownMs * 2 });
 * ```
 */
export const CIRCUIT_BREAKER_DEFAULTS = {
  failureThreshold: 5,
  coolDownMs: 10_000,
  sessionLossThreshold: 3,
  sessionLossWindowMs: 60_000,
  now: Date.now,
} as const satisfies Required<CircuitBreakerOptions>;

/**
 * `closed`: calls flow. `open`: calls fail fast with `ConnectionError` reason `circuit_open`.
 * `half_open`: the cool-down passed; calls flow, and the next recorded outcome closes or re-opens the circuit.
 *
 * @example
 * ```ts
 * const state: CircuitState = breaker.state;
 * ```
 */
export type CircuitState = 'closed' | 'open' | 'half_open';

/**
 * Counts consecutive failures; opens after `failureThreshold`, half-opens after `coolDownMs`.
 *
 * @example
 * ```ts
 * const breaker = new CircuitBreaker();
 * breaker.check();                  // throws ConnectionError('circuit_open') while open
 * try { await recover(); breaker.recordSuccess(); } catch (error) { breaker.recordFailure(); throw error; }
 * ```
 */
export class CircuitBreaker {
  readonly #failureThreshold: number;
  readonly #coolDownMs: number;
  readonly #now: () => number;
  #consecutiveFailures = 0;
  #openedAt: number | undefined;
  #trips = 0;

  constructor(options: CircuitBreakerOptions = {}) {
    const failureThreshold = options.failureThreshold ?? CIRCUIT_BREAKER_DEFAULTS.failureThreshold;
    const coolDownMs = options.coolDownMs ?? CIRCUIT_BREAKER_DEFAULTS.coolDownMs;
    if (!Number.isInteger(failureThreshold) || failureThreshold < 1) {
      throw new TypeError(`Expected \`failureThreshold\` to be a positive integer, got ${failureThreshold}`);
    }
    if (typeof coolDownMs !== 'number' || !Number.isFinite(coolDownMs) || coolDownMs < 0) {
      throw new TypeError(`Expected \`coolDownMs\` to be a non-negative finite number, got ${coolDownMs}`);
    }
    this.#failureThreshold = failureThreshold;
    this.#coolDownMs = coolDownMs;
    this.#now = options.now ?? CIRCUIT_BREAKER_DEFAULTS.now;
  }

  /** The current state; `open` turns into `half_open` by itself once the cool-down has passed. */
  get state(): CircuitState {
    if (this.#openedAt === undefined) return 'closed';
    return this.#now() - this.#openedAt >= this.#coolDownMs ? 'half_open' : 'open';
  }

  /** How many times the circuit has opened. */
  get trips(): number {
    return this.#trips;
  }

  /** Throws `ConnectionError` (reason `circuit_open`, `requestSent: false`) while the circuit is open. */
  check(): void {
    if (this.#openedAt === undefined || this.state !== 'open') return;
    const remainingMs = Math.max(0, this.#coolDownMs - (this.#now() - this.#openedAt));
    throw new ConnectionError(
      `Circuit open after ${this.#consecutiveFailures} consecutive failures; next attempt allowed in ${remainingMs} ms`,
      { reason: 'circuit_open', requestSent: false },
    );
  }

  /** A success closes the circuit and resets the failure count. */
  recordSuccess(): void {
    this.#consecutiveFailures = 0;
    this.#openedAt = undefined;
  }

  /**
   * A failure counts towards the threshold; a failed half-open probe re-opens the circuit at once. A failure
   * reported while already open (a call that started before the trip) neither re-trips nor extends it.
   */
  recordFailure(): void {
    this.#consecutiveFailures++;
    const state = this.state;
    if (state === 'open') return;
    if (state === 'half_open' || this.#consecutiveFailures >= this.#failureThreshold) {
      this.#openedAt = this.#now();
      this.#trips++;
    }
  }
}
