/**
 * An SSE answer written straight to the host's response, for the one request shape that dominates a
 * 2025-era session's traffic (a POST of one JSON-RPC request on a live session): no `Response`, no
 * `ReadableStream`, no reader loop between the SDK transport and the socket. With the lazy request view
 * (`node-request.ts`) this took the memory store from 1.11x to 0.68-0.74x the plain SDK server's CPU per tool
 * call in `bench:server` (web-stream objects also cost their garbage). The SDK transport writes into an {@link SseSink}
 * exactly as it writes into its own stream controller (`enqueue`, `close`).
 */
import type { ServerResponse } from 'node:http';

/** How long the first chunk of an answer waits for the next one before it is sent alone. */
export const FIRST_CHUNK_HOLD_MS = 10;

/** Where the SDK transport writes an answer's SSE events: the subset of a stream controller it uses. */
export interface SseSink {
  /** Writes one encoded SSE event; throws once the stream is closed or the client left. */
  enqueue(chunk: Uint8Array): void;
  /** Ends the answer. Idempotent. */
  close(): void;
}

/**
 * Offered by a host that can take an answer directly (the node:http adapter): `open` writes the head now and
 * returns the sink; `onCancel` runs if the client leaves before the answer ended.
 */
export interface DirectAnswerTarget {
  open(headers: Record<string, string>, onCancel: () => void): SseSink;
}

/**
 * What the pipeline returns in place of a `Response` when the answer went through a {@link DirectAnswerTarget}:
 * its status is what was written. Never a body, never mutated (see {@link isDirectAnswer}).
 */
export const DIRECT_ANSWER: Response = new Response(null, { status: 200 });

/** True for the placeholder of an answer that was written directly. */
export function isDirectAnswer(response: Response): boolean {
  return response === DIRECT_ANSWER;
}

/**
 * An {@link SseSink} on a Node `ServerResponse`, with the same framing as `writeNodeResponse`: the head
 * leaves with the first event (or alone once this turn's microtasks ran, so a slow tool's client sees the
 * stream open), and the first event waits up to {@link FIRST_CHUNK_HOLD_MS} for the second one so the
 * priming event and the answer leave in one `writev`.
 *
 * @example
 * ```ts
 * const sink = new NodeSseSink(res, { 'content-type': 'text/event-stream' }, () => {});
 * sink.enqueue(new TextEncoder().encode('data: {}\n\n'));
 * sink.close();
 * await sink.done;
 * ```
 */
export class NodeSseSink implements SseSink {
  readonly #res: ServerResponse;
  readonly #onCancel: () => void;
  #written = 0;
  #ended = false;
  #hold: NodeJS.Timeout | undefined;
  #resolveDone!: () => void;
  /** Settles when the answer ended or the client left. */
  readonly done: Promise<void>;

  constructor(res: ServerResponse, headers: Record<string, string>, onCancel: () => void) {
    this.#res = res;
    this.#onCancel = onCancel;
    this.done = new Promise((resolve) => {
      this.#resolveDone = resolve;
    });
    res.writeHead(200, headers);
    res.once('close', this.#closed);
    const socket = res.socket;
    if (socket !== null && !socket.writableCorked) {
      socket.cork();
      this.#hold = setTimeout(this.#letGo, FIRST_CHUNK_HOLD_MS);
    }
    process.nextTick(this.#flushHeadIfSilent);
  }

  enqueue(chunk: Uint8Array): void {
    if (this.#ended || this.#res.destroyed) throw new TypeError('Invalid state: the answer stream is closed');
    this.#written += 1;
    this.#res.write(chunk);
    // The end (or the next event), usually a microtask away, joins them; past two, nothing is held.
    if (this.#written === 2) process.nextTick(this.#letGo);
  }

  close(): void {
    if (this.#ended) return;
    this.#ended = true;
    if (!this.#res.destroyed && !this.#res.writableEnded) this.#res.end();
    this.#letGo();
  }

  readonly #letGo = (): void => {
    if (this.#hold === undefined) return;
    clearTimeout(this.#hold);
    this.#hold = undefined;
    this.#res.socket?.uncork();
  };

  readonly #flushHeadIfSilent = (): void => {
    if (this.#written === 0 && !this.#ended && !this.#res.destroyed) this.#res.flushHeaders();
  };

  readonly #closed = (): void => {
    this.#letGo();
    if (!this.#ended) {
      // The client left before the answer ended: the transport forgets the stream (events stay stored).
      this.#ended = true;
      this.#onCancel();
    }
    this.#resolveDone();
  };
}
