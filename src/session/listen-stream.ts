/**
 * The modern era's notification stream (spec 2026-07-28 basic/patterns/subscriptions): a `subscriptions/listen`
 * POST whose SSE response stays open and carries the change notifications the client opted in to. There is no
 * replay: after a drop the stream is re-sent (capped backoff, like the legacy GET stream) and the owner
 * re-lists what it caches, since notifications sent meanwhile are gone. The stream reports the same
 * `StreamEvent`s as the GET stream.
 */
import { SessionExpiredError, createVersionRefusedError } from '../errors';
import { classifyFailure } from '../retry/index';
import type { JsonRpcMessage } from '../transport/json-rpc';
import type { McpSession } from './mcp-session';
import { type StreamEvent, nextUnstableCount } from './notification-stream';

/** The opt-in filter of `subscriptions/listen`. */
export interface ListenFilter {
  toolsListChanged?: boolean;
  promptsListChanged?: boolean;
  resourcesListChanged?: boolean;
  resourceSubscriptions?: string[];
}

const ACKNOWLEDGED = 'notifications/subscriptions/acknowledged';

/**
 * Options of {@link ListenStream}.
 *
 * @example
 * ```ts
 * new ListenStream({ session, filter: () => ({ toolsListChanged: true }), dispatch, delayFor: () => 1_000, onEvent: () => {} });
 * ```
 */
export interface ListenStreamOptions {
  readonly session: McpSession;
  /** What to listen to now; undefined when there is nothing to listen to (the stream then stays closed). */
  readonly filter: () => ListenFilter | undefined;
  /** Every notification but the acknowledgement. */
  readonly dispatch: (message: JsonRpcMessage) => void;
  /**
   * Delay before listening again. `unstable` counts the streams in a row that failed or ended within
   * `stableAfterMs` of the acknowledgement (1-based); 0 after one that stayed open that long and then ended.
   */
  readonly delayFor: (unstable: number, error: unknown) => number;
  /** How long a stream must stay acknowledged for its end to reset the backoff. */
  readonly stableAfterMs: number;
  /** Clock in ms. @default Date.now */
  readonly now?: () => number;
  /** `open` is reported when the server acknowledged the subscription, not when headers arrived. */
  readonly onEvent: (event: StreamEvent) => void;
  /** The filter the server agreed to honour, on each acknowledgement. */
  readonly onAcknowledged?: (acknowledged: ListenFilter) => void;
}

/**
 * A self-reconnecting `subscriptions/listen` stream. `start()` is idempotent; `stop()` closes the stream,
 * which is the cancellation (no `notifications/cancelled` on HTTP).
 *
 * @example
 * ```ts
 * const stream = new ListenStream(options);
 * stream.start();
 * await stream.restart(); // the filter changed
 * ```
 */
export class ListenStream {
  readonly #options: ListenStreamOptions;
  #controller: AbortController | undefined;
  #running: Promise<void> | undefined;
  #wake: (() => void) | undefined;

  constructor(options: ListenStreamOptions) {
    this.#options = options;
  }

  /** True while the loop runs. */
  get running(): boolean {
    return this.#controller !== undefined;
  }

  start(): void {
    if (this.#controller) return;
    const controller = new AbortController();
    this.#controller = controller;
    this.#running = this.#loop(controller.signal).finally(() => {
      if (this.#controller === controller) this.#controller = undefined;
    });
  }

  async stop(): Promise<void> {
    const controller = this.#controller;
    this.#controller = undefined;
    if (!controller) return;
    controller.abort();
    this.#wake?.();
    await this.#running;
  }

  /** Closes the current stream and opens one with the current filter. */
  async restart(): Promise<void> {
    await this.stop();
    this.start();
  }

  async #loop(signal: AbortSignal): Promise<void> {
    const { session, onEvent, stableAfterMs } = this.#options;
    const now = this.#options.now ?? Date.now;
    let unstable = 0;
    while (!signal.aborted) {
      const filter = this.#options.filter();
      if (filter === undefined) return;
      let error: unknown;
      let openedAt: number | undefined;
      try {
        await session.listen(filter as Record<string, unknown>, {
          signal,
          onMessage: (message) => {
            if (!('method' in message) || message.method !== ACKNOWLEDGED) {
              this.#options.dispatch(message);
              return;
            }
            openedAt = now();
            onEvent({ type: 'open' });
            const acknowledged = message.params?.notifications;
            this.#options.onAcknowledged?.(typeof acknowledged === 'object' && acknowledged !== null ? (acknowledged as ListenFilter) : {});
          },
        });
        if (signal.aborted) return;
        onEvent({ type: 'ended' });
      } catch (caught) {
        if (signal.aborted) return;
        const failureClass = classifyFailure(caught);
        if (failureClass === 'session_lost') {
          const lost = caught instanceof SessionExpiredError ? caught : createVersionRefusedError(caught, session.url, 'subscriptions/listen');
          onEvent({ type: 'session_lost', error: lost });
          return;
        }
        // A JSON-RPC answer (e.g. -32601: no subscriptions here) is final: there is no stream to wait for.
        if (failureClass === 'definite' && typeof caught === 'object' && caught !== null && 'rpcCode' in caught) {
          onEvent({ type: 'unsupported' });
          return;
        }
        error = caught;
      }
      unstable = nextUnstableCount(unstable, { openedAt, endedAt: now(), failed: error !== undefined, stableAfterMs });
      const delayMs = this.#options.delayFor(unstable, error);
      if (error !== undefined) onEvent({ type: 'error', error, failures: unstable, delayMs });
      await this.#sleep(delayMs, signal);
    }
  }

  #sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal.aborted) return resolve();
      // Unref'd: a client waiting to listen again must not keep the process alive (issue 10).
      const timer = setTimeout(done, ms);
      timer.unref?.();
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = done;
    });
  }
}
