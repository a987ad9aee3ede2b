/**
 * The connection core behind MCPClient: lazy single-flight connect, the state machine, the app session
 * header, single-flight recovery after session loss, the GET notification stream, the request path
 * (through `request-runner.ts`) and close(). The public facade (`mcp-client.ts`) adds the MCP surface.
 */
import type { Implementation, Progress, ServerCapabilities, ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import { ClosedError, TimeoutError, describeFailure, redactUrl, type SessionExpiredError } from '../errors';
import { CircuitBreaker, computeDelay, retryAfterOf } from '../retry/index';
import type { Attempt } from '../session/attempt';
import type { McpSession } from '../session/mcp-session';
import { createCallTracer } from '../telemetry/index';
import { NotificationStream } from '../session/notification-stream';
import type { HttpResponse } from '../transport/http-seam';
import type { JsonRpcNotification } from '../transport/json-rpc';
import type { StreamableHttpExchange } from '../transport/streamable-http';
import { type ClientStats, StatsCounter } from './client-stats';
import type { ClientState, MCPClientEvents } from './client-events';
import { TypedEmitter } from './events';
import { log } from './logger';
import type { ResolvedClientOptions } from './options';
import { type RunnerContext, runConnect, runRequest } from './request-runner';
import { createSession } from './session-factory';
import { logStreamEvent, streamReconnectDelay } from './stream-policy';

/**
 * Options of one request through the core.
 *
 * @example
 * ```ts
 * await core.request('tools/call', params, { timeoutMs: 5_000, idempotent: true });
 * ```
 */
export interface CoreRequestOptions {
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
  readonly onProgress?: (progress: Progress) => void;
  readonly idempotent?: boolean;
}

/**
 * What the facade tells the core about itself.
 *
 * @example
 * ```ts
 * new ClientCore(options, { onNotification() {}, subscriptions: () => [], annotationsOf: () => undefined, onRecovered() {} });
 * ```
 */
export interface CoreHooks {
  onNotification(notification: JsonRpcNotification): void;
  /** Resources to subscribe to again after a re-initialize. */
  subscriptions(): Iterable<string>;
  annotationsOf(toolName: string): ToolAnnotations | undefined | Promise<ToolAnnotations | undefined>;
  /** Called after a successful re-initialize (the facade refreshes its tool cache). */
  onRecovered(): void;
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
  readonly events = new TypedEmitter<MCPClientEvents>();
  readonly #hooks: CoreHooks;
  readonly #stats = new StatsCounter();
  readonly #breaker: CircuitBreaker | undefined;
  readonly #scopes = new Set<Attempt>();
  readonly #runner: RunnerContext;
  #state: ClientState = 'idle';
  #sessionId: string;
  #exchange: StreamableHttpExchange | undefined;
  #session: McpSession | undefined;
  #stream: NotificationStream | undefined;
  #connecting: Promise<void> | undefined;
  #recovering: Promise<void> | undefined;
  #closing: Promise<void> | undefined;
  #backgroundTimer: ReturnType<typeof setTimeout> | undefined;
  /** Set by the first successful initialize: from then on a refused connection means a restart, not a wrong URL. */
  #reachedServer = false;

  constructor(options: ResolvedClientOptions, hooks: CoreHooks) {
    this.options = options;
    this.#sessionId = options.sessionId;
    this.#hooks = hooks;
    this.#breaker = options.breaker === false ? undefined : new CircuitBreaker({ ...options.breaker, now: options.now });
    this.#runner = {
      options,
      stats: this.#stats,
      breaker: this.#breaker,
      tracer: createCallTracer({
        tracing: options.tracing,
        tracer: options.tracer,
        serverUrl: options.url,
        mcpSessionId: () => this.mcpSessionId,
        protocolVersion: () => this.protocolVersion,
        onUnavailable: (error) =>
          log(options.logger, 'warn', { error: String(error) }, 'tracing is on but @opentelemetry/api could not be loaded; calls are not traced'),
      }),
      ensureReady: () => this.#ensureReady(),
      reachedServer: () => this.#reachedServer,
      recover: (error) => this.recover(error),
      track: (scope) => {
        this.#scopes.add(scope);
        return () => this.#scopes.delete(scope);
      },
      onRetry: (info) => {
        log(options.logger, 'debug', { method: info.method, attempt: info.attempt, delayMs: info.delayMs, error: describeFailure(info.cause) }, 'retrying an MCP request');
        this.events.emit('retry', info);
      },
      annotationsOf: (name) => hooks.annotationsOf(name),
    };
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

  get serverInfo(): Implementation | undefined {
    return this.#session?.serverInfo;
  }

  get serverCapabilities(): ServerCapabilities | undefined {
    return this.#session?.serverCapabilities;
  }

  get protocolVersion(): string | undefined {
    return this.#session?.protocolVersion;
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
   *
   * @example
   * ```ts
   * await core.connectWithRetry();
   * ```
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
    if (this.#state === 'recovering') return this.#recover();
    this.#connecting ??= this.#initialize('connecting').finally(() => {
      this.#connecting = undefined;
    });
    return this.#connecting;
  }

  async #ensureReady(): Promise<McpSession> {
    if (this.#state !== 'ready') await this.connect();
    if (!this.#session || this.#state !== 'ready') throw new ClosedError();
    return this.#session;
  }

  /**
   * Re-initializes after `error`, once for all callers; a no-op when the lost session was already replaced.
   *
   * @example
   * ```ts
   * await core.recover(sessionExpiredError);
   * ```
   */
  recover(error: SessionExpiredError): Promise<void> {
    if (this.#state === 'closed') return Promise.reject(new ClosedError());
    if (this.#recovering) return this.#recovering;
    if (error.mcpSessionId !== undefined && error.mcpSessionId !== this.mcpSessionId) return Promise.resolve();
    this.#setState('recovering');
    return this.#recover();
  }

  #recover(): Promise<void> {
    this.#recovering ??= this.#reinitialize().finally(() => {
      this.#recovering = undefined;
    });
    return this.#recovering;
  }

  async #reinitialize(): Promise<void> {
    const started = this.options.now();
    await this.#stream?.stop();
    await this.#initialize('recovering');
    const session = this.#session;
    for (const uri of this.#hooks.subscriptions()) {
      await session?.request('resources/subscribe', { uri }, { timeoutMs: this.options.timeoutMs }).catch((error: unknown) => {
        log(this.options.logger, 'warn', { uri, error: String(error) }, 'could not re-subscribe to a resource after re-initializing');
      });
    }
    this.#hooks.onRecovered();
    const durationMs = this.options.now() - started;
    this.#stats.reinitializations++;
    this.#stats.recoveryMs += durationMs;
    log(this.options.logger, 'info', { mcpSessionId: this.mcpSessionId, durationMs }, 'MCP session re-initialized');
    this.events.emit('recovered', { reason: 'session_lost', mcpSessionId: this.mcpSessionId, durationMs });
  }

  async #initialize(phase: 'connecting' | 'recovering'): Promise<void> {
    this.#setState(phase);
    const session = this.#ensureSession();
    try {
      await session.initialize({ timeoutMs: this.options.connectTimeoutMs });
    } catch (error) {
      // A failed first connect leaves the client idle; a failed recovery stays 'recovering' until one succeeds.
      if (this.#state === 'connecting') this.#setState('idle');
      if (error instanceof TimeoutError && error.kind === 'attempt') {
        throw new TimeoutError(`initialize to ${redactUrl(this.options.url)} timed out after ${error.timeoutMs} ms (\`connectTimeoutMs\`)`, { timeoutMs: error.timeoutMs, kind: 'connect', cause: error });
      }
      throw error;
    }
    if (this.#state !== phase) throw new ClosedError();
    this.#reachedServer = true;
    this.#setState('ready');
    log(this.options.logger, 'debug', { url: this.options.url.href, mcpSessionId: this.mcpSessionId }, 'MCP session initialized');
    if (this.options.listen) this.#ensureStream().start();
  }

  #ensureSession(): McpSession {
    if (this.#session) return this.#session;
    const { exchange, session } = createSession(this.options, this.#sessionId, {
      onResponse: (response) => this.#adoptSessionHeader(response),
      onNotification: (notification) => {
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
   * Keeps re-initializing while nobody calls, so the GET stream (and its notifications) comes back on its
   * own after an outage; calls in the meantime share the same single-flight recovery.
   */
  #recoverInBackground(recovery: Promise<void>, round: number): void {
    recovery.catch((error: unknown) => {
      if (this.#state !== 'recovering') return;
      const delayMs = computeDelay(Math.min(round, 64), this.options.retry, this.options.random, retryAfterOf(error, this.options.now()));
      log(this.options.logger, 'warn', { error: String(error), round, delayMs }, 're-initializing in the background failed; trying again');
      this.#backgroundTimer = setTimeout(() => {
        this.#backgroundTimer = undefined;
        if (this.#state === 'recovering') this.#recoverInBackground(this.connect(), round + 1);
      }, delayMs);
    });
  }

  #ensureStream(): NotificationStream {
    const session = this.#session;
    const exchange = this.#exchange;
    if (!session || !exchange) throw new ClosedError();
    this.#stream ??= new NotificationStream({
      exchange,
      dispatch: session.dispatch,
      delayFor: (failures, error, state) => streamReconnectDelay(this.options, failures, error, state),
      onEvent: (event) => {
        logStreamEvent(this.options, event, this.mcpSessionId);
        this.events.emit('stream', event);
        if (event.type === 'session_lost' && this.options.retry.retries > 0) this.#recoverInBackground(this.recover(event.error), 1);
      },
    });
    return this.#stream;
  }

  /**
   * One request under the retry policy: connects lazily, recovers, resumes or replays as classified.
   *
   * @example
   * ```ts
   * const result = await core.request('tools/list', {}, { timeoutMs: 5_000 });
   * ```
   */
  request(method: string, params: Record<string, unknown> | undefined, options: CoreRequestOptions): Promise<Record<string, unknown>> {
    if (this.#state === 'closed') return Promise.reject(new ClosedError());
    return runRequest(this.#runner, { method, params, ...options });
  }

  /**
   * Closes: in-flight calls reject with ClosedError at once, DELETE with a bounded wait, the GET stream
   * stops, owned sockets are destroyed. Idempotent.
   *
   * @example
   * ```ts
   * await core.close();
   * ```
   */
  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  async #shutdown(): Promise<void> {
    this.#setState('closed');
    if (this.#backgroundTimer !== undefined) clearTimeout(this.#backgroundTimer);
    for (const scope of this.#scopes) scope.cancel('closed');
    const session = this.#session;
    session?.cancelAll();
    await this.#stream?.stop();
    if (session && this.mcpSessionId !== undefined) {
      const confirmed = await session.terminate(this.options.closeTimeoutMs);
      if (!confirmed) log(this.options.logger, 'warn', { url: this.options.url.href, mcpSessionId: this.mcpSessionId }, 'DELETE of the MCP session was not confirmed');
    }
    await this.#exchange?.close();
    this.events.clear();
  }
}
