/**
 * The GET stream for server-initiated messages (spec 2025-11-25 "Listening for Messages from the
 * Server"). It reconnects for as long as it is running: the official SDK's stream dies silently after
 * two failures (TS-SDK #2098, notes/sdk-baseline.md e2/e3c), which loses notifications for good.
 */
import { SessionExpiredError } from '../errors';
import type { JsonRpcMessage } from '../transport/json-rpc';
import type { SseStreamState } from '../transport/sse-reader';
import type { StreamableHttpExchange } from '../transport/streamable-http';

/**
 * What happened to the GET stream.
 *
 * @example
 * ```ts
 * client.on('stream', (event) => { if (event.type === 'error') console.warn(`GET stream down, retry in ${event.delayMs} ms`); });
 * ```
 */
export type StreamEvent =
  | { readonly type: 'open' }
  | { readonly type: 'unsupported' }
  | { readonly type: 'ended' }
  | { readonly type: 'error'; readonly error: unknown; readonly failures: number; readonly delayMs: number }
  | { readonly type: 'session_lost'; readonly error: SessionExpiredError };

/**
 * Options of {@link NotificationStream}.
 *
 * @example
 * ```ts
 * new NotificationStream({ exchange, dispatch: session.dispatch, delayFor: () => 1_000, onEvent: () => {} });
 * ```
 */
export interface NotificationStreamOptions {
  readonly exchange: StreamableHttpExchange;
  readonly dispatch: (message: JsonRpcMessage) => void;
  /**
   * Delay before the next connection. `unstable` counts the connections in a row that failed or ended within
   * `stableAfterMs` of opening (1-based); 0 after a stream that stayed open that long and then ended cleanly.
   */
  readonly delayFor: (unstable: number, error: unknown, state: SseStreamState) => number;
  readonly onEvent: (event: StreamEvent) => void;
  /** How long a stream must stay open for its end to reset the backoff. */
  readonly stableAfterMs: number;
  /** Clock in ms. @default Date.now */
  readonly now?: () => number;
}

/**
 * How many connections in a row were unstable after this one: a stream that stayed open `stableAfterMs` starts
 * the count again (at 1 when it then failed: the next wait is the first step of the backoff), one that failed or
 * ended sooner adds to it. Without this a server answering `retry: 0` and ending at once got 62 GETs in 500 ms.
 *
 * @example
 * ```ts
 * unstable = nextUnstableCount(unstable, { openedAt, endedAt: now(), failed: error !== undefined, stableAfterMs: 1_000 });
 * ```
 */
export function nextUnstableCount(
  previous: number,
  connection: { readonly openedAt: number | undefined; readonly endedAt: number; readonly failed: boolean; readonly stableAfterMs: number },
): number {
  const stable = connection.openedAt !== undefined && connection.endedAt - connection.openedAt >= connection.stableAfterMs;
  if (stable) return connection.failed ? 1 : 0;
  return Math.min(previous + 1, 1_000);
}

/**
 * A self-reconnecting GET stream. `start()` is idempotent; `stop()` aborts the open GET and any wait.
 *
 * @example
 * ```ts
 * const stream = new NotificationStream({ exchange, dispatch: session.dispatch, delayFor: () => 1_000, onEvent: console.log });
 * stream.start();
 * stream.stop();
 * ```
 */
export class NotificationStream {
  readonly #options: NotificationStreamOptions;
  #controller: AbortController | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #wake: (() => void) | undefined;
  #running: Promise<void> | undefined;
  #state: SseStreamState = {};
  /** Settles once the first GET of the current loop has its answer (open, unsupported, failed) or the loop stops. */
  #firstAnswer: Promise<void> = Promise.resolve();
  #answered: (() => void) | undefined;

  constructor(options: NotificationStreamOptions) {
    this.#options = options;
  }

  /** True while the loop runs (connected, connecting or waiting to reconnect). */
  get running(): boolean {
    return this.#controller !== undefined;
  }

  /**
   * Resolves once the loop's first GET has been answered: the stream is open (messages the server sends from now on
   * reach the client), unsupported, or failed; or the loop was stopped. Never rejects.
   */
  get firstAnswer(): Promise<void> {
    return this.#firstAnswer;
  }

  /** Starts the loop with a fresh stream state (a new session has new event ids). */
  start(): void {
    if (this.#controller) return;
    this.#state = {};
    this.#firstAnswer = new Promise<void>((resolve) => (this.#answered = resolve));
    const controller = new AbortController();
    this.#controller = controller;
    this.#running = this.#loop(controller.signal).finally(() => {
      if (this.#controller === controller) this.#controller = undefined;
      this.#settleFirstAnswer();
    });
  }

  /** Stops the loop and resolves once it has ended. */
  async stop(): Promise<void> {
    const controller = this.#controller;
    this.#controller = undefined;
    if (!controller) return;
    controller.abort();
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#wake?.();
    await this.#running;
  }

  async #loop(signal: AbortSignal): Promise<void> {
    const { exchange, dispatch, onEvent, delayFor, stableAfterMs } = this.#options;
    const now = this.#options.now ?? Date.now;
    let unstable = 0;
    while (!signal.aborted) {
      let error: unknown;
      let openedAt: number | undefined;
      try {
        const outcome = await exchange.listen({
          signal,
          stream: this.#state,
          onMessage: dispatch,
          onOpen: () => {
            openedAt = now();
            this.#settleFirstAnswer();
            onEvent({ type: 'open' });
          },
        });
        if (signal.aborted) return;
        if (outcome === 'unsupported') {
          onEvent({ type: 'unsupported' });
          return;
        }
        onEvent({ type: 'ended' });
      } catch (caught) {
        if (signal.aborted) return;
        if (caught instanceof SessionExpiredError) {
          onEvent({ type: 'session_lost', error: caught });
          return;
        }
        error = caught;
      }
      this.#settleFirstAnswer();
      unstable = nextUnstableCount(unstable, { openedAt, endedAt: now(), failed: error !== undefined, stableAfterMs });
      const delayMs = delayFor(unstable, error, this.#state);
      if (error !== undefined) onEvent({ type: 'error', error, failures: unstable, delayMs });
      await this.#sleep(delayMs);
    }
  }

  #settleFirstAnswer(): void {
    this.#answered?.();
    this.#answered = undefined;
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        this.#timer = undefined;
        this.#wake = undefined;
        resolve();
      };
      this.#wake = done;
      // Unref'd: a client waiting to reconnect its notification stream must not keep the process alive (issue 10).
      this.#timer = setTimeout(done, ms);
      this.#timer.unref?.();
    });
  }
}
