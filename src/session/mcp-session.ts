/**
 * One MCP protocol session, in either era. Legacy (spec 2025-11-25 "Lifecycle"): initialize + initialized,
 * `notifications/cancelled` on abort/timeout, answers to server->client requests, DELETE with a bounded wait.
 * Modern (2026-07-28): `server/discover`, the `_meta` envelope on every request, cancellation by closing the
 * request's stream, no server->client requests. Both: JSON-RPC ids, in-flight attempts, progress routing.
 */
import type { ClientCapabilities, Implementation, LoggingLevel, Progress, ServerCapabilities } from '@modelcontextprotocol/client';
import { ClosedError, createErrorFromFailure } from '../errors';
import type { JsonRpcId, JsonRpcMessage, JsonRpcNotification, JsonRpcRequest, JsonRpcResponse } from '../transport/json-rpc';
import { isJsonRpcRequest, isJsonRpcResponse } from '../transport/json-rpc';
import type { AbortSignalLike } from '../transport/http-seam';
import type { SseStreamState } from '../transport/sse-reader';
import type { StreamableHttpExchange } from '../transport/streamable-http';
import { Attempt } from './attempt';
import type { ProtocolEra } from './era';
import { type ServerIdentity, readDiscoverResult, readInitializeResult } from './handshake';
import { buildEnvelope, frameParams } from './modern-envelope';
import { type ServerRequestHandler, answerServerRequest } from './server-requests';

export type { ServerRequestHandler } from './server-requests';

/**
 * Options of {@link McpSession}.
 *
 * @example
 * ```ts
 * new McpSession({ exchange, clientInfo, capabilities: {}, onNotification: () => {}, notifyTimeoutMs: 5_000 });
 * ```
 */
export interface SessionOptions {
  readonly exchange: StreamableHttpExchange;
  readonly clientInfo: Implementation;
  readonly capabilities: ClientCapabilities;
  /** Every notification except progress for a known token. Must not throw. */
  readonly onNotification: (notification: JsonRpcNotification) => void;
  /** Handler of a server->client request method (legacy era); `ping` is answered `{}` without one, others -32601. */
  readonly handlerOf?: (method: string) => ServerRequestHandler | undefined;
  /** Bound on fire-and-forget posts (initialized, cancelled, answers). */
  readonly notifyTimeoutMs: number;
}

/**
 * Options of one request attempt.
 *
 * @example
 * ```ts
 * await session.request('ping', undefined, { timeoutMs: 5_000, stream: {} });
 * ```
 */
export interface SessionRequestOptions {
  readonly signal?: AbortSignal;
  /** The call this attempt belongs to: its end (total timeout, close, abort) ends the attempt, no listener needed. */
  readonly scope?: Attempt;
  readonly timeoutMs: number;
  readonly onProgress?: (progress: Progress) => void;
  /** Receives the POST stream's last event id, for resumption. */
  readonly stream?: SseStreamState;
  /** Reuse this id (a resend after "not delivered"); a fresh one is allocated otherwise. */
  readonly id?: JsonRpcId;
  /** Headers of this request only (modern `Mcp-Param-*`). */
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * A protocol session over one exchange.
 *
 * @example
 * ```ts
 * const session = new McpSession({ exchange, clientInfo, capabilities: {}, onNotification, notifyTimeoutMs: 5_000 });
 * await session.initialize({ timeoutMs: 10_000, protocolVersion: '2025-11-25' });
 * const tools = await session.request('tools/list', {}, { timeoutMs: 60_000 });
 * ```
 */
export class McpSession {
  readonly #options: SessionOptions;
  readonly #exchange: StreamableHttpExchange;
  readonly #attempts = new Set<Attempt>();
  readonly #progress = new Map<JsonRpcId, (progress: Progress) => void>();
  /**
   * Requests in flight by id. A server may put an answer on another stream than the request's own (the conformance
   * suite's sse-retry server answers on whichever GET stream reaches it first, the notification stream included):
   * the answer still reaches its caller instead of being dropped while the caller waits on its own stream.
   */
  readonly #answerElsewhere = new Map<JsonRpcId, (response: JsonRpcResponse) => void>();
  #nextId = 0;
  #identity: ServerIdentity | undefined;
  /** The modern `_meta` envelope, built once per handshake (not per request). */
  #envelope: Readonly<Record<string, unknown>> | undefined;
  #logLevel: LoggingLevel | undefined;
  #lastHandshake: 'initialize' | 'server/discover' | undefined;

  constructor(options: SessionOptions) {
    this.#options = options;
    this.#exchange = options.exchange;
  }

  /** The handshake method sent last (`server/discover` or `initialize`), so messages say what actually ran. */
  get lastHandshake(): 'initialize' | 'server/discover' | undefined {
    return this.#lastHandshake;
  }

  /** The endpoint (for error messages). */
  get url(): URL {
    return this.#exchange.url;
  }

  /** The era of the last successful handshake; undefined before one. */
  get era(): ProtocolEra | undefined {
    return this.#identity === undefined ? undefined : this.#exchange.era;
  }

  /** The negotiated protocol version, once a handshake succeeded. */
  get protocolVersion(): string | undefined {
    return this.#identity?.protocolVersion;
  }

  get serverInfo(): Implementation | undefined {
    return this.#identity?.serverInfo;
  }

  get serverCapabilities(): ServerCapabilities | undefined {
    return this.#identity?.capabilities;
  }

  get instructions(): string | undefined {
    return this.#identity?.instructions;
  }

  /**
   * The log level a modern request asks for (`io.modelcontextprotocol/logLevel` in `_meta`, spec 2026-07-28:
   * `logging/setLevel` is gone and no level means no log notifications).
   */
  set logLevel(level: LoggingLevel | undefined) {
    this.#logLevel = level;
    if (this.#envelope !== undefined) this.#envelope = this.#buildEnvelope(this.#exchange.protocolVersion ?? '');
  }

  /** Routes one message that arrived on any stream. Bound, so it can be passed around as a callback. */
  readonly dispatch = (message: JsonRpcMessage): void => {
    if (isJsonRpcResponse(message)) {
      // An answer on a stream other than its request's own; with no caller waiting for it, it is stray and dropped.
      if (message.id !== null) this.#answerElsewhere.get(message.id)?.(message);
      return;
    }
    if (isJsonRpcRequest(message)) {
      void this.#answer(message);
      return;
    }
    if (message.method === 'notifications/progress') {
      const token = message.params?.progressToken;
      const listener = typeof token === 'string' || typeof token === 'number' ? this.#progress.get(token) : undefined;
      if (listener) {
        const params = message.params ?? {};
        const progress: Progress = { progress: Number(params.progress) };
        if (typeof params.total === 'number') progress.total = params.total;
        if (typeof params.message === 'string') progress.message = params.message;
        try {
          listener(progress);
        } catch {
          // A throwing onProgress must not break the stream that carries the result.
        }
        return;
      }
    }
    try {
      this.#options.onNotification(message);
    } catch {
      // Same: listener errors stay with the listener.
    }
  };

  /** Allocates the next JSON-RPC id. */
  nextId(): number {
    return ++this.#nextId;
  }

  /**
   * Runs the legacy handshake: initialize (offering `protocolVersion`), then `notifications/initialized`.
   */
  async initialize(options: { signal?: AbortSignal; timeoutMs: number; protocolVersion: string }): Promise<ServerIdentity> {
    this.#identity = undefined;
    this.#envelope = undefined;
    this.#lastHandshake = 'initialize';
    this.#exchange.era = 'legacy';
    this.#exchange.mcpSessionId = undefined;
    this.#exchange.protocolVersion = undefined;
    const params = {
      protocolVersion: options.protocolVersion,
      capabilities: this.#options.capabilities,
      clientInfo: this.#options.clientInfo,
    };
    const result = await this.request('initialize', params, { ...options, cancelOnAbort: false });
    const identity = readInitializeResult(result);
    this.#exchange.protocolVersion = identity.protocolVersion;
    // Part of the handshake: bounded by the connect timeout, not the (possibly much shorter) call timeout.
    await this.#post({ jsonrpc: '2.0', method: 'notifications/initialized' }, options.signal, options.timeoutMs);
    this.#identity = identity;
    return identity;
  }

  /**
   * Runs the modern handshake: `server/discover` at `protocolVersion` (spec 2026-07-28 server/discover), which
   * is also the era probe. Rejects typed; the caller reads the error to decide the era.
   */
  async discover(options: { signal?: AbortSignal; timeoutMs: number; protocolVersion: string }): Promise<ServerIdentity> {
    this.#identity = undefined;
    this.#lastHandshake = 'server/discover';
    this.#exchange.era = 'modern';
    this.#exchange.mcpSessionId = undefined;
    this.#exchange.protocolVersion = options.protocolVersion;
    this.#envelope = this.#buildEnvelope(options.protocolVersion);
    const result = await this.request('server/discover', undefined, options);
    const identity = readDiscoverResult(result, options.protocolVersion);
    this.#identity = identity;
    return identity;
  }

  #modernEnvelope(): Readonly<Record<string, unknown>> | undefined {
    return this.#exchange.era === 'modern' ? this.#envelope : undefined;
  }

  #buildEnvelope(protocolVersion: string): Readonly<Record<string, unknown>> {
    const { capabilities, clientInfo } = this.#options;
    return buildEnvelope({ protocolVersion, capabilities, clientInfo, logLevel: this.#logLevel });
  }

  /**
   * One request attempt: resolves with the result object, rejects typed (RpcError, HttpError,
   * ConnectionError, ProtocolError, TimeoutError 'attempt', AbortError, ClosedError).
   */
  async request(
    method: string,
    params: Record<string, unknown> | undefined,
    options: SessionRequestOptions & { cancelOnAbort?: boolean },
  ): Promise<Record<string, unknown>> {
    const id = options.id ?? this.nextId();
    const sentParams = frameParams(params, this.#modernEnvelope(), options.onProgress ? id : undefined);
    const message: JsonRpcRequest = { jsonrpc: '2.0', id, method };
    if (sentParams !== undefined) message.params = sentParams;
    return this.#run(id, options, (signal) =>
      this.#exchange.post(message, { signal, onMessage: this.dispatch, stream: options.stream, headers: options.headers }),
    method);
  }

  /**
   * Resumes the SSE stream of request `id` with GET + `Last-Event-ID` (spec 2025-11-25 "Resumability and
   * Redelivery") and resolves with its result; same errors as {@link request}.
   */
  resume(id: JsonRpcId, options: SessionRequestOptions & { stream: SseStreamState }): Promise<Record<string, unknown>> {
    return this.#run(id, options, (signal) =>
      this.#exchange.resume(id, { signal, onMessage: this.dispatch, stream: options.stream }),
    );
  }

  /**
   * Holds one modern `subscriptions/listen` stream open (spec 2026-07-28 basic/patterns/subscriptions) until
   * the server ends it (`'closed'`: graceful, `'ended'`: dropped) or `signal` aborts. Every message goes to
   * `onMessage`; the caller dispatches what is not protocol bookkeeping.
   */
  listen(
    notifications: Record<string, unknown>,
    options: { signal: AbortSignal; onMessage: (message: JsonRpcMessage) => void; onOpen?: () => void },
  ): Promise<'closed' | 'ended'> {
    const message: JsonRpcRequest = { jsonrpc: '2.0', id: this.nextId(), method: 'subscriptions/listen' };
    message.params = frameParams({ notifications }, this.#modernEnvelope(), undefined);
    return this.#exchange.subscribe(message, { signal: options.signal, onMessage: options.onMessage, onOpen: options.onOpen });
  }

  async #run(
    id: JsonRpcId,
    options: SessionRequestOptions & { cancelOnAbort?: boolean },
    exchange: (signal: AbortSignalLike) => Promise<JsonRpcResponse>,
    method?: string,
  ): Promise<Record<string, unknown>> {
    if (options.onProgress) this.#progress.set(id, options.onProgress);
    const attempt = new Attempt({ signal: options.signal, parent: options.scope, timeoutMs: options.timeoutMs, url: this.#exchange.url, method });
    this.#attempts.add(attempt);
    let response: JsonRpcResponse;
    let elsewhere: JsonRpcResponse | undefined;
    const answeredElsewhere = new Promise<JsonRpcResponse>((resolve) => {
      this.#answerElsewhere.set(id, (answer) => resolve((elsewhere = answer)));
    });
    try {
      // The attempt is the request's signal itself: no AbortController per request (issue 8 profile).
      const ownStream = exchange(attempt);
      response = await Promise.race([ownStream, answeredElsewhere]);
      if (elsewhere !== undefined && response === elsewhere) {
        // Stop reading the request's own stream: the answer it waits for has come.
        ownStream.catch(() => {});
        attempt.cancel('aborted');
      }
    } catch (error) {
      const explained = attempt.explain(error);
      // Spec 2025-11-25 "Cancellation": a disconnect is not a cancellation, so say so explicitly; never for
      // initialize (the spec forbids cancelling it) nor once the client is closed. In the modern era closing
      // the request's stream (the aborted signal did) IS the cancellation (2026-07-28 basic/patterns/cancellation).
      const end = attempt.end;
      const legacy = this.#exchange.era === 'legacy';
      if (legacy && (end === 'aborted' || end === 'timeout') && options.cancelOnAbort !== false && !(explained instanceof ClosedError)) {
        const reason = end === 'timeout' ? 'timeout' : 'aborted by the caller';
        this.notify('notifications/cancelled', { requestId: id, reason }).catch(() => {});
      }
      throw explained;
    } finally {
      attempt.dispose();
      this.#attempts.delete(attempt);
      this.#answerElsewhere.delete(id);
      if (options.onProgress) this.#progress.delete(id);
    }
    if ('error' in response) throw createErrorFromFailure({ kind: 'rpc', error: response.error, url: this.#exchange.url });
    return response.result;
  }

  /**
   * Sends a notification (202 expected), bounded by `notifyTimeoutMs`.
   */
  async notify(method: string, params?: Record<string, unknown>, signal?: AbortSignal): Promise<void> {
    const message: JsonRpcNotification = { jsonrpc: '2.0', method };
    const framed = frameParams(params, this.#modernEnvelope(), undefined);
    if (framed !== undefined) message.params = framed;
    await this.#post(message, signal);
  }

  /** Rejects every in-flight attempt at once with ClosedError. */
  cancelAll(): void {
    for (const attempt of this.#attempts) attempt.cancel('closed');
  }

  /**
   * Ends the session with DELETE, waiting at most `timeoutMs`. Resolves true when the server confirmed.
   */
  async terminate(timeoutMs: number): Promise<boolean> {
    const attempt = new Attempt({ timeoutMs });
    try {
      await this.#exchange.terminate({ signal: attempt.signal });
      return true;
    } catch {
      return false;
    } finally {
      attempt.dispose();
    }
  }

  async #post(message: JsonRpcNotification | JsonRpcResponse, signal?: AbortSignal, timeoutMs = this.#options.notifyTimeoutMs): Promise<void> {
    const attempt = new Attempt({ signal, timeoutMs, url: this.#exchange.url });
    this.#attempts.add(attempt);
    try {
      await this.#exchange.notify(message, { signal: attempt });
    } catch (error) {
      throw attempt.explain(error);
    } finally {
      attempt.dispose();
      this.#attempts.delete(attempt);
    }
  }

  async #answer(request: JsonRpcRequest): Promise<void> {
    // 2026-07-28: servers send no requests on streams and clients MUST NOT POST responses.
    if (this.#exchange.era === 'modern') return;
    const response = await answerServerRequest(request, (method) => this.#options.handlerOf?.(method));
    // The answer is best effort: if it cannot be delivered the server times its request out.
    await this.#post(response).catch(() => {});
  }
}
