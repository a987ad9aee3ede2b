/**
 * One reachability probe per client during an outage (issue 10 item 11). Before it, every waiting call
 * probed on its own: 49 calls made 113-205 attempts in a 2.4-3.4 s outage. Now the first attempt that finds
 * nothing listening (at a server the client reached before) closes the gate; while it is closed, attempts are
 * held back without sending and wait here, and once per `intervalMs` one attempt is let through as the probe.
 * The probe is a real attempt (a call, a handshake), so there is no extra request type and nothing era-specific:
 * the first one the server answers opens the gate and releases every waiter at once. Each waiter still aborts
 * on its own signal and leaves when its own budget ends. The timer is unref'd: an outage alone does not keep
 * the process alive (a waiting call does, through its own timers).
 */
import { ClosedError, ConnectionError, describeFailure, redactUrl } from '../errors';

/** The shortest probe interval, whatever `reconnectDelayMs` says. */
const MIN_INTERVAL_MS = 20;

interface Waiter {
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Options of {@link ReachabilityGate}.
 *
 * @example
 * ```ts
 * new ReachabilityGate({ url, intervalMs: 250, random: Math.random });
 * ```
 */
export interface ReachabilityGateOptions {
  readonly url: URL;
  /** One probe per interval (`retry.reconnectDelayMs`); jittered down to half of it. */
  readonly intervalMs: number;
  readonly random: () => number;
}

/**
 * The shared probe of one client.
 *
 * @example
 * ```ts
 * if (!gate.admit()) throw gate.heldBack();      // before sending
 * gate.reached();                                // the server answered something
 * gate.unreachable(error);                       // nothing listening
 * await gate.wait(signal, remainingBudgetMs);    // instead of a backoff sleep
 * ```
 */
export class ReachabilityGate {
  readonly #options: ReachabilityGateOptions;
  readonly #waiters = new Set<Waiter>();
  #down = false;
  /** The probe of the current interval is free to take. */
  #token = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #lastFailure: ConnectionError | undefined;
  #closed = false;
  /** Attempts let through while the gate was closed (tests count them). */
  probes = 0;

  constructor(options: ReachabilityGateOptions) {
    this.#options = options;
  }

  /** True while the server is known to be unreachable. */
  get down(): boolean {
    return this.#down;
  }

  /** Whether an attempt may be sent now: always while open; while closed, only the interval's probe. */
  admit(): boolean {
    if (!this.#down) return true;
    if (!this.#token) return false;
    this.#token = false;
    this.probes++;
    return true;
  }

  /** The error of an attempt held back: not delivered, unreachable, so the retry loop waits here again. */
  heldBack(): ConnectionError {
    const last = this.#lastFailure;
    return new ConnectionError(
      `Could not connect to ${redactUrl(this.#options.url)}: ${last === undefined ? 'unreachable' : describeFailure(last)} ` +
        '(held back until the shared reachability probe gets through)',
      { reason: last?.reason ?? 'refused', requestSent: false, errorCode: last?.errorCode, cause: last },
    );
  }

  /** An attempt found nothing listening: close the gate (or keep it closed) and pace the probes. */
  unreachable(error: ConnectionError): void {
    if (this.#closed) return;
    this.#lastFailure = error;
    this.#down = true;
    this.#schedule();
  }

  /** The server answered (anything at the HTTP level): open the gate and release every waiter. */
  reached(): void {
    if (!this.#down) return;
    this.#down = false;
    this.#token = false;
    this.#stopTimer();
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const waiter of waiters) waiter.resolve();
  }

  /**
   * Waits until the next attempt may go: the gate opened, or this waiter is the interval's probe, or `maxMs`
   * passed (the caller's budget: its retry loop then gives up). Rejects with `signal.reason` on abort.
   */
  wait(signal: AbortSignal | undefined, maxMs: number): Promise<void> {
    if (this.#closed) return Promise.reject(new ClosedError());
    if (!this.#down || this.#token) return Promise.resolve();
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      let deadline: ReturnType<typeof setTimeout> | undefined;
      const onAbort = (): void => finish(() => reject(signal?.reason));
      const waiter: Waiter = { resolve: () => finish(resolve), reject: (error) => finish(() => reject(error)) };
      const finish = (settle: () => void): void => {
        this.#waiters.delete(waiter);
        if (deadline !== undefined) clearTimeout(deadline);
        signal?.removeEventListener('abort', onAbort);
        settle();
      };
      this.#waiters.add(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
      if (Number.isFinite(maxMs)) {
        deadline = setTimeout(waiter.resolve, Math.max(0, Math.min(maxMs, 2 ** 31 - 1)));
        deadline.unref?.();
      }
      this.#schedule();
    });
  }

  /** Rejects every waiter with ClosedError and stops the timer. */
  close(): void {
    this.#closed = true;
    this.#stopTimer();
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const waiter of waiters) waiter.reject(new ClosedError());
  }

  #schedule(): void {
    if (this.#timer !== undefined || !this.#down || this.#closed) return;
    const { intervalMs, random } = this.#options;
    const sample = random();
    const jitter = Number.isFinite(sample) ? Math.min(Math.max(sample, 0), 1) : 1;
    // Half the interval at least (jitter spreads the clients of a fleet), and never below the loop floor, even
    // with `reconnectDelayMs: 0`.
    this.#timer = setTimeout(() => this.#tick(), Math.max(MIN_INTERVAL_MS, Math.round(intervalMs / 2 + (jitter * intervalMs) / 2)));
    this.#timer.unref?.();
  }

  #tick(): void {
    this.#timer = undefined;
    if (!this.#down) return;
    this.#token = true;
    // Wake one waiter to take it (the oldest); the others keep waiting for the next interval or the opening.
    const [first] = this.#waiters;
    first?.resolve();
    if (this.#waiters.size > 0) this.#schedule();
  }

  #stopTimer(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
