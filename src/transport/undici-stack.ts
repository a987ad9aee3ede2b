/**
 * The default HTTP stack: undici's Dispatcher API on a keep-alive `Agent` shared (reference-counted)
 * between the clients of this process (`shared-agent.ts`). undici is imported lazily so that a client
 * that never connects costs nothing and bundles for browsers (which pass `fetch`) never execute it.
 */
import type { Dispatcher } from 'undici';
import { ClosedError } from '../errors';
import { contentCodings, decodeBody } from './content-decoding';
import type { HttpRequest, HttpResponse, HttpStack } from './http-seam';
import { type AgentLease, acquireSharedAgent } from './shared-agent';

/**
 * Options of {@link createUndiciStack}.
 *
 * @example
 * ```ts
 * createUndiciStack({ dispatcher: myAgent, headersTimeoutMs: 61_000, connectTimeoutMs: 10_000 });
 * ```
 */
export interface UndiciStackOptions {
  /** Use this dispatcher instead of owning an Agent; it is then never closed by the stack. */
  readonly dispatcher?: Dispatcher;
  /**
   * Time to wait for response headers. Must exceed the per-attempt timeout so that the client's own
   * typed TimeoutError wins: a JSON-mode server sends headers only once the tool finished.
   */
  readonly headersTimeoutMs: number;
  /** Time to establish a TCP connection. */
  readonly connectTimeoutMs: number;
  /**
   * Longest a body is drained after its result (or after a cancel of a short body) before it is destroyed.
   * @default 1_000
   */
  readonly drainTimeoutMs?: number;
}

/** Short bodies of known length up to this size are drained on cancel (socket reused) instead of destroyed. */
const DUMP_LIMIT_BYTES = 64 * 1024;
/** Most bytes a drain reads and drops before it gives up and destroys the body (and its socket). */
export const DRAIN_LIMIT_BYTES = 1024 * 1024;
/** Default of {@link UndiciStackOptions.drainTimeoutMs}. */
export const DRAIN_TIMEOUT_MS = 1_000;

function ignore(): void {}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

/** The drains of one stack: their deadline, and a stop for each running one (called by `close()`). */
interface DrainScope {
  readonly timeoutMs: number;
  readonly active: Set<() => void>;
}

/**
 * Runs `drain` until it ends, the deadline passes or the stack closes; the last two destroy the body (and its
 * socket). A plain unref'd timer per drain, no listener on a shared signal: 50 drains listening on one signal
 * gave a MaxListenersExceededWarning (issue 9 case 5), and an `AbortSignal.timeout` nobody holds can be
 * collected before it fires.
 */
function boundDrain(body: Dispatcher.ResponseData['body'], scope: DrainScope, drain: () => Promise<unknown>): void {
  const stop = (): void => {
    body.destroy();
  };
  // Clamped: past 2^31-1 ms Node would fire after 1 ms.
  const timer = setTimeout(stop, Math.min(scope.timeoutMs, 2 ** 31 - 1));
  timer.unref?.();
  scope.active.add(stop);
  drain()
    .catch(ignore)
    .finally(() => {
      clearTimeout(timer);
      scope.active.delete(stop);
    });
}

/** Reads and drops what is left through the reader's own iterator, destroying the body past the byte cap. */
async function drainIterator(iterator: AsyncIterator<Uint8Array>, body: Dispatcher.ResponseData['body']): Promise<void> {
  let bytes = 0;
  for (;;) {
    const next = await iterator.next();
    if (next.done) return;
    bytes += next.value.byteLength;
    if (bytes > DRAIN_LIMIT_BYTES) {
      body.destroy();
      return;
    }
  }
}

class UndiciResponse implements HttpResponse {
  readonly status: number;
  readonly #data: Dispatcher.ResponseData;
  readonly #drains: DrainScope;
  #decoding = false;
  #iterator: AsyncIterator<Uint8Array> | undefined;

  constructor(data: Dispatcher.ResponseData, drains: DrainScope) {
    this.#data = data;
    this.#drains = drains;
    this.status = data.statusCode;
  }

  header(name: string): string | undefined {
    return headerValue(this.#data.headers[name]);
  }

  headers(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, value] of Object.entries(this.#data.headers)) {
      const joined = headerValue(value);
      if (joined !== undefined) out[name] = joined;
    }
    return out;
  }

  text(): Promise<string> {
    return this.#data.body.text();
  }

  chunks(): AsyncIterable<Uint8Array> {
    const codings = contentCodings(this.header('content-encoding'));
    this.#decoding = codings.length > 0;
    const source: AsyncIterable<Uint8Array> = this.#decoding ? decodeBody(this.#data.body, codings) : this.#data.body;
    // Kept for discard(): once a reader iterates the body, only that iterator can drain it (the iterator's
    // 'readable' listener makes dump()'s resume() a no-op, so a dump would wait for its deadline).
    const iterator = source[Symbol.asyncIterator]();
    this.#iterator = iterator;
    return { [Symbol.asyncIterator]: () => iterator };
  }

  cancel(): void {
    const body = this.#data.body;
    if (body.destroyed || body.readableEnded) return;
    // destroy() without an error still emits UND_ERR_ABORTED as 'error'; nobody else listens by then.
    body.on('error', ignore);
    const length = Number(this.header('content-length'));
    if (length <= DUMP_LIMIT_BYTES && !this.#decoding) {
      // A short body of known length (202, error pages): drain it so the keep-alive socket is reused.
      boundDrain(body, this.#drains, () => body.dump({ limit: DUMP_LIMIT_BYTES }));
      return;
    }
    // Unknown length (SSE, chunked): destroy, so a never-ending stream cannot keep the socket busy.
    body.destroy();
  }

  discard(): void {
    const body = this.#data.body;
    if (body.destroyed || body.readableEnded) return;
    body.on('error', ignore);
    if (this.#decoding) {
      // A decoder reads this body: draining it under the decoder would fight over the stream.
      body.destroy();
      return;
    }
    // Destroying a live body closes its socket: measured, every call then paid a new TCP connection and
    // ~2x the client CPU. Draining keeps the socket; a server that never ends the stream holds it only
    // until the drain deadline, the byte limit or the stack's close, whichever comes first.
    const iterator = this.#iterator;
    boundDrain(body, this.#drains, () => (iterator ? drainIterator(iterator, body) : body.dump({ limit: DRAIN_LIMIT_BYTES })));
  }
}

/**
 * Creates the undici-backed stack. The shared Agent is acquired on the first request and released by
 * `close()`; the last release destroys it, so no socket outlives the clients (the SDK's pooled sockets
 * linger up to 60 s, notes/sdk-baseline.md). A caller's own `dispatcher` is used as is and never closed.
 *
 * @example
 * ```ts
 * const stack = createUndiciStack({ headersTimeoutMs: 61_000, connectTimeoutMs: 10_000 });
 * const response = await stack.send({ method: 'GET', url: new URL('http://127.0.0.1:8051/mcp'), headers: {} });
 * response.cancel();
 * await stack.close();
 * ```
 */
export function createUndiciStack(options: UndiciStackOptions): HttpStack {
  let lease: Promise<AgentLease> | undefined;
  /** The Agent of background streams (sockets unref'd), acquired on the first one. */
  let backgroundLease: Promise<AgentLease> | undefined;
  let closed = false;
  const drains: DrainScope = { timeoutMs: options.drainTimeoutMs ?? DRAIN_TIMEOUT_MS, active: new Set() };
  const agentKey = { headersTimeoutMs: options.headersTimeoutMs, connectTimeoutMs: options.connectTimeoutMs };

  function dispatcher(background: boolean | undefined): Promise<Dispatcher> | Dispatcher {
    if (closed) throw new ClosedError('The HTTP stack is closed');
    // A caller's own dispatcher carries everything: its sockets are the caller's to manage.
    if (options.dispatcher) return options.dispatcher;
    if (background === true) {
      backgroundLease ??= acquireSharedAgent({ ...agentKey, background: true });
      return backgroundLease.then((held) => held.dispatcher);
    }
    lease ??= acquireSharedAgent(agentKey);
    return lease.then((held) => held.dispatcher);
  }

  return {
    async send(request: HttpRequest): Promise<HttpResponse> {
      const target = await dispatcher(request.background);
      const data = await target.request({
        origin: request.url.origin,
        path: request.url.pathname + request.url.search,
        method: request.method,
        headers: request.headers,
        body: request.body,
        signal: request.signal,
      });
      return new UndiciResponse(data, drains);
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      // Ends background drains of this client's bodies; its open streams were aborted by their signals.
      for (const stop of drains.active) stop();
      const held = [lease, backgroundLease];
      lease = undefined;
      backgroundLease = undefined;
      await Promise.all(held.map(async (pending) => (pending === undefined ? undefined : (await pending).release())));
    },
  };
}
