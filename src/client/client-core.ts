/**
 * The connection core behind MCPClient: lazy single-flight connect with era negotiation, the state machine,
 * the app session header, single-flight recovery after session or era loss (paced, with the circuit on session
 * loss and the shared reachability probe: `recovery-pacing.ts`), the notification feed (GET or listen stream),
 * the request path (through `request-runner.ts`) and close(). The public facade
 * (`mcp-client.ts`) adds the MCP surface.
 */
import type { LoggingLevel } from '@modelcontextprotocol/client';
import { ClosedError, TimeoutError, redactUrl } from '../errors';
import { CircuitBreaker } from '../retry/index';
import type { Attempt } from '../session/attempt';
import type { ProtocolEra } from '../session/era';
import type { McpSession } from '../session/mcp-session';
import type { HttpResponse } from '../transport/http-seam';
import type { StreamableHttpExchange } from '../transport/streamable-http';
import { type ClientStats, StatsCounter } from './client-stats';
import type { ClientState, MCPClientEvents } from './client-events';
import { TypedEmitter } from './events';
import { log } from './logger';
import type { ResolvedClientOptions } from './options';
import { negotiateEra } from './negotiate-era';
import { type RunnerContext, runConnect, runRequest } from './request-runner';
import { createRunnerContext } from './runner-context';
import type { CoreHooks, CoreRequestOptions } from './core-hooks';
import { type HandshakePhase, RecoveryPacing } from './recovery-pacing';

export type { CoreHooks, CoreRequestOptions } from './core-hooks';
import { createSession } from './session-factory';
import { NotificationFeed } from './notification-feed';
import { ResponseCache, invalidateFor } from './response-cache';

/**
 * How long the first call after a 2025-era handshake waits for the GET stream's first answer: one round trip when
 * the server answers, and a slow or silent server cannot hold calls back longer than this.
 */
const STREAM_OPEN_WAIT_MS = 500;

/** Resolves when `work` settles or `ms` passes, whichever is first; the timer never keeps the process alive. */
function waitAtMost(work: Promise<void>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const elapsed = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
    timer.unref?.();
  });
  return Promise.race([work, elapsed]).finally(() => clearTimeout(timer));
}

/**
 * The connection core. Internal: use `MCPClient`.
 *
 * @example
 * ```ts
 * const core = new ClientCore(resolveClientOptions({ url }), hooks);
 * await core.request('ping', undefined, {});
 * await core.close();
 * ```
 */
export class ClientCore {
  readonly options: ResolvedClientOptions;
  /** The response cache view of this client (undefined with `cache: false`). */
  readonly cache: ResponseCache | undefined;
  readonly events = new TypedEmitter<MCPClientEvents>();
  readonly #hooks: CoreHooks;
  readonly #stats = new StatsCounter();
  readonly #breaker: CircuitBreaker | undefined;
  readonly #scopes = new Set<Attempt>();
  readonly #runner: RunnerContext;
  #state: ClientState = 'idle';
  /** Until the legacy GET stream of the latest handshake has its first answer (bounded): requests wait for it. */
  #streamOpening: Promise<void> | undefined;
  #sessionId: string;
  #exchange: StreamableHttpExchange | undefined;
  #session: McpSession | undefined;
  readonly #feed: NotificationFeed;
  #connecting: Promise<void> | undefined;
  #recovering: Promise<void> | undefined;
  #closing: Promise<void> | undefined;
  /** The pace of recovery: governor, reachability gate, background loop (`recovery-pacing.ts`). */
  readonly #pacing: RecoveryPacing;
  /** Set by the first successful handshake: from then on a refused connection means a restart, not a wrong URL. */
  #reachedServer = false;
  /** Counts successful handshakes, so a loss reported by an attempt of an older one recovers nothing twice. */
  #generation = 0;

  constructor(options: ResolvedClientOptions, hooks: CoreHooks) {
    this.options = options;
    this.#sessionId = options.sessionId;
    this.#hooks = hooks;
    // With an authProvider the principal is not in `headers`: its partition keeps `private` results per principal.
    const partition = options.auth === undefined ? options.headers : { ...options.headers, ' auth': options.auth.partition };
    this.cache = options.cache ? new ResponseCache(options.url, partition, options.now) : undefined;
    this.#feed = new NotificationFeed({
      options,
      subscriptions: () => hooks.subscriptions(),
      onEvent: (event) => this.events.emit('stream', event),
      onSessionLost: (error) => {
        if (options.retry.retries > 0) void this.#pacing.driveInBackground(this.recover(this.#generation, error), () => this.#recover());
      },
      onGap: () => {
        this.cache?.invalidate();
        hooks.onGap();
      },
      mcpSessionId: () => this.mcpSessionId,
    });
    this.#breaker = options.breaker === false ? undefined : new CircuitBreaker({ ...options.breaker, now: options.now });
    this.#pacing = new RecoveryPacing(options, {
      events: this.events,
      state: () => this.#state,
      setState: (to) => this.#setState(to),
      era: () => this.era,
      reachedServer: () => this.#reachedServer,
    });
    this.#runner = createRunnerContext({
      options,
      stats: this.#stats,
      breaker: this.#breaker,
      cache: this.cache,
      hooks,
      events: this.events,
      mcpSessionId: () => this.mcpSessionId,
      protocolVersion: () => this.#session?.protocolVersion,
      ensureReady: () => this.#ensureReady(),
      ready: () => (this.#state === 'ready' ? this.#session : undefined),
      generation: () => this.#generation,
      era: () => this.era,
      reachedServer: () => this.#reachedServer,
      recover: (generation, cause) => this.recover(generation, cause),
      scopes: this.#scopes,
      gate: this.#pacing.gate,
      assertNotDegraded: () => this.#pacing.assertNotDegraded(),
      handshakeMethod: () => this.#session?.lastHandshake ?? (options.era === 'legacy' ? 'initialize' : 'server/discover'),
    });
  }

  get state(): ClientState {
    return this.#state;
  }

  get sessionId(): string {
    return this.#sessionId;
  }

  get mcpSessionId(): string | undefined {
    return this.#exchange?.mcpSessionId;
  }

  /** The protocol session (era, version, server identity), once created. */
  get session(): McpSession | undefined {
    return this.#session;
  }

  get era(): ProtocolEra | undefined {
    return this.#session?.era;
  }

  /** The resilience counters. */
  stats(): ClientStats {
    return this.#stats.snapshot(this.#breaker?.trips ?? 0);
  }

  #setState(to: ClientState): void {
    const from = this.#state;
    if (from === to) return;
    this.#state = to;
    this.events.emit('state', { from, to });
  }

  /**
   * Connects under the retry policy (503/429/refused are retried). Idempotent.
   */
  connectWithRetry(signal?: AbortSignal): Promise<void> {
    if (this.#state === 'ready') return Promise.resolve();
    if (this.#state === 'closed') return Promise.reject(new ClosedError());
    return runConnect(this.#runner, signal);
  }

  /**
   * Connects once; concurrent callers share the attempt; a failed attempt leaves the client idle. The
   * shared initialize takes no caller's signal (one caller's abort must not fail the others): callers
   * race it with their own signal in the retry loop, and it is bounded by `connectTimeoutMs`.
   */
  connect(): Promise<void> {
    if (this.#state === 'closed') return Promise.reject(new ClosedError());
    if (this.#state === 'ready') return Promise.resolve();
    if (this.#state === 'recovering' || this.#state === 'degraded') return this.#recover();
    this.#connecting ??= this.#initialize('connecting').finally(() => {
      this.#connecting = undefined;
    });
    return this.#connecting;
  }

  async #ensureReady(): Promise<McpSession> {
    if (this.#state !== 'ready') await this.connect();
    if (!this.#session || this.#state !== 'ready') throw new ClosedError();
    const session = this.#session;
    if (this.#streamOpening !== undefined) {
      await this.#streamOpening;
      // The narrowing above does not survive the await: close() may have run meanwhile.
      if ((this.#state as ClientState) === 'closed') throw new ClosedError();
    }
    return session;
  }

  /**
   * Re-initializes (legacy) or re-negotiates (modern) after the handshake of `generation` was lost, once for
   * all callers; a no-op when that handshake was already replaced. The loss is counted (`RecoveryGovernor`): a
   * session lost soon after its handshake makes the next recovery wait the loop backoff, and too many such
   * losses in the window make the client `degraded`.
   */
  recover(generation: number, cause?: unknown): Promise<void> {
    if (this.#state === 'closed') return Promise.reject(new ClosedError());
    if (this.#recovering) return this.#recovering;
    if (generation !== this.#generation) return Promise.resolve();
    // Only the loss of a live session counts: a failed recovery is already counted by the governor.
    if (this.#state === 'ready') this.#pacing.sessionLost(cause);
    return this.#recover();
  }

  #recover(): Promise<void> {
    this.#recovering ??= this.#reinitialize().finally(() => {
      this.#recovering = undefined;
    });
    return this.#recovering;
  }

  async #reinitialize(): Promise<void> {
    // Paced: at once after the loss of a session that held, else the loop backoff since the last failure.
    await this.#pacing.waitTurn();
    const started = this.options.now();
    await this.#feed.stop();
    await this.#initialize(this.#state === 'degraded' ? 'degraded' : 'recovering');
    const session = this.#session;
    // Modern subscriptions ride the listen stream, which re-arms itself with the current set.
    const resubscribe = session?.era === 'legacy' ? this.#hooks.subscriptions() : [];
    for (const uri of resubscribe) {
      await session?.request('resources/subscribe', { uri }, { timeoutMs: this.options.timeoutMs }).catch((error: unknown) => {
        log(this.options.logger, 'warn', { uri, error: String(error) }, 'could not re-subscribe to a resource after re-initializing');
      });
    }
    this.cache?.invalidate();
    this.#hooks.onRecovered();
    const durationMs = this.options.now() - started;
    this.#stats.reinitializations++;
    this.#stats.recoveryMs += durationMs;
    log(this.options.logger, 'info', { mcpSessionId: this.mcpSessionId, durationMs }, 'MCP session re-initialized');
    this.events.emit('recovered', { reason: 'session_lost', mcpSessionId: this.mcpSessionId, durationMs });
  }

  async #initialize(phase: HandshakePhase): Promise<void> {
    this.#setState(phase);
    const session = this.#ensureSession();
    try {
      await negotiateEra(session, {
        url: this.options.url,
        preference: this.options.era,
        legacyVersion: this.options.protocolVersion,
        timeoutMs: this.options.connectTimeoutMs,
        now: this.options.now,
        recovering: phase !== 'connecting',
      });
    } catch (error) {
      // A failed first connect leaves the client idle; a failed recovery stays 'recovering' (or 'degraded') until one succeeds.
      if (this.#state === 'connecting') this.#setState('idle');
      this.#pacing.handshakeFailed(error, phase);
      if (error instanceof TimeoutError && error.kind === 'attempt') {
        const method = session.lastHandshake ?? 'handshake';
        throw new TimeoutError(`The handshake (${method}) with ${redactUrl(this.options.url)} timed out after ${error.timeoutMs} ms (\`connectTimeoutMs\`)`, {
          timeoutMs: error.timeoutMs,
          kind: 'connect',
          cause: error,
        });
      }
      throw error;
    }
    if (this.#state !== phase) throw new ClosedError();
    this.#reachedServer = true;
    this.#generation++;
    this.#pacing.established();
    this.#setState('ready');
    log(this.options.logger, 'debug', { url: this.options.url.href, era: session.era, protocolVersion: session.protocolVersion, mcpSessionId: this.mcpSessionId }, 'MCP handshake done');
    // The GET stream (legacy) or the listen stream (modern); a modern client with subscriptions listens anyway.
    const subscribed = [...this.#hooks.subscriptions()].length > 0;
    if ((this.options.listen || (subscribed && session.era === 'modern')) && this.#exchange) {
      // Requests wait for the legacy GET stream's first answer, at most STREAM_OPEN_WAIT_MS: a server that sends a
      // running tool's elicitation on the GET stream drops it when the stream is not open yet. connect() itself
      // does not wait: what the stream finds (a lost session, say) is handled by the usual recovery.
      const opening: Promise<void> = waitAtMost(this.#feed.start(session, this.#exchange), STREAM_OPEN_WAIT_MS).then(() => {
        if (this.#streamOpening === opening) this.#streamOpening = undefined;
      });
      this.#streamOpening = opening;
    }
  }

  #ensureSession(): McpSession {
    if (this.#session) return this.#session;
    const { exchange, session } = createSession(this.options, this.#sessionId, {
      onResponse: (response) => this.#adoptSessionHeader(response),
      onNotification: (notification) => {
        invalidateFor(this.cache, notification);
        this.#hooks.onNotification(notification);
        this.events.emit('notification', { method: notification.method, params: notification.params });
      },
    });
    this.#exchange = exchange;
    this.#session = session;
    return session;
  }

  #adoptSessionHeader(response: HttpResponse): void {
    const headerName = this.options.sessionHeader.toLowerCase();
    const echoed = response.header(headerName);
    if (echoed === undefined || echoed === '' || echoed === this.#sessionId || !this.#exchange) return;
    const previousSessionId = this.#sessionId;
    this.#sessionId = echoed;
    this.#exchange.headers = { ...this.#exchange.headers, [headerName]: echoed };
    log(this.options.logger, 'info', { sessionId: echoed, previousSessionId }, 'adopted the application session id the server sent');
    this.events.emit('session', { sessionId: echoed, previousSessionId });
  }

  /**
   * One request under the retry policy: connects lazily, recovers, resumes or replays as classified.
   */
  request(method: string, params: Record<string, unknown> | undefined, options: CoreRequestOptions): Promise<Record<string, unknown>> {
    if (this.#state === 'closed') return Promise.reject(new ClosedError());
    return runRequest(this.#runner, { method, params, ...options });
  }

  /**
   * Re-arms the modern listen stream with the current subscriptions and waits (at most `timeoutMs`) for the
   * server's acknowledgement; resolves at once in the legacy era (its subscriptions are RPCs).
   */
  async relisten(timeoutMs: number): Promise<void> {
    const session = await this.#ensureReady();
    if (session.era !== 'modern' || !this.#exchange) return;
    await this.#feed.relisten(session, timeoutMs, session.era);
  }

  /**
   * Sends a notification on the ready session (no retry: a notification has no answer to wait for).
   */
  async notify(method: string, params: Record<string, unknown> | undefined, signal?: AbortSignal): Promise<void> {
    const session = await this.#ensureReady();
    await session.notify(method, params, signal);
  }

  /**
   * The modern per-request log level (`_meta` `io.modelcontextprotocol/logLevel`).
   */
  setLogLevel(level: LoggingLevel): void {
    if (this.#session) this.#session.logLevel = level;
  }

  /**
   * Closes: in-flight calls reject with ClosedError at once, DELETE with a bounded wait, the GET stream
   * stops, owned sockets are destroyed. Idempotent.
   */
  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  async #shutdown(): Promise<void> {
    this.#setState('closed');
    this.#pacing.close();
    for (const scope of this.#scopes) scope.cancel('closed');
    const session = this.#session;
    session?.cancelAll();
    await this.#feed.stop(new ClosedError());
    if (session && this.mcpSessionId !== undefined) {
      const confirmed = await session.terminate(this.options.closeTimeoutMs);
      if (!confirmed) log(this.options.logger, 'warn', { url: this.options.url.href, mcpSessionId: this.mcpSessionId }, 'DELETE of the MCP session was not confirmed');
    }
    await this.#exchange?.close();
    this.events.clear();
  }
}
