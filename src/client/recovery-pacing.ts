/**
 * Everything that gives the client core's recovery a rate (issue 9 case 2, issue 10 item 11), in one place:
 * the governor (a session lost soon after its handshake paces the next recovery; too many such losses make the
 * client `degraded`), the reachability gate (one probe per interval while nothing listens), the background
 * loop that recovers while nobody calls, and the lifetime signal that ends their waits at close(). Every
 * timer here is unref'd: pacing alone never keeps the process alive.
 */
import { ClosedError, ConnectionError, HttpError, RpcError, SessionExpiredError, describeFailure, redactUrl } from '../errors';
import { isUnreachable, sleep } from '../retry/index';
import type { ProtocolEra } from '../session/era';
import type { ClientState, MCPClientEvents } from './client-events';
import type { TypedEmitter } from './events';
import { log } from './logger';
import type { ResolvedClientOptions } from './options';
import { ReachabilityGate } from './reachability-gate';
import { RecoveryGovernor, SESSION_HOLD_MS } from './recovery-governor';

/**
 * What the pacing reads and changes in the core.
 *
 * @example
 * ```ts
 * new RecoveryPacing(options, { events, state: () => state, setState, era: () => era, reachedServer: () => true });
 * ```
 */
export interface RecoveryPacingHost {
  readonly events: TypedEmitter<MCPClientEvents>;
  state(): ClientState;
  setState(to: ClientState): void;
  era(): ProtocolEra | undefined;
  reachedServer(): boolean;
}

/** The phase a handshake runs in. */
export type HandshakePhase = 'connecting' | 'recovering' | 'degraded';

/**
 * The recovery pace of one client.
 *
 * @example
 * ```ts
 * pacing.sessionLost(error);      // state -> recovering (or degraded)
 * await pacing.waitTurn();        // before the re-initialize
 * pacing.established();           // it worked
 * ```
 */
export class RecoveryPacing {
  readonly gate: ReachabilityGate;
  readonly #governor: RecoveryGovernor;
  readonly #options: ResolvedClientOptions;
  readonly #host: RecoveryPacingHost;
  /** Aborted by close(): ends the paced waits. */
  readonly #lifetime = new AbortController();

  constructor(options: ResolvedClientOptions, host: RecoveryPacingHost) {
    this.#options = options;
    this.#host = host;
    const { breaker } = options;
    this.#governor = new RecoveryGovernor({
      retry: options.retry,
      random: options.random,
      now: options.now,
      threshold: breaker === false ? undefined : breaker.sessionLossThreshold,
      windowMs: breaker === false ? 0 : breaker.sessionLossWindowMs,
    });
    this.gate = new ReachabilityGate({ url: options.url, intervalMs: options.retry.reconnectDelayMs, random: options.random });
  }

  /** The live session (or negotiation) was lost: count it, and move to `recovering`, or `degraded` with its event. */
  sessionLost(cause: unknown): void {
    const verdict = this.#governor.lost();
    if (!verdict.degraded) {
      this.#host.setState('recovering');
      return;
    }
    const { url, logger, breaker } = this.#options;
    const windowMs = breaker === false ? 0 : breaker.sessionLossWindowMs;
    const reason =
      `the server at ${redactUrl(url)} lost ${verdict.losses} ${this.#host.era() === 'modern' ? 'negotiations' : 'sessions'} within ${windowMs} ms, ` +
      `each less than ${SESSION_HOLD_MS} ms after its handshake${cause === undefined ? '' : ` (last: ${describeFailure(cause)})`}`;
    this.#host.setState('degraded');
    log(logger, 'warn', { url: url.href, losses: verdict.losses, retryInMs: verdict.delayMs }, `MCP client degraded: ${reason}`);
    this.#host.events.emit('degraded', { reason, losses: verdict.losses, windowMs, retryInMs: verdict.delayMs, cause });
  }

  /** Calls fail fast while degraded (the circuit on session loss is open), until a recovery holds. */
  assertNotDegraded(): void {
    if (this.#host.state() !== 'degraded') return;
    throw new ConnectionError(
      `Not sending to ${redactUrl(this.#options.url)}: the client is degraded because the server keeps losing sessions soon after the handshake; ` +
        `calls fail fast until a recovery holds (next one in ${this.#governor.delayMs()} ms)`,
      { reason: 'degraded', requestSent: false },
    );
  }

  /** Waits for the next recovery's turn: at once after a session that held, else the loop backoff. Rejects on close. */
  async waitTurn(): Promise<void> {
    const delayMs = this.#governor.delayMs();
    if (delayMs > 0) await sleep(delayMs, this.#lifetime.signal, { unref: true });
  }

  /** A handshake succeeded: the server is reachable, and its session starts to count. */
  established(): void {
    this.gate.reached();
    this.#governor.established();
  }

  /** What a failed handshake says: nothing listening closes the gate; an answer opens it; a failed recovery counts. */
  handshakeFailed(error: unknown, phase: HandshakePhase): void {
    if (isUnreachable(error)) {
      // Nothing listening at a server reached before: the gate paces the probes, not the governor.
      if (this.#host.reachedServer()) this.gate.unreachable(error as ConnectionError);
      return;
    }
    if (error instanceof HttpError || error instanceof RpcError || error instanceof SessionExpiredError) this.gate.reached();
    if (phase !== 'connecting' && !(error instanceof ClosedError)) this.#governor.failed();
  }

  /**
   * Keeps recovering while nobody calls, so the notification stream (and its notifications) comes back on its
   * own after an outage; calls in the meantime share the same single-flight recovery (`recover`).
   */
  async driveInBackground(first: Promise<void>, recover: () => Promise<void>): Promise<void> {
    const recovering = (): boolean => this.#host.state() === 'recovering' || this.#host.state() === 'degraded';
    let recovery = first;
    for (let round = 1; ; round++) {
      try {
        await recovery;
        return;
      } catch (error) {
        if (!recovering()) return;
        log(this.#options.logger, 'warn', { error: describeFailure(error), round }, 're-initializing in the background failed; trying again');
        if (isUnreachable(error) && this.#host.reachedServer()) {
          try {
            await this.gate.wait(this.#lifetime.signal, Number.POSITIVE_INFINITY);
          } catch {
            return; // closed
          }
          if (!this.gate.admit()) {
            recovery = Promise.reject(this.gate.heldBack());
            continue;
          }
        }
        if (!recovering()) return;
        recovery = recover();
      }
    }
  }

  /** Ends every paced wait (close()). */
  close(): void {
    this.#lifetime.abort(new ClosedError());
    this.gate.close();
  }
}
