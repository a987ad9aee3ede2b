/**
 * The one seam between the MCP transport and an HTTP stack. Two implementations sit behind it: undici's
 * Dispatcher API (the default on Node: ~0.2 ms client CPU per call against ~0.57 ms for fetch, measured
 * in notes/sdk-baseline.md) and any WHATWG `fetch` (msw tests, browsers, edge runtimes). Everything above
 * the raw exchange is shared.
 */

/**
 * What a stack needs of a cancellation signal: an `AbortSignal`, or the client's own call scope, which
 * implements this without the cost of an `AbortController` (an `EventTarget`: ~5 us and a GC share per call in
 * the issue 8 profile). undici's `request` accepts it as is; the `fetch` stack bridges it to a real signal.
 *
 * @example
 * ```ts
 * const signal: AbortSignalLike = AbortSignal.timeout(5_000);
 * ```
 */
export interface AbortSignalLike {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/**
 * One HTTP request as the transport builds it.
 *
 * @example
 * ```ts
 * const request: HttpRequest = { method: 'GET', url: new URL('http://127.0.0.1:8051/mcp'), headers: { accept: 'text/event-stream' } };
 * ```
 */
export interface HttpRequest {
  readonly method: 'GET' | 'POST' | 'DELETE';
  readonly url: URL;
  /** Lower-case header names. */
  readonly headers: Record<string, string>;
  readonly body?: string;
  readonly signal?: AbortSignalLike;
  /**
   * A long-lived background stream (the legacy GET stream, the modern listen stream): its socket must not keep
   * the process alive (issue 10). The undici stack sends it on an Agent whose sockets stay unref'd; other
   * stacks may ignore it.
   */
  readonly background?: boolean;
}

/**
 * The part of an HTTP response the transport reads.
 *
 * @example
 * ```ts
 * const type = response.header('content-type') ?? '';
 * ```
 */
export interface HttpResponse {
  readonly status: number;
  /** One header by lower-case name; repeated headers are joined with `, `. */
  header(name: string): string | undefined;
  /** All headers, lower-case names (used for error reports only, so it may be slow). */
  headers(): Record<string, string>;
  /** The whole body as text. Only called when the size is known to be within limits. */
  text(): Promise<string>;
  /** The body chunk by chunk. */
  chunks(): AsyncIterable<Uint8Array>;
  /** Drops the rest of the body and releases the connection. Never throws. */
  cancel(): void;
  /**
   * Reads and drops the rest of a body that is about to end (an SSE stream after its response: the
   * server SHOULD close it, spec 2025-11-25), so the keep-alive socket is reused instead of destroyed.
   * Never throws.
   */
  discard(): void;
}

/**
 * Sends one request; resolves once response headers arrived, rejects with the stack's own network error.
 *
 * @example
 * ```ts
 * const send: HttpSend = createFetchStack(fetch).send;
 * ```
 */
export type HttpSend = (request: HttpRequest) => Promise<HttpResponse>;

/**
 * An HTTP stack the transport owns for its lifetime.
 *
 * @example
 * ```ts
 * const stack: HttpStack = createUndiciStack({ headersTimeoutMs: 61_000, connectTimeoutMs: 10_000 });
 * ```
 */
export interface HttpStack {
  readonly send: HttpSend;
  /** Releases every socket the stack owns. Stacks that own nothing resolve at once. */
  close(): Promise<void>;
}

/**
 * The `fetch` signature the `fetch` option accepts (the MCP SDK's `FetchLike`).
 *
 * @example
 * ```ts
 * const client = new MCPClient({ url, fetch: globalThis.fetch });
 * ```
 */
export type FetchLike = (url: string | URL, init?: RequestInit) => Promise<Response>;
