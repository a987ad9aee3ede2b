/**
 * The pace of recovery (issue 9 case 2). A server that accepts `initialize` and then fails the next step at
 * once (the GET stream answered 404) made an idle client re-initialize 17,731 times in 10 s: backoff applied
 * only when the re-initialize itself failed. Here a cycle "handshake, then the session lost at once" counts as
 * a failure whatever step lost it, so the next recovery waits the loop backoff (`computeLoopDelay`: equal
 * jitter, floored); and more than `threshold` such losses within `windowMs` trip the circuit on session loss:
 * the client is `degraded` and calls fail fast until a recovery holds. Era-neutral: a modern re-negotiation
 * is paced the same way. Pure bookkeeping on an injected clock: the core does the waiting.
 */
import { type ResolvedRetryOptions, computeLoopDelay } from '../retry/index';

/**
 * How long a session (legacy) or negotiation (modern) must live for its recovery to count as one that held.
 * Longer than any stream's first step (a GET answered 404, a listen refused) and than the loop floor, short
 * enough that a server restarted every minute never looks like churn.
 *
 * @example
 * ```ts
 * const held = now - establishedAt >= SESSION_HOLD_MS;
 * ```
 */
export const SESSION_HOLD_MS = 5_000;

/**
 * Options of {@link RecoveryGovernor}.
 *
 * @example
 * ```ts
 * new RecoveryGovernor({ retry: resolveRetryOptions(), random: Math.random, now: Date.now, threshold: 3, windowMs: 60_000 });
 * ```
 */
export interface RecoveryGovernorOptions {
  readonly retry: ResolvedRetryOptions;
  readonly random: () => number;
  readonly now: () => number;
  /** Losses that did not hold within `windowMs` above which the client is degraded; `undefined`: never degraded. */
  readonly threshold: number | undefined;
  readonly windowMs: number;
  /** @default SESSION_HOLD_MS */
  readonly holdMs?: number;
}

/**
 * What a session loss means for the client.
 *
 * @example
 * ```ts
 * const { degraded, losses } = governor.lost();
 * ```
 */
export interface LossVerdict {
  /** More than `threshold` losses that did not hold within the window: fail calls fast until a recovery holds. */
  readonly degraded: boolean;
  /** Losses that did not hold, counted in the window now. */
  readonly losses: number;
  /** How long the next recovery waits. */
  readonly delayMs: number;
}

/**
 * The recovery bookkeeping of one client.
 *
 * @example
 * ```ts
 * governor.established();            // a handshake succeeded
 * const verdict = governor.lost();   // its session was lost
 * await sleep(governor.delayMs());   // before the next handshake
 * ```
 */
export class RecoveryGovernor {
  readonly #options: RecoveryGovernorOptions;
  readonly #holdMs: number;
  #establishedAt: number | undefined;
  /** Recoveries in a row that did not hold (their session was lost soon) or failed. */
  #failures = 0;
  #notBefore = 0;
  /** When the losses that did not hold happened, oldest first, within the window. */
  #losses: number[] = [];

  constructor(options: RecoveryGovernorOptions) {
    this.#options = options;
    this.#holdMs = options.holdMs ?? SESSION_HOLD_MS;
  }

  /** Recoveries in a row that did not hold or failed. */
  get failures(): number {
    return this.#failures;
  }

  /** A handshake (first connect or recovery) succeeded: its session starts to count from now. */
  established(): void {
    this.#establishedAt = this.#options.now();
  }

  /**
   * The session of the last handshake was lost. A session that lived `holdMs` resets the count (a restart now
   * and then is not churn); one lost sooner is a failed recovery and counts towards `threshold`.
   */
  lost(): LossVerdict {
    const now = this.#options.now();
    const held = this.#establishedAt !== undefined && now - this.#establishedAt >= this.#holdMs;
    this.#establishedAt = undefined;
    if (held) {
      this.#failures = 0;
      this.#losses = [];
      this.#notBefore = 0;
      return { degraded: false, losses: 0, delayMs: 0 };
    }
    this.#losses.push(now);
    const since = now - this.#options.windowMs;
    while ((this.#losses[0] ?? now) < since) this.#losses.shift();
    // Bounded: a window can hold at most one loss per loop floor anyway; keep the newest.
    if (this.#losses.length > 1_000) this.#losses.splice(0, this.#losses.length - 1_000);
    this.#fail(now);
    const { threshold } = this.#options;
    return { degraded: threshold !== undefined && this.#losses.length > threshold, losses: this.#losses.length, delayMs: this.delayMs() };
  }

  /**
   * A recovery handshake failed in a way that says something about the server (it answered, or timed out). Not
   * for "nothing listening": the reachability gate paces those probes.
   */
  failed(): void {
    this.#fail(this.#options.now());
  }

  /** How long the next recovery handshake must still wait (0 once the backoff since the last failure passed). */
  delayMs(): number {
    return Math.max(0, this.#notBefore - this.#options.now());
  }

  #fail(now: number): void {
    this.#failures = Math.min(this.#failures + 1, 64);
    this.#notBefore = now + computeLoopDelay(this.#failures, this.#options.retry, this.#options.random);
  }
}
