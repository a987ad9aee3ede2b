/**
 * Our Streamable HTTP transport behind the official SDK's `Transport` interface, so the SDK's own
 * `Client` can sit on top of it. Only SDK *types* are imported: the root entry stays free of the SDK's
 * runtime. MCPClient does not use this class; it uses the per-request exchange directly.
 */
import type { Transport, TransportSendOptions } from '@modelcontextprotocol/client';
import type { JSONRPCMessage } from '@modelcontextprotocol/client';
import type { Dispatcher } from 'undici';
import { NotificationStream } from '../session/notification-stream';
import { createFetchStack } from './fetch-stack';
import type { FetchLike } from './http-seam';
import {
  type JsonRpcMessage,
  type JsonRpcNotification,
  type JsonRpcResponse,
  isJsonRpcRequest,
  isJsonRpcResponse,
} from './json-rpc';
import { StreamableHttpExchange } from './streamable-http';
import { createUndiciStack } from './undici-stack';

/**
 * Options of {@link ArchonStreamableHttpTransport}.
 *
 * @example
 * ```ts
 * const transport = new ArchonStreamableHttpTransport(url, { headers: { authorization: `Bearer ${token}` }, listen: false });
 * ```
 */
export interface ArchonTransportOptions {
  /** Use this fetch instead of undici. */
  readonly fetch?: FetchLike;
  /** Use this undici dispatcher instead of an owned Agent. */
  readonly dispatcher?: Dispatcher;
  /** Extra headers on every request. */
  readonly headers?: Record<string, string>;
  /** @default 16 MiB */
  readonly maxResponseBytes?: number;
  /** Open the GET stream after `notifications/initialized`. @default true */
  readonly listen?: boolean;
}

const TRANSPORT_DEFAULTS = { maxResponseBytes: 16 * 1024 * 1024, listen: true } as const;
// Headers arrive only when a JSON-mode tool finishes; the SDK Client's own request timeout governs.
const HEADERS_TIMEOUT_MS = 10 * 60_000;
const CONNECT_TIMEOUT_MS = 10_000;

/**
 * An SDK-compatible Streamable HTTP client transport on undici (or `fetch`).
 *
 * @example
 * ```ts
 * import { Client } from '@modelcontextprotocol/client';
 * const client = new Client({ name: 'demo', version: '1.0.0' });
 * await client.connect(new ArchonStreamableHttpTransport(new URL('http://127.0.0.1:8051/mcp')));
 * ```
 */
export class ArchonStreamableHttpTransport implements Transport {
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  onmessage?: (<T extends JSONRPCMessage>(message: T) => void) | undefined;
  readonly #exchange: StreamableHttpExchange;
  readonly #listen: boolean;
  #stream: NotificationStream | undefined;
  #closed = false;

  constructor(url: URL | string, options: ArchonTransportOptions = {}) {
    const stack = options.fetch
      ? createFetchStack(options.fetch)
      : createUndiciStack({ dispatcher: options.dispatcher, headersTimeoutMs: HEADERS_TIMEOUT_MS, connectTimeoutMs: CONNECT_TIMEOUT_MS });
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(options.headers ?? {})) headers[name.toLowerCase()] = value;
    this.#exchange = new StreamableHttpExchange({
      url: new URL(url),
      stack,
      maxResponseBytes: options.maxResponseBytes ?? TRANSPORT_DEFAULTS.maxResponseBytes,
      headers,
    });
    this.#listen = options.listen ?? TRANSPORT_DEFAULTS.listen;
  }

  /** The protocol session id, once issued. */
  get sessionId(): string | undefined {
    return this.#exchange.mcpSessionId;
  }

  /** Nothing to open: Streamable HTTP connects per request. */
  async start(): Promise<void> {}

  /** Called by the SDK Client after initialize. */
  setProtocolVersion(version: string): void {
    this.#exchange.protocolVersion = version;
  }

  /** Sends one message; a request's response is delivered through `onmessage`. */
  async send(message: JSONRPCMessage, _options?: TransportSendOptions): Promise<void> {
    const outgoing = message as JsonRpcMessage;
    try {
      if ('method' in outgoing && isJsonRpcRequest(outgoing)) {
        const response = await this.#exchange.post(outgoing, { onMessage: this.#deliver });
        this.#deliver(response);
        return;
      }
      await this.#exchange.notify(outgoing as JsonRpcNotification | JsonRpcResponse);
      if ('method' in outgoing && outgoing.method === 'notifications/initialized' && this.#listen) this.#startStream();
    } catch (error) {
      this.onerror?.(error instanceof Error ? error : new Error(String(error)));
      throw error;
    }
  }

  /** DELETEs the protocol session (the SDK transport's `terminateSession`). */
  async terminateSession(): Promise<void> {
    await this.#exchange.terminate();
    this.#exchange.mcpSessionId = undefined;
  }

  /** Stops the GET stream and releases the sockets. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#stream?.stop();
    await this.#exchange.close();
    this.onclose?.();
  }

  readonly #deliver = (message: JsonRpcMessage): void => {
    if (!isJsonRpcResponse(message) || message.id !== null) this.onmessage?.(message as JSONRPCMessage);
  };

  #startStream(): void {
    this.#stream ??= new NotificationStream({
      exchange: this.#exchange,
      dispatch: this.#deliver,
      // A stream that failed or ended early waits at least the backoff, `retry: 0` or not (issue 9).
      delayFor: (unstable, _error, state) =>
        unstable === 0 ? (state.retryMs ?? 1_000) : Math.max(state.retryMs ?? 0, Math.min(30_000, 1_000 * 2 ** (unstable - 1))),
      stableAfterMs: 1_000,
      onEvent: (event) => {
        if (event.type === 'error') this.onerror?.(event.error instanceof Error ? event.error : new Error(String(event.error)));
      },
    });
    this.#stream.start();
  }
}
