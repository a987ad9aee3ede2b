/**
 * Fuzz pass over the SSE reader (issue 9): arbitrary bytes, arbitrary chunking, CR / LF / CRLF line endings,
 * hostile `retry:` and `id:` values. Properties: the reader never throws an untyped error, never hangs on a
 * body that ends, never holds more than its limits, and delivers well-formed events whatever the chunking.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { isMcpClientError } from '../../src/errors';
import type { HttpResponse } from '../../src/transport/http-seam';
import type { JsonRpcMessage } from '../../src/transport/json-rpc';
import { SSE_EVENT_ID_MAX_CHARS, SSE_RETRY_MAX_MS, type SseStreamState, readSseStream } from '../../src/transport/sse-reader';

const MAX_EVENT_CHARS = 2_000;
const encoder = new TextEncoder();

/** A body that yields `chunks` and ends; counts cancel/discard calls. */
function bodyOf(chunks: readonly Uint8Array[]): HttpResponse & { released: () => number } {
  let released = 0;
  return {
    status: 200,
    header: () => undefined,
    headers: () => ({}),
    text: () => Promise.reject(new Error('not used')),
    async *chunks() {
      for (const chunk of chunks) yield chunk;
    },
    cancel: () => {
      released++;
    },
    discard: () => {
      released++;
    },
    released: () => released,
  };
}

/** Splits `bytes` at the given cut points (any byte position, including inside UTF-8 sequences and CRLF). */
function split(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let from = 0;
  for (const point of points) {
    chunks.push(bytes.subarray(from, point));
    from = point;
  }
  chunks.push(bytes.subarray(from));
  return chunks;
}

/** Runs the reader with a deadline: a hang fails the property instead of the whole run. */
async function read(response: HttpResponse, state: SseStreamState, seen: JsonRpcMessage[]) {
  const reading = readSseStream(response, {
    state,
    maxEventChars: MAX_EVENT_CHARS,
    onMessage: (message) => {
      seen.push(message);
      return false;
    },
  }).then(
    (outcome) => ({ outcome, error: undefined as unknown }),
    (error: unknown) => ({ outcome: undefined, error }),
  );
  const deadline = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the reader hung on a body that ended')), 2_000));
  return Promise.race([reading, deadline]);
}

const lineEnding = fc.constantFrom('\n', '\r', '\r\n');
const retryValue = fc.oneof(fc.integer({ min: 0, max: 2 ** 53 }).map(String), fc.stringMatching(/^[0-9]{1,400}$/), fc.string({ maxLength: 20 }));
const message = fc.record({ jsonrpc: fc.constant('2.0' as const), method: fc.string({ maxLength: 30 }), params: fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 4 }) });

describe('readSseStream under fuzzing', () => {
  test('arbitrary bytes in arbitrary chunks: a typed error or an outcome, never a hang, state within its limits', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.uint8Array({ maxLength: 600 }), { maxLength: 12 }), async (chunks) => {
        const state: SseStreamState = {};
        const seen: JsonRpcMessage[] = [];
        const { outcome, error } = await read(bodyOf(chunks), state, seen);
        if (error !== undefined) expect(isMcpClientError(error), String(error)).toBe(true);
        else expect(['ended', 'stopped']).toContain(outcome);
        expect(state.retryMs ?? 0).toBeLessThanOrEqual(SSE_RETRY_MAX_MS);
        expect(state.lastEventId?.length ?? 0).toBeLessThanOrEqual(SSE_EVENT_ID_MAX_CHARS);
      }),
      { numRuns: 300 },
    );
  });

  test('well-formed events with any line endings and any chunking are all delivered, in order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(message, lineEnding, fc.option(fc.stringMatching(/^[a-z0-9-]{1,20}$/))), { minLength: 1, maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        async (events, cuts) => {
          const text = events
            .map(([payload, eol, id]) => `${id === null ? '' : `id: ${id}${eol}`}data: ${JSON.stringify(payload)}${eol}${eol}`)
            .join('');
          const seen: JsonRpcMessage[] = [];
          const state: SseStreamState = {};
          const { outcome, error } = await read(bodyOf(split(encoder.encode(text), cuts)), state, seen);
          expect(error).toBeUndefined();
          expect(outcome).toBe('ended');
          // What the wire carries: JSON has no -0 (fast-check's jsonValue makes one, JSON.stringify writes 0).
          expect(seen).toEqual(events.map(([payload]) => JSON.parse(JSON.stringify(payload)) as unknown));
        },
      ),
      { numRuns: 200 },
    );
  });

  test('retry: values of any size and shape are clamped to the cap, never above it', async () => {
    await fc.assert(
      fc.asyncProperty(retryValue, lineEnding, fc.array(fc.nat(), { maxLength: 4 }), async (retry, eol, cuts) => {
        const state: SseStreamState = {};
        const text = `retry: ${retry}${eol}id: 1${eol}data: ${eol}${eol}`;
        const { error } = await read(bodyOf(split(encoder.encode(text), cuts)), state, []);
        expect(error).toBeUndefined();
        if (/^\d+$/.test(retry)) expect(state.retryMs).toBe(Math.min(Number(retry), SSE_RETRY_MAX_MS));
        else expect(state.retryMs).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });

  test('an oversized data line, event or id is a typed error and the body is released', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('data: ', 'data: {"x":"', 'id: '),
        fc.integer({ min: SSE_EVENT_ID_MAX_CHARS + 1, max: 20_000 }),
        lineEnding,
        fc.array(fc.nat(), { maxLength: 6 }),
        async (prefix, size, eol, cuts) => {
          // An id counts once an event carries it; data must exceed the event limit.
          const oversized = prefix === 'id: ' ? `id: ${'x'.repeat(size)}${eol}data: {}${eol}${eol}` : `${prefix}${'x'.repeat(size + MAX_EVENT_CHARS)}${eol}${eol}`;
          const response = bodyOf(split(encoder.encode(oversized), cuts));
          const state: SseStreamState = {};
          const { error } = await read(response, state, []);
          expect(isMcpClientError(error), String(error)).toBe(true);
          expect(response.released()).toBeGreaterThan(0);
          expect(state.lastEventId).toBeUndefined();
        },
      ),
      { numRuns: 100 },
    );
  });

  test('long comments and event names are held no longer than one line, then dropped', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(': ', 'event: '), fc.integer({ min: 1, max: 20_000 }), fc.array(fc.nat(), { maxLength: 6 }), async (prefix, size, cuts) => {
        const { error } = await read(bodyOf(split(encoder.encode(`${prefix}${'x'.repeat(size)}\n\n`), cuts)), {}, []);
        // Within the limit: read and ignored. Beyond it, when it arrives across chunks: the buffer cap, typed.
        if (error !== undefined) expect(isMcpClientError(error), String(error)).toBe(true);
      }),
      { numRuns: 100 },
    );
  });
});
