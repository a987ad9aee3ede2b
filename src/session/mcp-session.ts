/**
 * One MCP protocol session (spec 2025-11-25 "Lifecycle"): initialize + initialized, JSON-RPC ids,
 * in-flight attempts, progress routing by progressToken, answers to server->client requests,
 * `notifications/cancelled` on abort/timeout, DELETE with a bounded wait.
 */
import type {
  ClientCapabilities,
  Implementation,
  InitializeResult,
  Progress,
  ServerCapabilities,
} from '@modelcontextprotocol/sdk/types.js';
import { ClosedError, ProtocolError, createErrorFromFailure } from '../errors';
import type { JsonRpcId, JsonRpcMessage, JsonRpcNotification, JsonRpcRequest, JsonRpcResponse } from '../transport/json-rpc';
import { isJsonRpcRequest, isJsonRpcResponse } from '../transport/json-rpc';
import type { SseStreamState } from '../transport/sse-reader';
import type { StreamableHttpExchange } from '../transport/streamable-http';
import { Attempt } from './attempt';

/**
 * Answers one server->client request method; its return value is the JSON-RPC result.
 *
 * @example
 * ```ts
 * const listRoots: ServerRequestHandler = () => ({ roots: [] });
 * ```
 */
export type ServerRequestHandler = (params: Record<string, unknown> | undefined) => unknown;

/**
 * Options of {@link McpSession}.
 *
 * @example
 * ```ts
 * new McpSession({ exchange, clientInfo, capabilities: {}, protocolVersion: '2025-11-25', onNotification: () => {}, notifyTimeoutMs: 5_000 });
 * ```
 */
export interface SessionOptions {
  readonly exchange: StreamableHttpExchange;
  readonly clientInfo: Implementation;
  readonly capabilities: ClientCapabilities;
  readonly protocolVersion: string;
  /** Every notification except progress for a known token. Must not throw. */
  readonly onNotification: (notification: JsonRpcNotification) => void;
  /** Handlers for server->client requests; `ping` is always answered `{}`, others -32601. */
  readonly requestHandlers?: ReadonlyMap<string, ServerRequestHandler>;
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
  readonly timeoutMs: number;
  readonly onProgress?: (progress: Progress) => void;
  /** Receives the POST stream's last event id, for resumption. */
  readonly stream?: SseStreamState;
  /** Reuse this id (a resend after "not delivered"); a fresh one is allocated otherwise. */
  readonly id?: JsonRpcId;
}

const METHOD_NOT_FOUND = -32601;
const INTERNAL_ERROR = -32603;

/**
 * A protocol session over one exchange.
 *
 * @example
 * ```ts
 * const session = new McpSession({ exchange, clientInfo, capabilities: {}, protocolVersion: '2025-11-25', onNotification, notifyTimeoutMs: 5_000 });
 * await session.initialize({ timeoutMs: 10_000 });
 * const tools = await session.request('tools/list', {}, { timeoutMs: 60_000 });
 * ```
 */
export class McpSession {
  serverInfo: Implementation | undefined;
  serverCapabilities: ServerCapabilities | undefined;
  instructions: string | undefined;
  readonly #options: SessionOptions;
  readonly #exchange: StreamableHttpExchange;
  readonly #attempts = new Set<Attempt>();
  readonly #progress = new Map<JsonRpcId, (progress: Progress) => void>();
  #nextId = 0;

  constructor(options: SessionOptions) {
    this.#options = options;
    this.#exchange = options.exchange;
  }

  /** The negotiated protocol version, once initialized. */
  get protocolVersion(): string | undefined {
    return this.#exchange.protocolVersion;
  }

  /** Routes one message that arrived on any stream. Bound, so it can be passed around as a callback. */
  readonly dispatch = (message: JsonRpcMessage): void => {
    if (isJsonRpcResponse(message)) return; // a stray response: its caller is gone.
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
   * Runs initialize, reads the negotiated version, sends `notifications/initialized`.
   *
   * @example
   * ```ts
   * const result = await session.initialize({ timeoutMs: 10_000 });
   * console.log(result.serverInfo.name);
   * ```
   */
  async initialize(options: { signal?: AbortSignal; timeoutMs: number }): Promise<InitializeResult> {
    this.#exchange.mcpSessionId = undefined;
    this.#exchange.protocolVersion = undefined;
    const params = {
      protocolVersion: this.#options.protocolVersion,
      capabilities: this.#options.capabilities,
      clientInfo: this.#options.clientInfo,
    };
    const result = await this.request('initialize', params, { ...options, cancelOnAbort: false });
    const version = result.protocolVersion;
    const serverInfo = result.serverInfo;
    if (typeof version !== 'string' || typeof serverInfo !== 'object' || serverInfo === null) {
      throw new ProtocolError('The initialize result lacks protocolVersion or serverInfo', { reason: 'invalid_message', cause: result });
    }
    this.#exchange.protocolVersion = version;
    const initialized = result as InitializeResult;
    this.serverInfo = initialized.serverInfo;
    this.serverCapabilities = initialized.capabilities ?? {};
    this.instructions = initialized.instructions;
    // Part of the handshake: bounded by the connect timeout, not the (possibly much shorter) call timeout.
    await this.#post({ jsonrpc: '2.0', method: 'notifications/initialized' }, options.signal, options.timeoutMs);
    return initialized;
  }

  /**
   * One request attempt: resolves with the result object, rejects typed (RpcError, HttpError,
   * ConnectionError, ProtocolError, TimeoutError 'attempt', AbortError, ClosedError).
   *
   * @example
   * ```ts
   * const result = await session.request('tools/call', { name: 'echo', arguments: { text: 'hi' } }, { timeoutMs: 60_000 });
   * ```
   */
  async request(
    method: string,
    params: Record<string, unknown> | undefined,
    options: SessionRequestOptions & { cancelOnAbort?: boolean },
  ): Promise<Record<string, unknown>> {
    const id = options.id ?? this.nextId();
    let sentParams = params;
    if (options.onProgress) {
      const meta = (params?._meta ?? {}) as Record<string, unknown>;
      sentParams = { ...params, _meta: { ...meta, progressToken: id } };
    }
    const message: JsonRpcRequest = { jsonrpc: '2.0', id, method };
    if (sentParams !== undefined) message.params = sentParams;
    return this.#run(id, options, (signal) =>
      this.#exchange.post(message, { signal, onMessage: this.dispatch, stream: options.stream }),
    method);
  }

  /**
   * Resumes the SSE stream of request `id` with GET + `Last-Event-ID` (spec 2025-11-25 "Resumability and
   * Redelivery") and resolves with its result; same errors as {@link request}.
   *
   * @example
   * ```ts
   * const result = await session.resume(7, { stream, timeoutMs: 60_000 });
   * ```
   */
  resume(id: JsonRpcId, options: SessionRequestOptions & { stream: SseStreamState }): Promise<Record<string, unknown>> {
    return this.#run(id, options, (signal) =>
      this.#exchange.resume(id, { signal, onMessage: this.dispatch, stream: options.stream }),
    );
  }

  async #run(
    id: JsonRpcId,
    options: SessionRequestOptions & { cancelOnAbort?: boolean },
    exchange: (signal: AbortSignal) => Promise<JsonRpcResponse>,
    method?: string,
  ): Promise<Record<string, unknown>> {
    if (options.onProgress) this.#progress.set(id, options.onProgress);
    const attempt = new Attempt({ signal: options.signal, timeoutMs: options.timeoutMs, url: this.#exchange.url, method });
    this.#attempts.add(attempt);
    let response: JsonRpcResponse;
    try {
      response = await exchange(attempt.signal);
    } catch (error) {
      const explained = attempt.explain(error);
      // Spec 2025-11-25 "Cancellation": a disconnect is not a cancellation, so say so explicitly;
      // never for initialize (the spec forbids cancelling it) nor once the client is closed.
      const end = attempt.end;
      if ((end === 'aborted' || end === 'timeout') && options.cancelOnAbort !== false && !(explained instanceof ClosedError)) {
        const reason = end === 'timeout' ? 'timeout' : 'aborted by the caller';
        this.notify('notifications/cancelled', { requestId: id, reason }).catch(() => {});
      }
      throw explained;
    } finally {
      attempt.dispose();
      this.#attempts.delete(attempt);
      if (options.onProgress) this.#progress.delete(id);
    }
    if ('error' in response) throw createErrorFromFailure({ kind: 'rpc', error: response.error, url: this.#exchange.url });
    return response.result;
  }

  /**
   * Sends a notification (202 expected), bounded by `notifyTimeoutMs`.
   *
   * @example
   * ```ts
   * await session.notify('notifications/roots/list_changed');
   * ```
   */
  async notify(method: string, params?: Record<string, unknown>, signal?: AbortSignal): Promise<void> {
    const message: JsonRpcNotification = { jsonrpc: '2.0', method };
    if (params !== undefined) message.params = params;
    await this.#post(message, signal);
  }

  /** Rejects every in-flight attempt at once with ClosedError. */
  cancelAll(): void {
    for (const attempt of this.#attempts) attempt.cancel('closed');
  }

  /**
   * Ends the session with DELETE, waiting at most `timeoutMs`. Resolves true when the server confirmed.
   *
   * @example
   * ```ts
   * const confirmed = await session.terminate(2_000);
   * ```
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
      await this.#exchange.notify(message, { signal: attempt.signal });
    } catch (error) {
      throw attempt.explain(error);
    } finally {
      attempt.dispose();
      this.#attempts.delete(attempt);
    }
  }

  async #answer(request: JsonRpcRequest): Promise<void> {
    let response: JsonRpcResponse;
    const handler = this.#options.requestHandlers?.get(request.method);
    if (request.method === 'ping' && !handler) {
      response = { jsonrpc: '2.0', id: request.id, result: {} };
    } else if (!handler) {
      response = { jsonrpc: '2.0', id: request.id, error: { code: METHOD_NOT_FOUND, message: `Method not found: ${request.method}` } };
    } else {
      try {
        const result = await handler(request.params);
        response = { jsonrpc: '2.0', id: request.id, result: (result ?? {}) as Record<string, unknown> };
      } catch (error) {
        const text = error instanceof Error ? error.message : String(error);
        response = { jsonrpc: '2.0', id: request.id, error: { code: INTERNAL_ERROR, message: text } };
      }
    }
    // The answer is best effort: if it cannot be delivered the server times its request out.
    await this.#post(response).catch(() => {});
  }
}
