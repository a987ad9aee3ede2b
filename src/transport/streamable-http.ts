/**
 * The per-request Streamable HTTP exchange (spec 2025-11-25 "Transports"): POST answered as JSON or
 * SSE, 202 for notifications and responses, the GET stream, resumption with `Last-Event-ID`, DELETE.
 * MCPClient uses this directly because recovery needs per-request knowledge (was the request sent?
 * which event id was seen on its stream?) that the message-oriented SDK `Transport` interface hides.
 */
import { ProtocolError, createErrorFromFailure, isMcpClientError } from '../errors';
import { readBodyExcerpt, readBodyText } from './body-reader';
import type { HttpResponse, HttpStack } from './http-seam';
import {
  type JsonRpcId,
  type JsonRpcMessage,
  type JsonRpcNotification,
  type JsonRpcRequest,
  type JsonRpcResponse,
  isJsonRpcResponse,
  toJsonRpcMessages,
} from './json-rpc';
import { type SseStreamState, readSseStream } from './sse-reader';

const ERROR_BODY_BYTES = 1024;
const ACCEPT_BOTH = 'application/json, text/event-stream';

/**
 * Options of {@link StreamableHttpExchange}.
 *
 * @example
 * ```ts
 * new StreamableHttpExchange({ url: new URL(url), stack: createFetchStack(fetch), maxResponseBytes: 1 << 24 });
 * ```
 */
export interface ExchangeOptions {
  readonly url: URL;
  readonly stack: HttpStack;
  readonly maxResponseBytes: number;
  /** Extra headers on every request (lower-case names): user headers, the app session header. */
  readonly headers?: Record<string, string>;
  /** Sees every response before its body is read (e.g. to adopt an echoed app session header). */
  readonly onResponse?: (response: HttpResponse) => void;
}

/**
 * Options of one POST or resume.
 *
 * @example
 * ```ts
 * await exchange.post(request, { signal: AbortSignal.timeout(5_000), onMessage: console.log, stream: {} });
 * ```
 */
export interface ExchangeCallOptions {
  readonly signal?: AbortSignal;
  /** Messages on the stream other than the awaited response: notifications, server requests. */
  readonly onMessage?: (message: JsonRpcMessage) => void;
  /** Receives the stream's last event id and `retry:` hint (for resumption). */
  readonly stream?: SseStreamState;
  /** Called once the response headers said 2xx (the stream is open). */
  readonly onOpen?: () => void;
}

/**
 * One MCP endpoint over HTTP. Holds the protocol session id and negotiated version, nothing per call.
 *
 * @example
 * ```ts
 * const exchange = new StreamableHttpExchange({ url: new URL(url), stack: createFetchStack(fetch), maxResponseBytes: 1 << 24 });
 * const response = await exchange.post({ jsonrpc: '2.0', id: 1, method: 'ping' });
 * ```
 */
export class StreamableHttpExchange {
  /** `Mcp-Session-Id` issued at initialize; sent on every later request. */
  mcpSessionId: string | undefined;
  /** Negotiated version; sent as `MCP-Protocol-Version` once known (spec: MUST after initialize). */
  protocolVersion: string | undefined;
  /** Extra headers on every request. Replace the object to change them. */
  headers: Record<string, string>;
  readonly #options: ExchangeOptions;

  constructor(options: ExchangeOptions) {
    this.#options = options;
    this.headers = options.headers ?? {};
  }

  /** The endpoint. */
  get url(): URL {
    return this.#options.url;
  }

  #requestHeaders(accept: string, extra?: Record<string, string>): Record<string, string> {
    const headers: Record<string, string> = { ...this.headers, accept, ...extra };
    if (this.mcpSessionId !== undefined) headers['mcp-session-id'] = this.mcpSessionId;
    if (this.protocolVersion !== undefined) headers['mcp-protocol-version'] = this.protocolVersion;
    return headers;
  }

  async #send(
    method: 'GET' | 'POST' | 'DELETE',
    headers: Record<string, string>,
    body: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<HttpResponse> {
    let response: HttpResponse;
    try {
      response = await this.#options.stack.send({ method, url: this.#options.url, headers, body, signal });
    } catch (error) {
      // Without a lower-level hook we cannot prove the bytes never left; the factory downgrades
      // connect-phase codes (ECONNREFUSED, DNS, connect timeout) to requestSent: false.
      throw createErrorFromFailure({ kind: 'network', error, requestSent: true, url: this.#options.url });
    }
    this.#options.onResponse?.(response);
    return response;
  }

  async #httpFailure(response: HttpResponse, sentSessionId: string | undefined): Promise<never> {
    const body = await readBodyExcerpt(response, ERROR_BODY_BYTES);
    throw createErrorFromFailure({
      kind: 'http',
      status: response.status,
      headers: response.headers(),
      body,
      mcpSessionId: sentSessionId,
      url: this.#options.url,
    });
  }

  /**
   * POSTs a request and resolves with its response (result or error object, unmapped). Other messages
   * on the same SSE stream go to `onMessage`; event ids go to `stream`.
   *
   * @example
   * ```ts
   * const stream = {};
   * const response = await exchange.post(request, { signal, stream, onMessage: dispatch });
   * ```
   */
  async post(message: JsonRpcRequest, options: ExchangeCallOptions = {}): Promise<JsonRpcResponse> {
    const sentSessionId = this.mcpSessionId;
    const headers = this.#requestHeaders(ACCEPT_BOTH, { 'content-type': 'application/json' });
    const response = await this.#send('POST', headers, JSON.stringify(message), options.signal);
    if (response.status < 200 || response.status >= 300) return this.#httpFailure(response, sentSessionId);
    if (message.method === 'initialize') {
      const issued = response.header('mcp-session-id');
      if (issued !== undefined) this.mcpSessionId = issued;
    }
    return this.#readAnswer(response, message.id, options);
  }

  /**
   * POSTs a notification or a response; the server answers 202 Accepted with no body.
   *
   * @example
   * ```ts
   * await exchange.notify({ jsonrpc: '2.0', method: 'notifications/initialized' });
   * ```
   */
  async notify(message: JsonRpcNotification | JsonRpcResponse, options: { signal?: AbortSignal } = {}): Promise<void> {
    const sentSessionId = this.mcpSessionId;
    const headers = this.#requestHeaders(ACCEPT_BOTH, { 'content-type': 'application/json' });
    const response = await this.#send('POST', headers, JSON.stringify(message), options.signal);
    if (response.status < 200 || response.status >= 300) return this.#httpFailure(response, sentSessionId);
    if (response.status === 202) {
      // An empty (often chunked) body: read it to its end so the connection goes back to the pool whole.
      await this.#guard(() => readBodyText(response, ERROR_BODY_BYTES));
      return;
    }
    response.discard();
  }

  /**
   * Resumes a POST's SSE stream with GET + `Last-Event-ID` and resolves with the response to `id`.
   *
   * @example
   * ```ts
   * const response = await exchange.resume(7, { stream }); // stream.lastEventId was seen on the POST
   * ```
   */
  async resume(id: JsonRpcId, options: ExchangeCallOptions & { stream: SseStreamState }): Promise<JsonRpcResponse> {
    const sentSessionId = this.mcpSessionId;
    const extra = options.stream.lastEventId === undefined ? undefined : { 'last-event-id': options.stream.lastEventId };
    const response = await this.#send('GET', this.#requestHeaders('text/event-stream', extra), undefined, options.signal);
    if (response.status < 200 || response.status >= 300) return this.#httpFailure(response, sentSessionId);
    return this.#readAnswer(response, id, options);
  }

  /**
   * Opens the GET stream for server-initiated messages and reads it until it ends. Resolves
   * `'unsupported'` on 405 (spec: the server offers no stream; not an error) and `'ended'` when the
   * server closes it. Failures reject typed.
   *
   * @example
   * ```ts
   * const outcome = await exchange.listen({ signal, stream, onMessage: dispatch });
   * ```
   */
  async listen(options: ExchangeCallOptions & { stream: SseStreamState }): Promise<'unsupported' | 'ended'> {
    const sentSessionId = this.mcpSessionId;
    const extra = options.stream.lastEventId === undefined ? undefined : { 'last-event-id': options.stream.lastEventId };
    const response = await this.#send('GET', this.#requestHeaders('text/event-stream', extra), undefined, options.signal);
    if (response.status === 405) {
      response.cancel();
      return 'unsupported';
    }
    if (response.status < 200 || response.status >= 300) return this.#httpFailure(response, sentSessionId);
    this.#expectEventStream(response);
    options.onOpen?.();
    const onMessage = options.onMessage;
    await this.#guard(() =>
      readSseStream(response, {
        state: options.stream,
        maxEventChars: this.#options.maxResponseBytes,
        onMessage: (message) => {
          onMessage?.(message);
          return false;
        },
      }),
    );
    return 'ended';
  }

  /**
   * Ends the protocol session with DELETE (spec: client SHOULD). 404 and 405 count as done.
   *
   * @example
   * ```ts
   * await exchange.terminate({ signal: AbortSignal.timeout(2_000) });
   * ```
   */
  async terminate(options: { signal?: AbortSignal } = {}): Promise<void> {
    const sentSessionId = this.mcpSessionId;
    if (sentSessionId === undefined) return;
    const response = await this.#send('DELETE', this.#requestHeaders(ACCEPT_BOTH), undefined, options.signal);
    response.discard();
    if (response.status === 404 || response.status === 405) return;
    if (response.status < 200 || response.status >= 300) {
      throw createErrorFromFailure({ kind: 'http', status: response.status, headers: response.headers(), mcpSessionId: sentSessionId, url: this.#options.url });
    }
  }

  /**
   * Releases the HTTP stack's sockets.
   *
   * @example
   * ```ts
   * await exchange.close();
   * ```
   */
  close(): Promise<void> {
    return this.#options.stack.close();
  }

  #expectEventStream(response: HttpResponse): void {
    const type = response.header('content-type') ?? '';
    if (!type.startsWith('text/event-stream')) {
      response.cancel();
      throw new ProtocolError(`Expected text/event-stream, got ${type || 'no content type'}`, {
        reason: 'invalid_content_type',
      });
    }
  }

  /** Maps body-read failures (reset, terminated) to typed errors; typed ones pass through. */
  async #guard<T>(read: () => Promise<T>): Promise<T> {
    try {
      return await read();
    } catch (error) {
      if (isMcpClientError(error)) throw error;
      throw createErrorFromFailure({ kind: 'network', error, requestSent: true, url: this.#options.url });
    }
  }

  async #readAnswer(response: HttpResponse, id: JsonRpcId, options: ExchangeCallOptions): Promise<JsonRpcResponse> {
    const type = response.header('content-type') ?? '';
    const onMessage = options.onMessage;
    if (type.startsWith('application/json')) {
      const text = await this.#guard(() => readBodyText(response, this.#options.maxResponseBytes));
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (error) {
        throw new ProtocolError('The server sent a body that is not valid JSON', { reason: 'invalid_json', cause: error });
      }
      let answer: JsonRpcResponse | undefined;
      for (const message of toJsonRpcMessages(parsed)) {
        if (isJsonRpcResponse(message) && message.id === id) answer = message;
        else onMessage?.(message);
      }
      if (answer) return answer;
      throw new ProtocolError(`The server's JSON body holds no response to request ${String(id)}`, {
        reason: 'invalid_message',
      });
    }
    this.#expectEventStream(response);
    let answer: JsonRpcResponse | undefined;
    const stream = options.stream ?? {};
    await this.#guard(() =>
      readSseStream(response, {
        state: stream,
        maxEventChars: this.#options.maxResponseBytes,
        onMessage: (message) => {
          if (isJsonRpcResponse(message) && message.id === id) {
            answer = message;
            return true;
          }
          onMessage?.(message);
          return false;
        },
      }),
    );
    if (answer) return answer;
    throw new ProtocolError(`The SSE stream ended before the response to request ${String(id)}`, {
      reason: 'stream_ended',
    });
  }
}
