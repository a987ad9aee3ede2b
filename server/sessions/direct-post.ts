/**
 * The SDK transport's POST path for the common case, without its web-stream plumbing: a POST of one JSON-RPC
 * request (not `initialize`) on a live 2025-era session, answered as SSE. The SDK's `handlePostRequest` builds
 * a `ReadableStream` and a `Response` that the node:http host then reads back chunk by chunk; here the same
 * stream bookkeeping is registered with an {@link SseSink} that writes to the socket, and everything after
 * (`onmessage`, the server's handlers, `send`, the event store, priming, keep-alive, `closeSSEStream`) is the
 * SDK's own code, unchanged. The checks the SDK makes first (Accept, Content-Type, session id, protocol
 * version, JSON-RPC shape) are made here with the same outcome, and anything else (a batch, a notification,
 * JSON answers, a scope challenge, DNS-rebinding options) is not served here: the caller uses `handleRequest`.
 *
 * This reads the transport's internal stream maps (`_streamMapping`, `_requestToStreamMapping`), which the SDK
 * does not export. `checkDirectPostSupport()` proves at start-up that the installed SDK still has them and that a
 * request served this way is answered as `handleRequest` answers it; when it fails, the fast path is off and
 * every request takes `handleRequest` (correct, slower: about 1.1x the plain SDK server's CPU per call instead of
 * 0.7x in `bench:server`). An SDK upgrade changes this file only.
 */
import {
  DEFAULT_NEGOTIATED_PROTOCOL_VERSION,
  isJsonContentType,
  McpServer,
  type AuthInfo,
  type JSONRPCMessage,
  type RequestId,
} from '@modelcontextprotocol/server';
import type { SseSink } from '../http/direct-answer';
import { SessionTransport } from './session-transport';

/** The SDK transport's internals this module relies on (`webStandardStreamableHttp.ts`, 2.4.0). */
interface StreamEntry {
  controller?: SseSink;
  encoder?: TextEncoder;
  cleanup: () => void;
}
interface TransportInternals {
  _closed: boolean;
  _initialized: boolean;
  _enableJsonResponse: boolean;
  _enableDnsRebindingProtection: boolean;
  _checkScopeChallenge(messages: readonly JSONRPCMessage[], authInfo: AuthInfo | undefined): Promise<Response | undefined>;
  _eventStore: unknown;
  _streamMapping: Map<string, StreamEntry>;
  _requestToStreamMapping: Map<RequestId, string>;
  sessionId: string | undefined;
  validateProtocolVersion(request: Request): Response | undefined;
  supportsEmptySSEData(protocolVersion: string): boolean;
  writePrimingEvent(controller: SseSink, encoder: TextEncoder, streamId: string, protocolVersion: string): Promise<void>;
  startKeepAlive(controller: SseSink, encoder: TextEncoder): NodeJS.Timeout | undefined;
  closeSSEStream(requestId: RequestId): void;
  closeStandaloneSSEStream(): void;
}

/** Off until the start-up self-test passed (and off for good when it failed). */
let supported = false;

const ENCODER = new TextEncoder();

/** The headers the SDK puts on an SSE answer. */
function sseHeaders(sessionId: string, extra: Record<string, string>): Record<string, string> {
  return {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
    'mcp-session-id': sessionId,
    ...extra,
  };
}

function isPlainRequest(message: JSONRPCMessage): message is JSONRPCMessage & { id: RequestId; method: string } {
  return 'method' in message && 'id' in message && message.id !== undefined && message.method !== 'initialize';
}

/**
 * Serves `messages` (already checked for JSON-RPC shape) on `transport` through a sink opened from `open`, when
 * this is the common case; returns false without side effects otherwise, and the caller uses `handleRequest`.
 *
 * @example
 * ```ts
 * if (!(await serveDirectPost(transport, request, messages, authInfo, open))) response = await transport.handleRequest(request, { parsedBody });
 * ```
 */
export async function serveDirectPost(
  transport: SessionTransport,
  request: Request,
  messages: readonly JSONRPCMessage[],
  authInfo: AuthInfo | undefined,
  open: (headers: Record<string, string>, onCancel: () => void) => SseSink,
  extraHeaders: Record<string, string> = {},
): Promise<boolean> {
  if (!supported || messages.length !== 1 || request.method !== 'POST') return false;
  const [message] = messages;
  if (message === undefined || !isPlainRequest(message)) return false;
  const internals = transport as unknown as TransportInternals;
  const sessionId = internals.sessionId;
  if (
    internals._closed ||
    !internals._initialized ||
    sessionId === undefined ||
    internals._enableJsonResponse ||
    internals._enableDnsRebindingProtection ||
    internals._requestToStreamMapping.has(message.id)
  ) {
    return false;
  }
  const { headers } = request;
  const accept = headers.get('accept');
  if (accept === null || !accept.includes('application/json') || !accept.includes('text/event-stream')) return false;
  if (!isJsonContentType(headers.get('content-type'))) return false;
  if (headers.get('mcp-session-id') !== sessionId) return false;
  if (internals.validateProtocolVersion(request) !== undefined) return false;
  // A tool, resource or prompt that asks for more scope (McpServer's resolver, `scopeChallenge`) is answered by
  // the SDK's own path, which runs the same check again and builds the 403.
  if ((await internals._checkScopeChallenge(messages, authInfo)) !== undefined) return false;

  const streamId = crypto.randomUUID();
  const protocolVersion = headers.get('mcp-protocol-version') ?? DEFAULT_NEGOTIATED_PROTOCOL_VERSION;
  // The priming event is made first, into a buffer: if the event store fails, nothing was written yet and the
  // error is answered as any other (the SDK answers it from inside its own try, before its Response exists).
  const priming = bufferingSink();
  await internals.writePrimingEvent(priming, ENCODER, streamId, protocolVersion);
  if (internals._closed) return false;
  let keepAlive: NodeJS.Timeout | undefined;
  const sink = open(sseHeaders(sessionId, extraHeaders), () => {
    // As the SDK's stream `cancel`: the client left; the answer is still stored for a resuming client.
    if (keepAlive !== undefined) clearInterval(keepAlive);
    if (internals._streamMapping.get(streamId)?.controller === sink) internals._streamMapping.delete(streamId);
  });
  for (const chunk of priming.chunks) sink.enqueue(chunk);
  internals._streamMapping.set(streamId, {
    controller: sink,
    encoder: ENCODER,
    cleanup: () => {
      if (keepAlive !== undefined) clearInterval(keepAlive);
      internals._streamMapping.delete(streamId);
      sink.close();
    },
  });
  internals._requestToStreamMapping.set(message.id, streamId);
  const resumable = internals._eventStore !== undefined && internals.supportsEmptySSEData(protocolVersion);
  transport.onmessage?.(message, {
    ...(authInfo === undefined ? {} : { authInfo }),
    request,
    ...(resumable
      ? { closeSSEStream: () => internals.closeSSEStream(message.id), closeStandaloneSSEStream: () => internals.closeStandaloneSSEStream() }
      : {}),
  });
  if (internals._streamMapping.get(streamId)?.controller === sink) keepAlive = internals.startKeepAlive(sink, ENCODER);
  return true;
}

function hasInternals(transport: SessionTransport): boolean {
  const internals = transport as unknown as Partial<Record<keyof TransportInternals, unknown>>;
  return (
    internals._streamMapping instanceof Map &&
    internals._requestToStreamMapping instanceof Map &&
    typeof internals._closed === 'boolean' &&
    typeof internals._initialized === 'boolean' &&
    typeof internals._enableJsonResponse === 'boolean' &&
    typeof internals._enableDnsRebindingProtection === 'boolean' &&
    typeof internals._checkScopeChallenge === 'function' &&
    typeof internals.validateProtocolVersion === 'function' &&
    typeof internals.supportsEmptySSEData === 'function' &&
    typeof internals.writePrimingEvent === 'function' &&
    typeof internals.startKeepAlive === 'function' &&
    typeof internals.closeSSEStream === 'function' &&
    typeof internals.closeStandaloneSSEStream === 'function'
  );
}

/** A sink that keeps what it is given. */
function bufferingSink(): SseSink & { readonly chunks: Uint8Array[] } {
  const chunks: Uint8Array[] = [];
  return { chunks, enqueue: (chunk) => void chunks.push(chunk), close: () => undefined };
}

/** A sink that keeps what it is given, as text. */
function collectingSink(): SseSink & { text(): string; closed: boolean } {
  const chunks: Uint8Array[] = [];
  const sink = {
    closed: false,
    enqueue(chunk: Uint8Array) {
      if (sink.closed) throw new TypeError('closed');
      chunks.push(chunk);
    },
    close() {
      sink.closed = true;
    },
    text: () => chunks.map((chunk) => new TextDecoder().decode(chunk)).join(''),
  };
  return sink;
}

/** Result of the start-up self-test. */
export type DirectPostSupport = { ok: true } | { ok: false; reason: string };

/**
 * The start-up self-test: a session on the installed SDK, initialized through `handleRequest`, then one `ping`
 * served through {@link serveDirectPost} must come back as one SSE `message` event with the ping's answer, on a
 * closed stream, with the transport's stream maps empty again. Turns the fast path on when it passes.
 *
 * @example
 * ```ts
 * const support = await checkDirectPostSupport();
 * if (!support.ok) logger.warn({ msg: 'direct SSE answers disabled', reason: support.reason });
 * ```
 */
export async function checkDirectPostSupport(): Promise<DirectPostSupport> {
  if (supported) return { ok: true };
  const server = new McpServer({ name: 'direct-post-check', version: '1.0.0' });
  const transport = new SessionTransport(
    { sessionIdGenerator: () => 'direct-post-check' },
    { requestReceived: () => undefined, responseSent: () => undefined },
    { beforeResponse: () => undefined, interceptNotification: () => false },
  );
  try {
    if (!hasInternals(transport)) return { ok: false, reason: 'the SDK transport no longer has the stream maps this path writes to' };
    await server.connect(transport);
    const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
    const initialize = await transport.handleRequest(new Request('http://localhost/mcp', { method: 'POST', headers }), {
      parsedBody: {
        jsonrpc: '2.0',
        id: 0,
        method: 'initialize',
        params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'check', version: '1' } },
      },
    });
    await initialize.body?.cancel();
    const ping = new Request('http://localhost/mcp', {
      method: 'POST',
      headers: { ...headers, 'mcp-session-id': 'direct-post-check', 'mcp-protocol-version': '2025-11-25' },
    });
    const sink = collectingSink();
    supported = true;
    const served = await serveDirectPost(transport, ping, [{ jsonrpc: '2.0', id: 1, method: 'ping' }], undefined, () => sink);
    for (let turn = 0; turn < 20 && !sink.closed; turn += 1) await new Promise((resolve) => setImmediate(resolve));
    const internals = transport as unknown as TransportInternals;
    const answered = /^event: message\ndata: \{"(?:result":\{\},"jsonrpc":"2\.0","id":1|jsonrpc":"2\.0","id":1,"result":\{\})\}\n\n$/.test(sink.text());
    if (!served || !sink.closed || !answered || internals._streamMapping.size > 0 || internals._requestToStreamMapping.size > 0) {
      supported = false;
      return { ok: false, reason: `a ping served directly was not answered as the SDK answers it (got ${JSON.stringify(sink.text().slice(0, 200))})` };
    }
    return { ok: true };
  } catch (error) {
    supported = false;
    return { ok: false, reason: String(error) };
  } finally {
    await server.close().catch(() => undefined);
  }
}
