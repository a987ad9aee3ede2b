/**
 * The per-request Streamable HTTP exchange, in both protocol eras. Legacy (spec 2025-11-25 "Transports"): POST
 * answered as JSON or SSE, 202 for notifications and responses, the GET stream, resumption with
 * `Last-Event-ID`, DELETE. Modern (2026-07-28): every POST carries `MCP-Protocol-Version`, `Mcp-Method` and,
 * where the method has one, `Mcp-Name` (plus the caller's `Mcp-Param-*`); no session, no GET, no resumption;
 * change notifications come on the response stream of a `subscriptions/listen` POST.
 * MCPClient uses this directly because recovery needs per-request knowledge (was the request sent?
 * which event id was seen on its stream?) that the message-oriented SDK `Transport` interface hides.
 */
import { createErrorFromFailure } from '../errors';
import type { ProtocolEra } from '../session/era';
import { type RequestAuthorizer, sendAuthorized } from './authorized-send';
import { readBodyExcerpt, readBodyText } from './body-reader';
import type { AbortSignalLike, HttpResponse, HttpStack } from './http-seam';
import type { JsonRpcId, JsonRpcMessage, JsonRpcNotification, JsonRpcRequest, JsonRpcResponse } from './json-rpc';
import { mcpNameOf } from './mcp-headers';
import { type ReadOptions, expectEventStream, guardBody, readAnswer, readEventsUntil } from './read-answer';
import type { SseStreamState } from './sse-reader';

const ERROR_BODY_BYTES = 1024;
const MAX_CACHED_HEADER_SETS = 64;
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
  /** Authorizes every request and answers 401/403 challenges below the retry loop (the `authProvider` option). */
  readonly authorizer?: RequestAuthorizer;
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
  readonly signal?: AbortSignalLike;
  /** Messages on the stream other than the awaited response: notifications, server requests. */
  readonly onMessage?: (message: JsonRpcMessage) => void;
  /** Receives the stream's last event id and `retry:` hint (for resumption). */
  readonly stream?: SseStreamState;
  /** Called once the response headers said 2xx (the stream is open). */
  readonly onOpen?: () => void;
  /** Extra headers of this request only (lower-case names), e.g. the `Mcp-Param-*` of a modern tools/call. */
  readonly headers?: Readonly<Record<string, string>>;
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
  readonly #options: ExchangeOptions;
  #era: ProtocolEra = 'legacy';
  #mcpSessionId: string | undefined;
  #protocolVersion: string | undefined;
  #headers: Record<string, string>;
  /** The POST headers of the current state, built once per state change instead of once per request. */
  #postHeaders: Readonly<Record<string, string>> | undefined;
  /** Modern POST headers per method and name (a client calls few distinct tools): built once, not per request. */
  readonly #modernHeaders = new Map<string, Readonly<Record<string, string>>>();

  constructor(options: ExchangeOptions) {
    this.#options = options;
    this.#headers = options.headers ?? {};
  }

  /** The endpoint. */
  get url(): URL {
    return this.#options.url;
  }

  /** How requests are framed: `legacy` (session headers) or `modern` (per-request metadata headers). */
  get era(): ProtocolEra {
    return this.#era;
  }

  set era(era: ProtocolEra) {
    this.#era = era;
    this.#postHeaders = undefined;
  }

  /** `Mcp-Session-Id` issued at initialize; sent on every later request (legacy only). */
  get mcpSessionId(): string | undefined {
    return this.#mcpSessionId;
  }

  set mcpSessionId(id: string | undefined) {
    this.#mcpSessionId = id;
    this.#postHeaders = undefined;
  }

  /** The version sent as `MCP-Protocol-Version`: after initialize (legacy), on every request (modern). */
  get protocolVersion(): string | undefined {
    return this.#protocolVersion;
  }

  set protocolVersion(version: string | undefined) {
    this.#protocolVersion = version;
    this.#postHeaders = undefined;
  }

  /** Extra headers on every request (lower-case names). Replace the object to change them. */
  get headers(): Record<string, string> {
    return this.#headers;
  }

  set headers(headers: Record<string, string>) {
    this.#headers = headers;
    this.#postHeaders = undefined;
  }

  #requestHeaders(accept: string, extra?: Record<string, string>): Record<string, string> {
    const headers: Record<string, string> = { ...this.#headers, accept, ...extra };
    if (this.#mcpSessionId !== undefined && this.#era === 'legacy') headers['mcp-session-id'] = this.#mcpSessionId;
    if (this.#protocolVersion !== undefined) headers['mcp-protocol-version'] = this.#protocolVersion;
    return headers;
  }

  #stateHeaders(): Readonly<Record<string, string>> {
    if (this.#postHeaders === undefined) {
      this.#postHeaders = this.#requestHeaders(ACCEPT_BOTH, { 'content-type': 'application/json' });
      this.#modernHeaders.clear();
    }
    return this.#postHeaders;
  }

  /** Headers of one POST: the cached state headers, plus the modern per-request metadata when modern. */
  #postHeadersFor(message: { method: string; params?: Record<string, unknown> }, extra: Readonly<Record<string, string>> | undefined): Readonly<Record<string, string>> {
    const base = this.#stateHeaders();
    if (this.#era === 'legacy') return extra === undefined ? base : { ...base, ...extra };
    const name = mcpNameOf(message.method, message.params);
    const key = name === undefined ? message.method : `${message.method}\n${name}`;
    let headers = this.#modernHeaders.get(key);
    if (headers === undefined) {
      const built: Record<string, string> = { ...base, 'mcp-method': message.method };
      if (name !== undefined) built['mcp-name'] = name;
      headers = built;
      // Bounded: a client reading many distinct resources builds their headers per request past this.
      if (this.#modernHeaders.size < MAX_CACHED_HEADER_SETS) this.#modernHeaders.set(key, headers);
    }
    return extra === undefined ? headers : { ...headers, ...extra };
  }

  #send(
    method: 'GET' | 'POST' | 'DELETE',
    headers: Readonly<Record<string, string>>,
    body: string | undefined,
    signal: AbortSignalLike | undefined,
    background?: true,
  ): Promise<HttpResponse> {
    const authorizer = this.#options.authorizer;
    if (authorizer === undefined) return this.#sendOnce(method, headers, body, signal, background);
    // Every request of every era (initialize, server/discover, GET and listen streams, DELETE) carries the credentials.
    return sendAuthorized(authorizer, { method, url: this.#options.url }, signal, (auth) =>
      this.#sendOnce(method, { ...headers, ...auth }, body, signal, background),
    );
  }

  async #sendOnce(
    method: 'GET' | 'POST' | 'DELETE',
    headers: Readonly<Record<string, string>>,
    body: string | undefined,
    signal: AbortSignalLike | undefined,
    background?: true,
  ): Promise<HttpResponse> {
    let response: HttpResponse;
    try {
      response = await this.#options.stack.send(
        background === undefined ? { method, url: this.#options.url, headers, body, signal } : { method, url: this.#options.url, headers, body, signal, background },
      );
    } catch (error) {
      // Without a lower-level hook we cannot prove the bytes never left; the factory downgrades
      // connect-phase codes (ECONNREFUSED, DNS, connect timeout) to requestSent: false.
      throw createErrorFromFailure({ kind: 'network', error, requestSent: true, url: this.#options.url });
    }
    this.#options.onResponse?.(response);
    return response;
  }

  #readOptions(options: ExchangeCallOptions): ReadOptions {
    return { maxResponseBytes: this.#options.maxResponseBytes, onMessage: options.onMessage, stream: options.stream, url: this.#options.url };
  }

  async #httpFailure(response: HttpResponse, sentSessionId: string | undefined): Promise<never> {
    const body = await readBodyExcerpt(response, ERROR_BODY_BYTES);
    throw createErrorFromFailure({
      kind: 'http',
      status: response.status,
      headers: response.headers(),
      body,
      mcpSessionId: sentSessionId,
      era: this.#era,
      url: this.#options.url,
    });
  }

  /**
   * POSTs a request and resolves with its response (result or error object, unmapped). Other messages
   * on the same SSE stream go to `onMessage`; event ids go to `stream`.
   */
  async post(message: JsonRpcRequest, options: ExchangeCallOptions = {}): Promise<JsonRpcResponse> {
    const sentSessionId = this.#era === 'legacy' ? this.#mcpSessionId : undefined;
    const headers = this.#postHeadersFor(message, options.headers);
    const response = await this.#send('POST', headers, JSON.stringify(message), options.signal);
    if (response.status < 200 || response.status >= 300) return this.#httpFailure(response, sentSessionId);
    if (message.method === 'initialize') {
      const issued = response.header('mcp-session-id');
      if (issued !== undefined) this.mcpSessionId = issued;
    }
    return readAnswer(response, message.id, this.#readOptions(options));
  }

  /**
   * POSTs a notification or a response; the server answers 202 Accepted with no body.
   */
  async notify(message: JsonRpcNotification | JsonRpcResponse, options: { signal?: AbortSignalLike } = {}): Promise<void> {
    const sentSessionId = this.#era === 'legacy' ? this.#mcpSessionId : undefined;
    // A response (legacy answers to server requests) carries no method, so only the state headers.
    const headers = 'method' in message ? this.#postHeadersFor(message, undefined) : this.#stateHeaders();
    const response = await this.#send('POST', headers, JSON.stringify(message), options.signal);
    if (response.status < 200 || response.status >= 300) return this.#httpFailure(response, sentSessionId);
    if (response.status === 202) {
      // An empty (often chunked) body: read it to its end so the connection goes back to the pool whole.
      await guardBody(() => readBodyText(response, ERROR_BODY_BYTES), this.#options.url);
      return;
    }
    response.discard();
  }

  /**
   * Resumes a POST's SSE stream with GET + `Last-Event-ID` and resolves with the response to `id`.
   */
  async resume(id: JsonRpcId, options: ExchangeCallOptions & { stream: SseStreamState }): Promise<JsonRpcResponse> {
    const sentSessionId = this.mcpSessionId;
    const extra = options.stream.lastEventId === undefined ? undefined : { 'last-event-id': options.stream.lastEventId };
    const response = await this.#send('GET', this.#requestHeaders('text/event-stream', extra), undefined, options.signal);
    if (response.status < 200 || response.status >= 300) return this.#httpFailure(response, sentSessionId);
    return readAnswer(response, id, this.#readOptions(options));
  }

  /**
   * Opens the GET stream for server-initiated messages and reads it until it ends. Resolves
   * `'unsupported'` on 405 (spec: the server offers no stream; not an error) and `'ended'` when the
   * server closes it. Failures reject typed.
   */
  async listen(options: ExchangeCallOptions & { stream: SseStreamState }): Promise<'unsupported' | 'ended'> {
    const sentSessionId = this.mcpSessionId;
    const extra = options.stream.lastEventId === undefined ? undefined : { 'last-event-id': options.stream.lastEventId };
    const response = await this.#send('GET', this.#requestHeaders('text/event-stream', extra), undefined, options.signal, true);
    if (response.status === 405) {
      response.cancel();
      return 'unsupported';
    }
    if (response.status < 200 || response.status >= 300) return this.#httpFailure(response, sentSessionId);
    expectEventStream(response);
    options.onOpen?.();
    await readEventsUntil(response, undefined, this.#readOptions(options));
    return 'ended';
  }

  /**
   * Sends a modern `subscriptions/listen` POST and reads its response stream until the server closes it:
   * `'closed'` when the server answered the listen request (a graceful end, spec 2026-07-28
   * basic/patterns/subscriptions "Graceful Closure"), `'ended'` when the stream just stopped. Every
   * notification goes to `onMessage`; an error answer rejects typed.
   */
  async subscribe(message: JsonRpcRequest, options: ExchangeCallOptions = {}): Promise<'closed' | 'ended'> {
    const response = await this.#send('POST', this.#postHeadersFor(message, options.headers), JSON.stringify(message), options.signal, true);
    if (response.status < 200 || response.status >= 300) return this.#httpFailure(response, undefined);
    let answer: JsonRpcResponse | undefined;
    if ((response.header('content-type') ?? '').startsWith('application/json')) {
      answer = await readAnswer(response, message.id, this.#readOptions(options));
    } else {
      expectEventStream(response);
      options.onOpen?.();
      answer = await readEventsUntil(response, message.id, this.#readOptions(options));
    }
    if (answer !== undefined && 'error' in answer) throw createErrorFromFailure({ kind: 'rpc', error: answer.error, url: this.#options.url });
    return answer === undefined ? 'ended' : 'closed';
  }

  /**
   * Ends the protocol session with DELETE (spec: client SHOULD). 404 and 405 count as done.
   */
  async terminate(options: { signal?: AbortSignalLike } = {}): Promise<void> {
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
   */
  close(): Promise<void> {
    return this.#options.stack.close();
  }
}
