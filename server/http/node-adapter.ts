/**
 * node:http (and Express) on the web-standard pipeline: a Node request becomes an `McpHttpInput` without
 * reading its body, and a `Response` is written back with backpressure. A client that goes away cancels the
 * response body, so the SDK transport drops the stream at once (a reconnecting GET is not refused with 409).
 */
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { AuthInfo } from '@modelcontextprotocol/server';
import { readLimited, type BodyRead, type McpHttpInput, type ResponseDoneSlot } from './http-input';
import { DIRECT_ANSWER, FIRST_CHUNK_HOLD_MS, NodeSseSink, type DirectAnswerTarget } from './direct-answer';
import { nodeRequestView } from './node-request';

/**
 * What the adapter reads of a Node request: an `IncomingMessage`, an Express `req`, or a replay of one
 * (the reference server's test layer reads the body first and hands on a copy).
 *
 * @example
 * ```ts
 * const replay: NodeRequestLike = { method: 'POST', url: '/mcp', headers, [Symbol.asyncIterator]: () => chunks() };
 * ```
 */
export interface NodeRequestLike extends AsyncIterable<unknown> {
  method?: string | undefined;
  url?: string | undefined;
  headers: IncomingHttpHeaders;
  /** Set by upstream auth middleware (Express `requireBearerAuth`); passed through to the SDK. */
  auth?: AuthInfo;
  /** Set by a body parser (`express.json()`); used once the stream was consumed. */
  body?: unknown;
  readableEnded?: boolean;
  /** The connection: its `remoteAddress` keys the per-IP limits. */
  socket?: { readonly remoteAddress?: string | undefined } | undefined;
  /** `IncomingMessage`: bytes waiting in the stream's buffer. */
  readableLength?: number;
  /** `IncomingMessage`: takes what the stream buffered (null once empty). */
  read?: () => unknown;
  readableFlowing?: boolean | null;
}

/**
 * The body of a request whose declared `Content-Length` bytes all sit in the stream's buffer, taken at once;
 * undefined otherwise, and the caller reads it as a stream, under its deadlines. A small POST arrives with its
 * headers and is parsed before the next microtask, so this is the common case: no async iterator, no timers.
 */
function readBuffered(req: NodeRequestLike, declared: number): BodyRead | undefined {
  if (typeof req.read !== 'function' || req.readableFlowing === true || req.readableEnded === true) return undefined;
  if ((req.readableLength ?? 0) < declared) return undefined;
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (size < declared) {
    const chunk = req.read();
    if (chunk === null || chunk === undefined) break;
    const bytes = typeof chunk === 'string' ? new TextEncoder().encode(chunk) : (chunk as Uint8Array);
    size += bytes.byteLength;
    chunks.push(bytes);
  }
  // More than it declared: not something to parse (Node's parser never gives that; a replayed request might).
  if (size !== declared) return { kind: 'aborted' };
  if (chunks.length === 1 && chunks[0] !== undefined) return { kind: 'ok', bytes: chunks[0] };
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { kind: 'ok', bytes };
}

/** Every header of a Node request as web `Headers` (repeated headers appended; HTTP/2 pseudo-headers dropped). */
function toHeaders(headers: IncomingHttpHeaders): Headers {
  const result = new Headers();
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined || name.startsWith(':')) continue;
    if (Array.isArray(value)) for (const item of value) result.append(name, item);
    else result.set(name, value);
  }
  return result;
}

/**
 * The pipeline input for a Node request. `parsedBody` wins; else a body a parser already consumed
 * (`req.body` once `readableEnded`); else the stream, read only when the pipeline asks.
 *
 * @example
 * ```ts
 * const input = fromNodeRequest(req, undefined, () => abort.signal);
 * ```
 */
export function fromNodeRequest(
  req: NodeRequestLike,
  parsedBody: unknown,
  signal: () => AbortSignal,
  responseDone?: ResponseDoneSlot,
  direct?: DirectAnswerTarget,
): McpHttpInput {
  const method = (req.method ?? 'GET').toUpperCase();
  const host = req.headers.host ?? 'localhost';
  const request = nodeRequestView({
    method,
    url: `http://${host}${req.url ?? '/'}`,
    headers: toHeaders(req.headers),
    signal,
  });
  const consumedBody = parsedBody === undefined && req.readableEnded === true ? req.body : undefined;
  return {
    request,
    parsedBody: parsedBody ?? consumedBody,
    authInfo: req.auth,
    clientAddress: req.socket?.remoteAddress,
    readBody: async (maxBytes, deadlines) => {
      const declaredLength = req.headers['content-length'];
      const declared = declaredLength === undefined ? Number.NaN : Number(declaredLength);
      if (declared > maxBytes) return { kind: 'too-large' };
      if (Number.isSafeInteger(declared) && declared > 0 && typeof req.read === 'function') {
        // Called while Node is still parsing the packet that brought the headers: the body in it lands next.
        if ((req.readableLength ?? 0) < declared) await undefined;
        const buffered = readBuffered(req, declared);
        if (buffered !== undefined) return buffered;
      }
      return readLimited(req, declaredLength, maxBytes, deadlines);
    },
    responseDone,
    direct,
  };
}

export { FIRST_CHUNK_HOLD_MS };

/**
 * Writes `response` to `res` with backpressure; resolves when the body ended or the client left. The head is
 * not flushed on its own: it leaves with the first chunk, and what the body yields within the same turn of
 * the event loop (node:http corks the socket until the next tick) leaves with it, so a POST answered at once
 * costs one `writev` instead of three (head, priming event, response; measured 2.1x the SDK's syscall time
 * per call in `bench:server`). A stream with nothing to say yet (a GET stream, a slow tool) still shows the
 * client it is open: its head is flushed once this turn's microtasks ran.
 *
 * The first chunk of an answer is held back (the socket stays corked) until the second one, the end, or
 * {@link FIRST_CHUNK_HOLD_MS}: with a store that makes the answer's event durable first (file, SQL, Redis), the
 * priming event is ready at once and the answer a disk sync or a round trip later, and they leave together in
 * one `writev` instead of two (and the client wakes once).
 *
 * @example
 * ```ts
 * await writeNodeResponse(res, await endpoint.serve(input));
 * ```
 */
export async function writeNodeResponse(res: ServerResponse, response: Response): Promise<void> {
  if (res.headersSent || res.destroyed) {
    await response.body?.cancel().catch(() => undefined);
    return;
  }
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  res.writeHead(response.status, headers);
  if (response.body === null) {
    res.end();
    return;
  }
  // `headersSent` is already true after writeHead (the head is rendered, not sent): track the first write here.
  const written = { any: false };
  process.nextTick(flushHeadIfSilent, res, written);
  // Corked by us, node:http adds no cork of its own: nothing leaves until `letGo` (second chunk, end, timer).
  const socket = res.socket;
  let hold: NodeJS.Timeout | undefined;
  const letGo = (): void => {
    if (hold === undefined) return;
    clearTimeout(hold);
    hold = undefined;
    socket?.uncork();
  };
  if (socket !== null && !socket.writableCorked) {
    socket.cork();
    hold = setTimeout(letGo, FIRST_CHUNK_HOLD_MS);
  }
  const reader = response.body.getReader();
  const cancel = (): void => void reader.cancel().catch(() => undefined);
  // The response's 'close' says the client left (or all was written: cancelling then is a no-op).
  res.once('close', cancel);
  let chunks = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (res.destroyed) break;
      written.any = true;
      chunks += 1;
      if (!res.write(value)) {
        letGo();
        await waitForDrain(res);
      } else if (chunks === 2) process.nextTick(letGo); // the end, usually a microtask away, joins them
    }
  } catch {
    // The body errored (transport closed) or the reader was cancelled: end what we can.
  } finally {
    res.off('close', cancel);
    if (!res.destroyed && !res.writableEnded) res.end();
    letGo();
    cancel();
  }
}

function flushHeadIfSilent(res: ServerResponse, written: { any: boolean }): void {
  if (!written.any && !res.destroyed && !res.writableEnded) res.flushHeaders();
}

function waitForDrain(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/**
 * A `(req, res, next?)` handler over a web-standard `serve` function. An Express `next` (a function third
 * argument) is ignored; any other third argument is a pre-parsed body.
 *
 * @example
 * ```ts
 * const handle = createNodeHandler((input) => endpoint.serve(input));
 * http.createServer((req, res) => void handle(req, res));
 * ```
 */
export function createNodeHandler(
  serve: (input: McpHttpInput) => Promise<Response>,
): (req: NodeRequestLike, res: ServerResponse, parsedBodyOrNext?: unknown) => Promise<void> {
  return async (req, res, parsedBodyOrNext) => {
    const parsedBody = typeof parsedBodyOrNext === 'function' ? undefined : parsedBodyOrNext;
    // The request's signal (aborted when the client leaves early) is made only if someone asks for it.
    let clientGone: AbortController | undefined;
    let left = false;
    const signal = (): AbortSignal => {
      clientGone ??= new AbortController();
      if (left) clientGone.abort();
      return clientGone.signal;
    };
    const onClose = (): void => {
      if (res.writableFinished) return;
      left = true;
      clientGone?.abort();
    };
    res.once('close', onClose);
    // The endpoint leaves its in-flight release here; it runs once the body is written (or the client left).
    const responseDone: ResponseDoneSlot = { release: undefined };
    // An SSE answer the endpoint wrote straight to `res` (see direct-answer.ts) is awaited through its sink.
    let sink: NodeSseSink | undefined;
    const direct: DirectAnswerTarget = {
      open: (headers, onCancel) => (sink = new NodeSseSink(res, headers, onCancel)),
    };
    try {
      const response = await serve(fromNodeRequest(req, parsedBody, signal, responseDone, direct));
      if (response === DIRECT_ANSWER && sink !== undefined) await sink.done;
      else await writeNodeResponse(res, response);
    } finally {
      res.off('close', onClose);
      responseDone.release?.();
    }
  };
}
