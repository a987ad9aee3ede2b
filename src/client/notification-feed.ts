/**
 * Where server notifications come from, per era, behind one `notification` event (issue 8 item 5): the legacy
 * GET stream (resumed with Last-Event-ID) or the modern `subscriptions/listen` stream (no replay: after a
 * gap the owner re-lists what it caches). Both reconnect with capped backoff for as long as the client is
 * open, report `stream` events, hand a lost session to the core's recovery, and are re-armed after it.
 */
import type { ServerCapabilities } from '@modelcontextprotocol/client';
import { ClosedError, ProtocolError, type SessionExpiredError, createTimeoutError } from '../errors';
import type { ProtocolEra } from '../session/era';
import { type ListenFilter, ListenStream } from '../session/listen-stream';
import type { McpSession } from '../session/mcp-session';
import { NotificationStream, type StreamEvent } from '../session/notification-stream';
import type { StreamableHttpExchange } from '../transport/streamable-http';
import type { ResolvedClientOptions } from './options';
import { STABLE_STREAM_MS, logStreamEvent, streamReconnectDelay } from './stream-policy';

/**
 * What the feed needs from the core.
 *
 * @example
 * ```ts
 * new NotificationFeed({ options, subscriptions: () => [], onEvent() {}, onSessionLost() {}, onGap() {}, mcpSessionId: () => undefined });
 * ```
 */
export interface NotificationFeedDeps {
  readonly options: ResolvedClientOptions;
  /** Resources to receive `notifications/resources/updated` for. */
  subscriptions(): Iterable<string>;
  onEvent(event: StreamEvent): void;
  onSessionLost(error: SessionExpiredError): void;
  /** The modern stream came back after a drop: notifications may have been missed. */
  onGap(): void;
  mcpSessionId(): string | undefined;
}

/** Waits for the next acknowledgement of a listen stream. */
interface AckWaiter {
  resolve(acknowledged: ListenFilter): void;
  reject(error: unknown): void;
}

/** What a modern client asks to hear about, from what the server said it can send. */
function listenFilterOf(capabilities: ServerCapabilities | undefined, subscriptions: string[]): ListenFilter | undefined {
  const filter: ListenFilter = {};
  if (capabilities?.tools?.listChanged) filter.toolsListChanged = true;
  if (capabilities?.prompts?.listChanged) filter.promptsListChanged = true;
  if (capabilities?.resources?.listChanged) filter.resourcesListChanged = true;
  if (subscriptions.length > 0) filter.resourceSubscriptions = subscriptions;
  return Object.keys(filter).length === 0 ? undefined : filter;
}

/**
 * The notification stream of one client.
 *
 * @example
 * ```ts
 * const feed = new NotificationFeed(deps);
 * feed.start(session, exchange);
 * await feed.stop();
 * ```
 */
export class NotificationFeed {
  readonly #deps: NotificationFeedDeps;
  #legacy: NotificationStream | undefined;
  #modern: ListenStream | undefined;
  #opened = false;
  #dropped = false;
  readonly #waiters = new Set<AckWaiter>();

  constructor(deps: NotificationFeedDeps) {
    this.#deps = deps;
  }

  /**
   * Starts the stream of the session's era (a no-op while it runs). Resolves once a legacy GET stream has its
   * first answer (open, unsupported or failed): a 2025-era server sends the requests of a tool that runs (an
   * elicitation, say) on that stream when it is open and drops them when it is not, so the first call should not
   * start before it is. The modern listen stream carries no requests: it resolves at once.
   */
  start(session: McpSession, exchange: StreamableHttpExchange): Promise<void> {
    if (session.era === 'legacy') {
      const stream = this.#legacyStream(session, exchange);
      stream.start();
      return stream.firstAnswer;
    }
    if (session.era === 'modern') this.#modernStream(session).start();
    return Promise.resolve();
  }

  /** Stops whichever stream runs; pending acknowledgement waits fail with `reason`. */
  async stop(reason?: unknown): Promise<void> {
    for (const waiter of this.#waiters) waiter.reject(reason ?? new ClosedError('The notification stream stopped'));
    this.#waiters.clear();
    await Promise.all([this.#legacy?.stop(), this.#modern?.stop()]);
  }

  /**
   * Re-sends `subscriptions/listen` with the current subscriptions (modern) and resolves with the filter the
   * server acknowledged; rejects when the stream fails first or `timeoutMs` passes.
   *
   * @example
   * ```ts
   * const acknowledged = await feed.relisten(session, 10_000);
   * ```
   */
  async relisten(session: McpSession, timeoutMs: number, era: ProtocolEra | undefined): Promise<ListenFilter> {
    if (era !== 'modern') return {};
    const stream = this.#modernStream(session);
    // The waiter is registered once the old stream has stopped: a late acknowledgement of the old filter must
    // not pass for the new one.
    await stream.stop();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let waiter: AckWaiter | undefined;
    const acknowledged = new Promise<ListenFilter>((resolve, reject) => {
      waiter = { resolve, reject };
      this.#waiters.add(waiter);
      timer = setTimeout(
        () =>
          reject(
            createTimeoutError({ method: 'subscriptions/listen', url: session.url, timeoutMs, kind: 'attempt', outcome: 'was not acknowledged by the server', limit: 'timeoutMs' }),
          ),
        timeoutMs,
      );
    });
    try {
      stream.start();
      return await acknowledged;
    } finally {
      clearTimeout(timer);
      if (waiter) this.#waiters.delete(waiter);
    }
  }

  #report(event: StreamEvent, era: ProtocolEra): void {
    logStreamEvent(this.#deps.options, event, this.#deps.mcpSessionId(), era);
    this.#deps.onEvent(event);
    if (event.type === 'session_lost') this.#deps.onSessionLost(event.error);
  }

  #legacyStream(session: McpSession, exchange: StreamableHttpExchange): NotificationStream {
    const { options } = this.#deps;
    this.#legacy ??= new NotificationStream({
      exchange,
      dispatch: session.dispatch,
      delayFor: (unstable, error, state) => streamReconnectDelay(options, unstable, error, state),
      onEvent: (event) => this.#report(event, 'legacy'),
      stableAfterMs: STABLE_STREAM_MS,
      now: options.now,
    });
    return this.#legacy;
  }

  #modernStream(session: McpSession): ListenStream {
    const { options } = this.#deps;
    this.#modern ??= new ListenStream({
      session,
      filter: () => listenFilterOf(session.serverCapabilities, [...this.#deps.subscriptions()]),
      dispatch: session.dispatch,
      delayFor: (unstable, error) => streamReconnectDelay(options, unstable, error, {}),
      stableAfterMs: STABLE_STREAM_MS,
      now: options.now,
      onAcknowledged: (acknowledged) => {
        for (const waiter of this.#waiters) waiter.resolve(acknowledged);
        this.#waiters.clear();
      },
      onEvent: (event) => {
        if (event.type === 'open') {
          if (this.#opened && this.#dropped) this.#deps.onGap();
          this.#opened = true;
          this.#dropped = false;
        } else if (event.type === 'error' || event.type === 'ended') {
          this.#dropped = true;
          const failure = event.type === 'error' ? event.error : new ProtocolError('The listen stream ended before the acknowledgement', { reason: 'stream_ended' });
          for (const waiter of this.#waiters) waiter.reject(failure);
          this.#waiters.clear();
        }
        this.#report(event, 'modern');
      },
    });
    return this.#modern;
  }
}
