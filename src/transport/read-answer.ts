/**
 * Reading what a 2xx Streamable HTTP response carries, in either era: one JSON body, or an SSE stream whose
 * messages before the awaited response are notifications (and, legacy only, server requests). Body-read
 * failures (reset, `terminated`) become typed errors here, once.
 */
import { ProtocolError, createErrorFromFailure, isMcpClientError } from '../errors';
import { readBodyText } from './body-reader';
import type { HttpResponse } from './http-seam';
import { type JsonRpcId, type JsonRpcMessage, type JsonRpcResponse, isJsonRpcResponse, toJsonRpcMessages } from './json-rpc';
import { type SseStreamState, readSseStream } from './sse-reader';

/**
 * How to read one response.
 *
 * @example
 * ```ts
 * const how: ReadOptions = { maxResponseBytes: 1 << 24, onMessage: dispatch, stream: {} };
 * ```
 */
export interface ReadOptions {
  readonly maxResponseBytes: number;
  /** Messages other than the awaited response. */
  readonly onMessage?: ((message: JsonRpcMessage) => void) | undefined;
  /** Receives the SSE stream's last event id and `retry:` hint. */
  readonly stream?: SseStreamState | undefined;
  /** The endpoint, named in the message of a body-read failure. */
  readonly url?: URL | undefined;
}

/**
 * Throws `ProtocolError('invalid_content_type')` (and drops the body) unless the response is an SSE stream.
 *
 * @example
 * ```ts
 * expectEventStream(response);
 * ```
 */
export function expectEventStream(response: HttpResponse): void {
  const type = response.header('content-type') ?? '';
  if (!type.startsWith('text/event-stream')) {
    response.cancel();
    throw new ProtocolError(`Expected text/event-stream, got ${type || 'no content type'}`, { reason: 'invalid_content_type' });
  }
}

/**
 * Maps body-read failures (reset, terminated) to typed errors; typed ones pass through.
 *
 * @example
 * ```ts
 * const text = await guardBody(() => readBodyText(response, limit), url);
 * ```
 */
export async function guardBody<T>(read: () => Promise<T>, url?: URL): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (isMcpClientError(error)) throw error;
    throw createErrorFromFailure({ kind: 'network', error, requestSent: true, url });
  }
}

/**
 * Reads an SSE stream until the response to `id` (resolved with it) or the end of the stream (undefined).
 *
 * @example
 * ```ts
 * const answer = await readEventsUntil(response, id, { maxResponseBytes, onMessage });
 * ```
 */
export async function readEventsUntil(response: HttpResponse, id: JsonRpcId | undefined, options: ReadOptions): Promise<JsonRpcResponse | undefined> {
  expectEventStream(response);
  let answer: JsonRpcResponse | undefined;
  const onMessage = options.onMessage;
  await guardBody(
    () =>
      readSseStream(response, {
        state: options.stream ?? {},
        maxEventChars: options.maxResponseBytes,
        onMessage: (message) => {
          if (id !== undefined && isJsonRpcResponse(message) && message.id === id) {
            answer = message;
            return true;
          }
          onMessage?.(message);
          return false;
        },
      }),
    options.url,
  );
  return answer;
}

/**
 * Reads the response to request `id` from a JSON body or an SSE stream. Throws `ProtocolError` when the body
 * is no JSON (`invalid_json`), holds no response to `id` (`invalid_message`), or the stream ended first
 * (`stream_ended`: the answer was lost).
 *
 * @example
 * ```ts
 * const response = await readAnswer(httpResponse, 7, { maxResponseBytes, onMessage: dispatch, stream });
 * ```
 */
export async function readAnswer(response: HttpResponse, id: JsonRpcId, options: ReadOptions): Promise<JsonRpcResponse> {
  const type = response.header('content-type') ?? '';
  if (type.startsWith('application/json')) {
    const text = await guardBody(() => readBodyText(response, options.maxResponseBytes), options.url);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new ProtocolError('The server sent a body that is not valid JSON', { reason: 'invalid_json', cause: error });
    }
    let answer: JsonRpcResponse | undefined;
    for (const message of toJsonRpcMessages(parsed)) {
      if (isJsonRpcResponse(message) && message.id === id) answer = message;
      else options.onMessage?.(message);
    }
    if (answer) return answer;
    throw new ProtocolError(`The server's JSON body holds no response to request ${String(id)}`, { reason: 'invalid_message' });
  }
  // The SSE answer (every legacy SDK server's default), read here without the two async frames of
  // readEventsUntil and guardBody: the issue 8 profile put the legacy era's extra cost on this path.
  expectEventStream(response);
  const onMessage = options.onMessage;
  let answer: JsonRpcResponse | undefined;
  try {
    await readSseStream(response, {
      state: options.stream ?? {},
      maxEventChars: options.maxResponseBytes,
      onMessage: (message) => {
        if (isJsonRpcResponse(message) && message.id === id) {
          answer = message;
          return true;
        }
        onMessage?.(message);
        return false;
      },
    });
  } catch (error) {
    if (isMcpClientError(error)) throw error;
    throw createErrorFromFailure({ kind: 'network', error, requestSent: true, url: options.url });
  }
  if (answer) return answer;
  throw new ProtocolError(`The SSE stream ended before the response to request ${String(id)}`, { reason: 'stream_ended' });
}
