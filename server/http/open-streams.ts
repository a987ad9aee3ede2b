/**
 * The long-lived SSE responses of this process (legacy GET streams), so a graceful shutdown can tell each
 * client when to come back (`retry:`) before ending the stream, whatever host wrote the response out.
 */

interface OpenStream {
  controller: ReadableStreamDefaultController<Uint8Array>;
  source: ReadableStreamDefaultReader<Uint8Array>;
  onEnd: (() => void) | undefined;
}

const encoder = new TextEncoder();

/**
 * @example
 * ```ts
 * const streams = new OpenStreams();
 * return streams.track(response);       // on a GET stream
 * streams.endAll(1_000);                // on shutdown
 * ```
 */
export class OpenStreams {
  readonly #open = new Set<OpenStream>();

  /** The same response, with its body relayed through a stream this registry can end; `onEnd` runs once it ended. */
  track(response: Response, onEnd?: () => void): Response {
    if (response.body === null) {
      onEnd?.();
      return response;
    }
    const source = response.body.getReader();
    let entry: OpenStream | undefined;
    const body = new ReadableStream<Uint8Array>({
      start: (controller) => {
        entry = { controller, source, onEnd };
        this.#open.add(entry);
      },
      pull: async (controller) => {
        try {
          const { done, value } = await source.read();
          if (done) {
            this.#forget(entry);
            controller.close();
          } else {
            controller.enqueue(value);
          }
        } catch (error) {
          this.#forget(entry);
          controller.error(error);
        }
      },
      cancel: async (reason) => {
        this.#forget(entry);
        await source.cancel(reason);
      },
    });
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  }

  get size(): number {
    return this.#open.size;
  }

  /**
   * Writes an SSE `retry:` field to every open stream, then ends it. A bare `retry:` line is a complete event
   * block without data: clients update their reconnection time and dispatch nothing (WHATWG HTML, 9.2.6).
   */
  endAll(retryMs: number): number {
    let ended = 0;
    for (const entry of [...this.#open]) {
      this.#forget(entry);
      try {
        entry.controller.enqueue(encoder.encode(`retry: ${retryMs}\n\n`));
        entry.controller.close();
        ended += 1;
      } catch {
        // Already closed by the client.
      }
      void entry.source.cancel().catch(() => undefined);
    }
    return ended;
  }

  #forget(entry: OpenStream | undefined): void {
    if (entry === undefined || !this.#open.delete(entry)) return;
    entry.onEnd?.();
  }
}
