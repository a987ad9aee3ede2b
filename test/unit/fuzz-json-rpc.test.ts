/**
 * Fuzz pass over the JSON-RPC message check and the body readers (issue 9). Properties: every input gives
 * messages of the right shape or a typed ProtocolError, never an untyped error; byte caps hold on decoded
 * bytes whatever the chunking or compression.
 */
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { ProtocolError, isMcpClientError } from '../../src/errors';
import { readBodyExcerpt, readBodyText } from '../../src/transport/body-reader';
import { decodeBody } from '../../src/transport/content-decoding';
import type { HttpResponse } from '../../src/transport/http-seam';
import { isJsonRpcMessage, isJsonRpcRequest, isJsonRpcResponse, toJsonRpcMessages } from '../../src/transport/json-rpc';

/** Arbitrary JSON shaped near JSON-RPC: right and wrong `jsonrpc`, ids, methods, results and errors. */
const nearJsonRpc = fc.record(
  {
    jsonrpc: fc.oneof(fc.constant('2.0'), fc.constant('1.0'), fc.jsonValue({ maxDepth: 1 })),
    id: fc.oneof(fc.integer(), fc.string({ maxLength: 10 }), fc.constant(null), fc.jsonValue({ maxDepth: 1 })),
    method: fc.oneof(fc.string({ maxLength: 20 }), fc.jsonValue({ maxDepth: 1 })),
    params: fc.oneof(fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 2 })), fc.jsonValue({ maxDepth: 2 })),
    result: fc.oneof(fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 2 })), fc.jsonValue({ maxDepth: 2 })),
    error: fc.oneof(fc.record({ code: fc.integer(), message: fc.string({ maxLength: 20 }) }), fc.jsonValue({ maxDepth: 2 })),
  },
  { requiredKeys: [] },
);

/** A response whose body yields `chunks`, optionally declaring a length and a coding. */
function responseOf(chunks: readonly Uint8Array[], headers: Record<string, string> = {}): HttpResponse {
  return {
    status: 200,
    header: (name) => headers[name],
    headers: () => headers,
    text: async () => Buffer.concat(chunks).toString('utf8'),
    async *chunks() {
      for (const chunk of chunks) yield chunk;
    },
    cancel: () => {},
    discard: () => {},
  };
}

describe('toJsonRpcMessages under fuzzing', () => {
  test('any JSON value: well-shaped messages or ProtocolError(invalid_message), never another error', () => {
    fc.assert(
      fc.property(fc.oneof(nearJsonRpc, fc.array(nearJsonRpc, { maxLength: 4 }), fc.jsonValue()), (value) => {
        let messages;
        try {
          messages = toJsonRpcMessages(value);
        } catch (error) {
          expect(error).toBeInstanceOf(ProtocolError);
          expect((error as ProtocolError).reason).toBe('invalid_message');
          return;
        }
        for (const message of messages) {
          expect(isJsonRpcMessage(message)).toBe(true);
          // Every accepted message is exactly one of: response, request, notification.
          const kinds = [isJsonRpcResponse(message), isJsonRpcRequest(message), 'method' in message && (message as { id?: unknown }).id === undefined];
          expect(kinds.filter(Boolean)).toHaveLength(1);
        }
      }),
      { numRuns: 2_000 },
    );
  });

  test('arbitrary text parsed as JSON: a typed path for every outcome', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (text) => {
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          return; // the transport maps this to ProtocolError('invalid_json') before the shape check
        }
        try {
          toJsonRpcMessages(parsed);
        } catch (error) {
          expect(isMcpClientError(error)).toBe(true);
        }
      }),
      { numRuns: 1_000 },
    );
  });

  test('values nested far deeper than any message are checked without recursion', () => {
    let deep: unknown = {};
    for (let depth = 0; depth < 100_000; depth++) deep = { params: deep };
    expect(() => toJsonRpcMessages({ jsonrpc: '2.0', method: 'x', params: deep })).not.toThrow();
    expect(() => toJsonRpcMessages([deep])).toThrow(ProtocolError);
  });
});

describe('body readers under fuzzing', () => {
  test('readBodyText: the text, or body_too_large exactly when the decoded bytes exceed the cap', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 10 }), fc.integer({ min: 1, max: 2_000 }), async (chunks, maxBytes) => {
        const total = chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0);
        const result = await readBodyText(responseOf(chunks), maxBytes).then(
          (text) => ({ text }),
          (error: unknown) => ({ error }),
        );
        if (total > maxBytes) {
          expect('error' in result && result.error instanceof ProtocolError && result.error.reason === 'body_too_large').toBe(true);
        } else {
          expect(result).toEqual({ text: new TextDecoder().decode(Buffer.concat(chunks)) });
        }
      }),
      { numRuns: 300 },
    );
  });

  test('readBodyText trusts Content-Length only for identity bodies', async () => {
    const decoded = new Uint8Array(5_000).fill(0x20);
    const compressed = gzipSync(decoded);
    const small = responseOf([decoded], { 'content-length': String(compressed.byteLength), 'content-encoding': 'gzip' });
    await expect(readBodyText(small, 1_000)).rejects.toMatchObject({ code: 'PROTOCOL_ERROR', reason: 'body_too_large' });
  });

  test('readBodyExcerpt keeps at most the asked bytes and never throws', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 10 }), fc.integer({ min: 1, max: 500 }), async (chunks, maxBytes) => {
        const excerpt = await readBodyExcerpt(responseOf(chunks), maxBytes);
        expect(new TextEncoder().encode(excerpt).byteLength).toBeLessThanOrEqual(maxBytes * 3 + 3);
      }),
      { numRuns: 200 },
    );
  });

  test('decodeBody: arbitrary bytes labelled gzip decode or fail typed, never untyped', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.uint8Array({ maxLength: 400 }), fc.uint8Array({ maxLength: 200 }).map((bytes) => new Uint8Array(gzipSync(bytes)))), fc.nat(400), async (bytes, cut) => {
        const body = Readable.from([Buffer.from(bytes.subarray(0, cut)), Buffer.from(bytes.subarray(cut))]);
        try {
          for await (const chunk of decodeBody(body, ['gzip'])) expect(chunk).toBeInstanceOf(Uint8Array);
        } catch (error) {
          expect(error).toBeInstanceOf(ProtocolError);
        }
      }),
      { numRuns: 200 },
    );
  });
});
