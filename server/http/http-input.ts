/**
 * One HTTP request as the session layer's pipeline sees it, whatever host delivered it (node:http, Express,
 * Hono, a fetch runtime): headers first, the body only when a check that needs it has passed.
 */
import type { AuthInfo } from '@modelcontextprotocol/server';
import type { DirectAnswerTarget } from './direct-answer';
import { BodyDeadlineError, withinDeadlines, type BodyDeadlines } from './request-deadlines';

/**
 * Outcome of reading a body under a byte limit.
 *
 * @example
 * ```ts
 * const body: BodyRead = await input.readBody(4 * 1024 * 1024);
 * ```
 */
export type BodyRead =
  | { kind: 'ok'; bytes: Uint8Array }
  | { kind: 'too-large' }
  | { kind: 'aborted' }
  /** A body deadline passed (`bodyReadTimeoutMs`, `bodyTimeoutMs`). */
  | { kind: 'timed-out' }
  /** Stopped by shutdown. */
  | { kind: 'cut' };

/**
 * @example
 * ```ts
 * const input: McpHttpInput = fromWebRequest(request);
 * ```
 */
export interface McpHttpInput {
  /** Method, URL and headers. Its body is never read by the pipeline (see `readBody`). */
  readonly request: Request;
  /** Reads the raw body, stopping as soon as it exceeds `maxBytes` or a deadline passes. Called at most once. */
  readBody(maxBytes: number, deadlines?: BodyDeadlines): Promise<BodyRead>;
  /** A body a framework already parsed (`express.json()`): used instead of `readBody`. */
  readonly parsedBody: unknown;
  /** Validated auth info from upstream middleware (`req.auth`), passed through to the SDK. */
  readonly authInfo: AuthInfo | undefined;
  /** The client's IP address (the socket's, or what a web host reports), for the per-IP limits. */
  readonly clientAddress?: string | undefined;
  /**
   * Set by a host that writes the response itself and calls `release` once the body has ended or the client
   * left (the node:http adapter): the endpoint puts its in-flight release here instead of relaying the body
   * through a second stream to see its end (about 30 us per SSE answer). Absent: the body is relayed.
   */
  readonly responseDone?: ResponseDoneSlot | undefined;
  /**
   * Set by a host that can take an SSE answer written straight to its response (the node:http adapter): the
   * legacy endpoint may then answer a plain POST on a live session through it and return `DIRECT_ANSWER`.
   */
  readonly direct?: DirectAnswerTarget | undefined;
}

/**
 * Where the endpoint leaves what must run once the response has ended (see {@link McpHttpInput.responseDone}).
 *
 * @example
 * ```ts
 * const slot: ResponseDoneSlot = { release: undefined };
 * try { await write(await endpoint.serve({ ...input, responseDone: slot })); } finally { slot.release?.(); }
 * ```
 */
export interface ResponseDoneSlot {
  release: (() => void) | undefined;
}

function concat(chunks: Uint8Array[], size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/**
 * Reads an async iterable of chunks (a Node request, a web stream) up to `maxBytes`. A declared
 * `Content-Length` over the limit is refused without reading at all.
 *
 * @example
 * ```ts
 * const body = await readLimited(req, req.headers['content-length'], 4 * 1024 * 1024);
 * ```
 */
export async function readLimited(
  chunks: AsyncIterable<unknown>,
  declaredLength: string | null | undefined,
  maxBytes: number,
  deadlines?: BodyDeadlines,
): Promise<BodyRead> {
  const declared = Number(declaredLength ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes) return { kind: 'too-large' };
  const collected: Uint8Array[] = [];
  let size = 0;
  try {
    for await (const chunk of deadlines === undefined ? chunks : withinDeadlines(chunks, deadlines)) {
      const bytes = typeof chunk === 'string' ? new TextEncoder().encode(chunk) : (chunk as Uint8Array);
      size += bytes.byteLength;
      if (size > maxBytes) return { kind: 'too-large' };
      collected.push(bytes);
    }
  } catch (error) {
    return error instanceof BodyDeadlineError ? { kind: error.reason } : { kind: 'aborted' };
  }
  return { kind: 'ok', bytes: concat(collected, size) };
}

async function* chunksOf(reader: ReadableStreamDefaultReader<Uint8Array>): AsyncGenerator<Uint8Array> {
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    // Stopping early (over the limit) cancels the rest instead of buffering it.
    await reader.cancel().catch(() => undefined);
  }
}

/**
 * The pipeline input for a web-standard `Request` (Hono's `c.req.raw`, Workers, Bun, Deno).
 *
 * @example
 * ```ts
 * const response = await endpoint.serve(fromWebRequest(request, { authInfo }));
 * ```
 */
export function fromWebRequest(
  request: Request,
  options: { authInfo?: AuthInfo; parsedBody?: unknown; clientAddress?: string } = {},
): McpHttpInput {
  return {
    request,
    parsedBody: options.parsedBody,
    authInfo: options.authInfo,
    clientAddress: options.clientAddress,
    async readBody(maxBytes, deadlines) {
      if (request.body === null) return { kind: 'ok', bytes: new Uint8Array(0) };
      const reader = request.body.getReader();
      // A stalled read is abandoned at a deadline: cancelling the reader releases the body.
      const cancel = (): void => void reader.cancel().catch(() => undefined);
      return readLimited(chunksOf(reader), request.headers.get('content-length'), maxBytes, deadlines && { ...deadlines, onCut: cancel });
    },
  };
}
