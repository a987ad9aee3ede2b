/**
 * A deliberately raw MCP-over-HTTP client for the SERVER tests: plain fetch + eventsource-parser,
 * no retries, no recovery, so a test sees exactly what the server answered.
 *
 * @example
 * ```ts
 * const session = await RawMcpSession.initialize(server.url, { appSessionId: 'app-session-1' });
 * const reply = await session.request('tools/call', { name: 'echo', arguments: { text: 'hi' } });
 * ```
 */
import { createParser, type EventSourceMessage } from 'eventsource-parser';

/**
 * The protocol version the raw client speaks.
 *
 * @example
 * ```ts
 * session.headers()['mcp-protocol-version'] === PROTOCOL_VERSION;
 * ```
 */
export const PROTOCOL_VERSION = '2025-11-25';
/**
 * The app session header, lower-cased as fetch Headers report it.
 *
 * @example
 * ```ts
 * reply.headers.get(APP_HEADER);
 * ```
 */
export const APP_HEADER = 'x-archon-session-id';

const ACCEPT = 'application/json, text/event-stream';

/**
 * One HTTP answer, body fully read. SSE bodies are split into events.
 *
 * @example
 * ```ts
 * const reply: RawReply = await postMcp(url, initializeMessage());
 * ```
 */
export interface RawReply {
  status: number;
  headers: Headers;
  text: string;
  events: EventSourceMessage[];
  /** JSON-RPC messages: the JSON body, or the data of each non-empty SSE event. */
  messages: Record<string, unknown>[];
}

/**
 * Splits an SSE body into events.
 *
 * @example
 * ```ts
 * parseSse('id: 1\ndata: {}\n\n'); // [{ id: '1', data: '{}', event: undefined }]
 * ```
 */
export function parseSse(text: string): EventSourceMessage[] {
  const events: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (event) => events.push(event) });
  parser.feed(text);
  return events;
}

/**
 * Reads a fetch Response fully into a {@link RawReply}.
 *
 * @example
 * ```ts
 * const reply = await readReply(await fetch(url));
 * ```
 */
export async function readReply(response: Response): Promise<RawReply> {
  const text = await response.text();
  const isSse = response.headers.get('content-type')?.includes('text/event-stream') ?? false;
  const events = isSse ? parseSse(text) : [];
  let messages: Record<string, unknown>[] = [];
  if (isSse) {
    messages = events.filter((event) => event.data.trim() !== '').map((event) => JSON.parse(event.data) as Record<string, unknown>);
  } else if (text !== '' && response.headers.get('content-type')?.includes('application/json')) {
    const body = JSON.parse(text) as Record<string, unknown> | Record<string, unknown>[];
    messages = Array.isArray(body) ? body : [body];
  }
  return { status: response.status, headers: response.headers, text, events, messages };
}

/**
 * POSTs one JSON body to the MCP endpoint with the headers a spec-following client sends.
 *
 * @example
 * ```ts
 * const reply = await postMcp(url, { jsonrpc: '2.0', id: 1, method: 'ping' }, { 'mcp-session-id': id });
 * ```
 */
export async function postMcp(url: string, body: unknown, headers: Record<string, string> = {}): Promise<RawReply> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: ACCEPT, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return readReply(response);
}

/**
 * An `initialize` request body.
 *
 * @example
 * ```ts
 * await postMcp(url, initializeMessage(1));
 * ```
 */
export function initializeMessage(
  id: number | string = 1,
  protocolVersion = PROTOCOL_VERSION,
  capabilities: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    jsonrpc: '2.0',
    id,
    method: 'initialize',
    params: { protocolVersion, capabilities, clientInfo: { name: 'raw-test-client', version: '1.0.0' } },
  };
}

/**
 * @example
 * ```ts
 * await RawMcpSession.initialize(url, { appSessionId: 'app-1', headers: { authorization: 'Bearer t' } });
 * ```
 */
export interface InitializeOptions {
  appSessionId?: string;
  headers?: Record<string, string>;
  protocolVersion?: string;
  /** Client capabilities declared at `initialize`. @default {} */
  capabilities?: Record<string, unknown>;
}

/**
 * One initialized protocol session, driven by hand.
 *
 * @example
 * ```ts
 * const session = await RawMcpSession.initialize(url);
 * await session.callTool('echo', { text: 'hi' });
 * ```
 */
export class RawMcpSession {
  readonly url: string;
  readonly sessionId: string;
  readonly appSessionId: string | null;
  readonly initializeReply: RawReply;
  readonly #headers: Record<string, string>;
  #nextId = 100;

  /** The same session addressed at another server (what a load balancer does after a failover). */
  on(url: string): RawMcpSession {
    return new RawMcpSession(url, this.initializeReply, this.#headers);
  }

  private constructor(url: string, reply: RawReply, headers: Record<string, string>) {
    const sessionId = reply.headers.get('mcp-session-id');
    if (reply.status !== 200 || sessionId === null) {
      throw new Error(`initialize failed: HTTP ${reply.status} ${reply.text.slice(0, 300)}`);
    }
    this.url = url;
    this.sessionId = sessionId;
    this.appSessionId = reply.headers.get(APP_HEADER);
    this.initializeReply = reply;
    this.#headers = headers;
  }

  /** Sends `initialize` and `notifications/initialized`. */
  static async initialize(url: string, options: InitializeOptions = {}): Promise<RawMcpSession> {
    const headers = { ...options.headers, ...(options.appSessionId ? { [APP_HEADER]: options.appSessionId } : {}) };
    const reply = await postMcp(url, initializeMessage(1, options.protocolVersion, options.capabilities), headers);
    const session = new RawMcpSession(url, reply, headers);
    const initialized = await session.post({ jsonrpc: '2.0', method: 'notifications/initialized' });
    if (initialized.status !== 202) throw new Error(`notifications/initialized got HTTP ${initialized.status}`);
    return session;
  }

  /** Headers a follow-up request carries. */
  headers(extra: Record<string, string> = {}): Record<string, string> {
    return { ...this.#headers, 'mcp-session-id': this.sessionId, 'mcp-protocol-version': PROTOCOL_VERSION, ...extra };
  }

  post(body: unknown, extra: Record<string, string> = {}): Promise<RawReply> {
    return postMcp(this.url, body, this.headers(extra));
  }

  /** Sends a JSON-RPC request and returns the reply (the response message is the last message). */
  request(method: string, params?: Record<string, unknown>, extra: Record<string, string> = {}): Promise<RawReply> {
    const id = this.#nextId++;
    return this.post({ jsonrpc: '2.0', id, method, ...(params === undefined ? {} : { params }) }, extra);
  }

  /** `tools/call`; returns the JSON-RPC `result` (throws on a JSON-RPC error or non-200). */
  async callTool(name: string, args: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    const reply = await this.request('tools/call', { name, arguments: args });
    const last = reply.messages.at(-1);
    if (reply.status !== 200 || last === undefined || !('result' in last)) {
      throw new Error(`tools/call ${name} failed: HTTP ${reply.status} ${reply.text.slice(0, 300)}`);
    }
    return last['result'] as Record<string, unknown>;
  }

  /** Opens a GET stream (optionally resuming); the caller reads `response.body`. */
  get(extra: Record<string, string> = {}, signal?: AbortSignal): Promise<Response> {
    return fetch(this.url, { method: 'GET', headers: this.headers({ accept: 'text/event-stream', ...extra }), signal: signal ?? null });
  }

  async delete(): Promise<RawReply> {
    return readReply(await fetch(this.url, { method: 'DELETE', headers: this.headers() }));
  }
}

/**
 * Reads SSE events from a streaming body until `until` returns true, the stream ends, or the
 * deadline passes (never hangs a test).
 *
 * @example
 * ```ts
 * const events = await readEvents(response, (all) => all.length >= 2, 2_000);
 * ```
 */
export async function readEvents(
  response: Response,
  until: (events: EventSourceMessage[]) => boolean,
  timeoutMs = 2_000,
): Promise<{ events: EventSourceMessage[]; ended: boolean; timedOut: boolean; error: unknown; retryMs: number | undefined }> {
  const events: EventSourceMessage[] = [];
  let retryMs: number | undefined;
  const parser = createParser({ onEvent: (event) => events.push(event), onRetry: (interval) => (retryMs = interval) });
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let timedOut = false;
  const deadline = setTimeout(() => {
    timedOut = true;
    void reader.cancel();
  }, timeoutMs);
  let ended = false;
  let error: unknown;
  try {
    while (!until(events)) {
      const { done, value } = await reader.read();
      if (done) {
        ended = !timedOut;
        break;
      }
      parser.feed(decoder.decode(value, { stream: true }));
    }
  } catch (caught) {
    error = caught;
  } finally {
    clearTimeout(deadline);
    if (!ended) await reader.cancel().catch(() => undefined);
  }
  return { events, ended, timedOut, error, retryMs };
}
