/**
 * Reads one `text/event-stream` body (spec 2025-11-25 "Transports": POST answered as SSE, the GET
 * stream, resumption). Keeps the last event id and the `retry:` hint in a caller-owned state object, so
 * a later GET can resume with `Last-Event-ID` and wait as long as the server asked.
 */
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { ProtocolError } from '../errors';
import type { HttpResponse } from './http-seam';
import { type JsonRpcMessage, toJsonRpcMessages } from './json-rpc';

/**
 * What the client remembers about one SSE stream between connections.
 *
 * @example
 * ```ts
 * const stream: SseStreamState = {};
 * await exchange.post(request, { stream });
 * if (stream.lastEventId) await exchange.resume(request.id, { stream });
 * ```
 */
export interface SseStreamState {
  /** The id of the last event seen: sent back as `Last-Event-ID` on resume. */
  lastEventId?: string;
  /**
   * The last `retry:` the server sent, in milliseconds (spec: the client MUST honour it), clamped to
   * {@link SSE_RETRY_MAX_MS}.
   */
  retryMs?: number;
}

/**
 * Largest `retry:` honoured, in ms; a larger value waits this long. Unclamped, `retry: 9999999999` passed
 * 2^31-1 and Node ran the timer after 1 ms: 2,949 GETs in 5 s (issue 9 case 3).
 *
 * @example
 * ```ts
 * const waitMs = Math.min(hintMs, SSE_RETRY_MAX_MS);
 * ```
 */
export const SSE_RETRY_MAX_MS = 60_000;

/**
 * Longest event id kept, in characters; it is sent back as the `Last-Event-ID` header, so a longer one is
 * refused as `invalid_sse` rather than echoed (real servers send ids of tens of characters).
 *
 * @example
 * ```ts
 * if (id.length > SSE_EVENT_ID_MAX_CHARS) throw new Error('id too long');
 * ```
 */
export const SSE_EVENT_ID_MAX_CHARS = 1_024;

/**
 * Options of {@link readSseStream}.
 *
 * @example
 * ```ts
 * await readSseStream(response, { state: {}, maxEventChars: 1 << 24, onMessage: (message) => 'id' in message });
 * ```
 */
export interface ReadSseOptions {
  readonly state: SseStreamState;
  /** Largest single event, in characters. */
  readonly maxEventChars: number;
  /** Called for every JSON-RPC message; return true to stop reading (the rest of the body is drained). */
  readonly onMessage: (message: JsonRpcMessage) => boolean;
}

/**
 * One decoder for the chunks that end on a character boundary (an SSE chunk almost always ends with a line
 * feed): a `TextDecoder` per stream cost ~2.5 us per call in the issue 8 profile (ICU converter set-up). It
 * keeps a BOM (`ignoreBOM`): only the stream's first character may be one, and that one is dropped below.
 */
const SHARED_DECODER = new TextDecoder('utf-8', { ignoreBOM: true });

/** Decodes a stream's chunks: on the shared decoder while every chunk ends on a character boundary. */
class ChunkDecoder {
  #streaming: TextDecoder | undefined;
  #first = true;

  decode(bytes: Uint8Array): string {
    let text: string;
    // A last byte below 0x80 is ASCII: the chunk cannot end inside a multi-byte character.
    if (this.#streaming === undefined && (bytes.length === 0 || (bytes[bytes.length - 1] as number) < 0x80)) {
      text = SHARED_DECODER.decode(bytes);
    } else {
      this.#streaming ??= new TextDecoder('utf-8', { ignoreBOM: true });
      text = this.#streaming.decode(bytes, { stream: true });
    }
    if (this.#first && text !== '') {
      this.#first = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    return text;
  }

  /** What a split character at the very end leaves (U+FFFD), as TextDecoder's final call does. */
  end(): string {
    return this.#streaming?.decode() ?? '';
  }
}

/** True when the body ends within one event-loop turn (setImmediate: no timer allocated per call). */
function endsWithinOneTurn(chunks: AsyncIterator<Uint8Array>): Promise<boolean> {
  const tail = chunks.next().then(
    (next) => next.done === true,
    () => false,
  );
  const turn = new Promise<boolean>((resolve) => setImmediate(resolve, false));
  return Promise.race([tail, turn]);
}

/**
 * Reads events until `onMessage` returns true (`'stopped'`) or the body ends (`'ended'`). Malformed
 * events throw `ProtocolError('invalid_sse')`; an oversized event throws `'body_too_large'`.
 * Network errors of the underlying body propagate unchanged for the caller to map.
 *
 * @example
 * ```ts
 * const outcome = await readSseStream(response, { state, maxEventChars: 1 << 24, onMessage: (m) => isMine(m) });
 * ```
 */
export async function readSseStream(response: HttpResponse, options: ReadSseOptions): Promise<'stopped' | 'ended'> {
  const { state, onMessage } = options;
  let stop = false;
  let failure: ProtocolError | undefined;

  const onEvent = (event: EventSourceMessage): void => {
    if (event.id !== undefined) {
      if (event.id.length > SSE_EVENT_ID_MAX_CHARS) {
        failure ??= new ProtocolError(`The server sent an SSE event id longer than ${SSE_EVENT_ID_MAX_CHARS} characters`, { reason: 'invalid_sse' });
        return;
      }
      state.lastEventId = event.id;
    }
    // Priming events (id + empty data, 2025-11-25) and non-message event types carry no JSON-RPC.
    if (stop || failure || event.data === '' || (event.event !== undefined && event.event !== 'message')) return;
    // maxBufferSize only bounds data buffered across chunks; an event that arrives whole is checked here.
    if (event.data.length > options.maxEventChars) {
      failure = new ProtocolError(`An SSE event exceeded maxResponseBytes (${options.maxEventChars})`, { reason: 'body_too_large' });
      return;
    }
    let messages: JsonRpcMessage[];
    try {
      messages = toJsonRpcMessages(JSON.parse(event.data));
    } catch (error) {
      failure = new ProtocolError('The server sent an SSE event whose data is not a JSON-RPC message', {
        reason: 'invalid_sse',
        cause: error,
      });
      return;
    }
    for (const message of messages) if (onMessage(message)) stop = true;
  };
  const parser = createParser({
    onEvent,
    onRetry: (retryMs) => {
      // The parser accepts only digits, so the value is a non-negative integer or, past 309 digits, Infinity.
      state.retryMs = Math.min(retryMs, SSE_RETRY_MAX_MS);
    },
    onError: (error) => {
      if (error.type === 'max-buffer-size-exceeded') {
        failure ??= new ProtocolError(`An SSE event exceeded maxResponseBytes (${options.maxEventChars})`, {
          reason: 'body_too_large',
          cause: error,
        });
      }
      // 'unknown-field' / 'invalid-retry': the SSE standard says ignore them.
    },
    maxBufferSize: options.maxEventChars,
  });

  const decoder = new ChunkDecoder();
  let outcome: 'stopped' | 'ended' | undefined;
  let endsWithCr = false;
  try {
    // A manual loop, not for-await: leaving for-await calls the iterator's return(), which destroys an
    // undici body (and its keep-alive socket) before discard() can drain it.
    const chunks = response.chunks()[Symbol.asyncIterator]();
    for (;;) {
      const next = await chunks.next();
      if (next.done) break;
      const text = decoder.decode(next.value);
      if (text !== '') endsWithCr = text.endsWith('\r');
      parser.feed(text);
      if (failure) throw failure;
      if (stop) {
        outcome = 'stopped';
        // The server closes the stream right after the response (spec 2025-11-25 SHOULD); its end is
        // usually already in flight. Wait one turn for it; only a stream still open is drained in the background.
        if (await endsWithinOneTurn(chunks)) outcome = 'ended';
        return 'stopped';
      }
    }
    parser.feed(decoder.end());
    // A CR is a whole line ending (SSE), but the parser holds a final one back in case an LF follows; at
    // the end of the body none will, so complete it (found by fuzzing: `data: x\r\r` then EOF was lost).
    if (endsWithCr) parser.feed('\n');
    if (failure) throw failure;
    outcome = stop ? 'stopped' : 'ended';
    return outcome;
  } finally {
    // A stream still open after the awaited message is drained (socket reused), not destroyed.
    if (outcome === 'stopped') response.discard();
    else if (outcome === undefined) response.cancel();
  }
}
