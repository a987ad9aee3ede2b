/**
 * The `fetch` HTTP stack: for msw tests, browsers and edge runtimes. It owns no sockets. `fetch` decodes
 * `Content-Encoding` itself; the readers above count the decoded chunks against their caps.
 */
import { decodingFailed, isDecodingFailure } from './content-decoding';
import type { AbortSignalLike, FetchLike, HttpRequest, HttpResponse, HttpStack } from './http-seam';

/** fetch wants a real AbortSignal: a light one (the client's call scope) is bridged to one, for this request. */
function toAbortSignal(signal: AbortSignalLike | undefined): AbortSignal | undefined {
  if (signal === undefined || signal instanceof AbortSignal) return signal;
  const controller = new AbortController();
  if (signal.aborted) controller.abort(signal.reason);
  else signal.addEventListener('abort', () => controller.abort(signal.reason), { once: true });
  return controller.signal;
}

class FetchResponse implements HttpResponse {
  readonly status: number;
  readonly #response: Response;
  #reader: ReadableStreamDefaultReader<Uint8Array> | undefined;

  constructor(response: Response) {
    this.#response = response;
    this.status = response.status;
  }

  header(name: string): string | undefined {
    return this.#response.headers.get(name) ?? undefined;
  }

  headers(): Record<string, string> {
    const out: Record<string, string> = {};
    this.#response.headers.forEach((value, name) => {
      out[name] = value;
    });
    return out;
  }

  text(): Promise<string> {
    return this.#response.text();
  }

  async *chunks(): AsyncIterable<Uint8Array> {
    const body = this.#response.body;
    if (!body) return;
    // getReader() rather than async iteration: Safari's ReadableStream is not async-iterable.
    const reader = body.getReader();
    this.#reader = reader;
    try {
      for (;;) {
        let next: ReadableStreamReadResult<Uint8Array>;
        try {
          next = await reader.read();
        } catch (error) {
          // A corrupt compressed body is the server's definite fault, not a lost response.
          throw isDecodingFailure(error) ? decodingFailed(error) : error;
        }
        if (next.done) return;
        yield next.value;
      }
    } finally {
      this.#reader = undefined;
      reader.releaseLock();
    }
  }

  discard(): void {
    // fetch offers no bounded drain: cancelling is the bounded choice (the socket is not reused).
    this.cancel();
  }

  cancel(): void {
    if (this.#reader) {
      this.#reader.cancel().catch(() => {});
      return;
    }
    const body = this.#response.body;
    if (body && !body.locked) body.cancel().catch(() => {});
  }
}

/**
 * Creates a stack on any WHATWG `fetch`.
 *
 * @example
 * ```ts
 * const stack = createFetchStack(globalThis.fetch);
 * const response = await stack.send({ method: 'GET', url: new URL('http://127.0.0.1:8051/mcp'), headers: {} });
 * response.cancel();
 * ```
 */
export function createFetchStack(fetchImpl: FetchLike): HttpStack {
  return {
    async send(request: HttpRequest): Promise<HttpResponse> {
      const response = await fetchImpl(request.url, {
        method: request.method,
        headers: request.headers,
        body: request.body,
        signal: toAbortSignal(request.signal),
        // Never follow a redirect (issue 9 case 7: a 307 to another origin was followed with the session
        // ids). The 3xx comes back as is and becomes an HttpError, as on the undici stack, which never
        // follows one. In browsers a manual redirect is an opaque response with status 0.
        redirect: 'manual',
      });
      return new FetchResponse(response);
    },
    close: () => Promise.resolve(),
  };
}
