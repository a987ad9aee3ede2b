import type { ServerResponse } from 'node:http';

/** One in-flight MCP response the fault injector may cut. */
interface OpenResponse {
  res: ServerResponse;
  /** JSON-RPC message events written so far (priming events and keep-alives excluded). */
  events: number;
  /** Cut once `events` reaches this. */
  cutAfterEvents: number | undefined;
  cut: boolean;
}

/** The SDK writes one `event: message` line per JSON-RPC message; priming events have no `event:` line. */
const MESSAGE_EVENT = /^event: message$/gm;

function countMessageEvents(chunk: unknown): number {
  const text = typeof chunk === 'string' ? chunk : chunk instanceof Uint8Array ? Buffer.from(chunk).toString('utf8') : '';
  return text.match(MESSAGE_EVENT)?.length ?? 0;
}

type Write = (chunk: unknown, ...rest: unknown[]) => boolean;

/**
 * Tracks in-flight MCP responses so faults can cut them: `cutAll` resets every socket (the client
 * sees ECONNRESET / `terminated`), `cutAfter` lets N message events out, then closes the socket.
 *
 * @example
 * ```ts
 * const open = new OpenResponses(() => stats.recordStreamCut());
 * open.track(res, undefined);
 * open.cutAll();
 * ```
 */
export class OpenResponses {
  readonly #open = new Set<OpenResponse>();
  readonly #onCut: () => void;

  constructor(onCut: () => void) {
    this.#onCut = onCut;
  }

  /** Starts tracking `res` until it closes; `cutAfterEvents` arms a delayed cut for this response. */
  track(res: ServerResponse, cutAfterEvents: number | undefined): void {
    const entry: OpenResponse = { res, events: 0, cutAfterEvents, cut: false };
    this.#open.add(entry);
    res.once('close', () => this.#open.delete(entry));
    const write = res.write.bind(res) as Write;
    const observedWrite: Write = (chunk, ...rest) => {
      // A cut response writes nothing more: the next event must not slip out before the socket dies.
      if (entry.cut) return false;
      const written = write(chunk, ...rest);
      entry.events += countMessageEvents(chunk);
      if (entry.cutAfterEvents !== undefined && entry.events >= entry.cutAfterEvents) this.#cutAfterFlush(entry);
      return written;
    };
    res.write = observedWrite as typeof res.write;
  }

  /** Resets the socket of every open response; returns how many were cut. */
  cutAll(): number {
    let cut = 0;
    for (const entry of this.#open) {
      if (entry.cut) continue;
      entry.cut = true;
      const socket = entry.res.socket;
      if (socket && !socket.destroyed) socket.resetAndDestroy();
      this.#onCut();
      cut += 1;
    }
    return cut;
  }

  get size(): number {
    return this.#open.size;
  }

  #cutAfterFlush(entry: OpenResponse): void {
    entry.cut = true;
    this.#onCut();
    const socket = entry.res.socket;
    if (!socket || socket.destroyed) return;
    // end() flushes the events already written, then FIN: the client reads all `count` of them and
    // then an unterminated chunked body (a RST instead could discard data it has not read yet).
    socket.end(() => socket.destroy());
  }
}
