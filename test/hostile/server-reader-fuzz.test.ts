/**
 * Issue 9, "Prove it": a fuzz pass over the server's request reader. Arbitrary bodies (bytes, text, JSON of any
 * depth, JSON-RPC-shaped messages and batches), arbitrary chunkings, content types and Accept headers, bodies that
 * stall or fail mid-way. Properties: never a 5xx for bad input, never an untyped crash (the handler always answers,
 * with a JSON-RPC error body that carries no internal text), never a hang (every answer within a deadline), memory
 * bounded (the reader never holds more than `maxBodyBytes`).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readLimited } from '../../server/http/http-input';
import { exceedsJsonDepth, valueExceedsDepth } from '../../server/http/json-depth';
import { createSessionHandler, type SessionHandler } from '../../server/index';
import { createNotesApp } from '../support/server-notes-app';
import { PROTOCOL_VERSION } from '../support/server-raw-client';

const MAX_BODY_BYTES = 16 * 1024;
const MAX_DEPTH = 32;
const ANSWER_DEADLINE_MS = 5_000;
const INTERNAL_TEXT = /RangeError|TypeError|SyntaxError|Maximum call stack|\bat \w+ \(|node:internal/;
const encoder = new TextEncoder();

/** Rejects when `promise` takes longer than `ms`: a hang fails the property instead of the whole run. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`hang: ${what} took more than ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** `bytes` cut at `cuts` (positions taken modulo the length), as a web stream; optionally stalling or failing at the end. */
function streamOf(bytes: Uint8Array, cuts: number[], ending: 'close' | 'stall' | 'error'): ReadableStream<Uint8Array> {
  const points = [...new Set(cuts.map((cut) => (bytes.byteLength === 0 ? 0 : cut % bytes.byteLength)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const point of [...points, bytes.byteLength]) {
    if (point > start) chunks.push(bytes.slice(start, point));
    start = Math.max(start, point);
  }
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const chunk = chunks.shift();
      if (chunk !== undefined) controller.enqueue(chunk);
      else if (ending === 'close') controller.close();
      else if (ending === 'error') controller.error(new Error('client went away'));
      // 'stall': never enqueue, never close.
    },
  });
}

/** A nest of arrays and objects `depth` deep around `leaf`. */
function nestedText(depth: number, leaf: string): string {
  let text = leaf;
  for (let level = 0; level < depth; level++) text = level % 2 === 0 ? `[${text}]` : `{"k":${text}}`;
  return text;
}

const METHODS = ['initialize', 'tools/call', 'tools/list', 'ping', 'notifications/initialized', 'resources/read', 'nope/unknown'];

const jsonRpcShaped = fc.record(
  {
    jsonrpc: fc.constantFrom('2.0', '1.0', 2),
    id: fc.oneof(fc.integer(), fc.string({ maxLength: 8 }), fc.constant(null)),
    method: fc.constantFrom(...METHODS),
    params: fc.oneof(fc.jsonValue({ maxDepth: 4 }), fc.constant({ protocolVersion: PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'f', version: '1' } })),
  },
  { requiredKeys: ['method'] },
);

const bodyText = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.jsonValue({ maxDepth: 6 }).map((value) => JSON.stringify(value) ?? 'null'),
  jsonRpcShaped.map((message) => JSON.stringify(message)),
  fc.array(jsonRpcShaped, { maxLength: 5 }).map((batch) => JSON.stringify(batch)),
  fc.tuple(fc.integer({ min: 0, max: 3 * MAX_DEPTH }), fc.constantFrom('1', '"x"', '{}', '[]', '"[{"')).map(([depth, leaf]) => nestedText(depth, leaf)),
  {
    weight: 4,
    arbitrary: fc
      .integer({ min: MAX_BODY_BYTES - 8, max: MAX_BODY_BYTES + 64 })
      .map((size) => JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping', pad: 'x'.repeat(size) })),
  },
);

const bodyBytes = fc.oneof({ weight: 3, arbitrary: bodyText.map((text) => encoder.encode(text)) }, fc.uint8Array({ maxLength: 300 }));

describe('fuzz: the request reader of the session layer (issue 9)', () => {
  let mcp: SessionHandler;
  beforeAll(async () => {
    mcp = await createSessionHandler({
      createServer: createNotesApp().createServer,
      maxBodyBytes: MAX_BODY_BYTES,
      maxJsonDepth: MAX_DEPTH,
      bodyReadTimeoutMs: 50,
      bodyTimeoutMs: 200,
      maxSessions: 1_000_000,
      rateLimitRequests: 1_000_000,
    });
  });
  afterAll(async () => mcp.close());

  test('any body, chunking, content type and ending: a typed answer below 500, no internal text, never a hang', async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(
        bodyBytes,
        fc.array(fc.nat(), { maxLength: 8 }),
        fc.constantFrom('application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON', 'text/plain', '', 'application/json-seq'),
        fc.constantFrom('application/json, text/event-stream', 'application/json', 'text/event-stream', '*/*', ''),
        fc.constantFrom<'close' | 'stall' | 'error'>('close', 'close', 'close', 'stall', 'error'),
        fc.boolean(),
        async (bytes, cuts, contentType, accept, ending, declareLength) => {
          const headers: Record<string, string> = { host: '127.0.0.1' };
          if (contentType !== '') headers['content-type'] = contentType;
          if (accept !== '') headers['accept'] = accept;
          if (declareLength) headers['content-length'] = String(bytes.byteLength);
          const request = new Request('http://127.0.0.1/mcp', { method: 'POST', headers, body: streamOf(bytes, cuts, ending), duplex: 'half' } as RequestInit);
          const response = await within(mcp.fetch(request), ANSWER_DEADLINE_MS, 'the answer');
          const text = await within(response.text(), ANSWER_DEADLINE_MS, 'the answer body');
          statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
          expect(response.status).toBeLessThan(500);
          expect(text).not.toMatch(INTERNAL_TEXT);
          if (response.status >= 400) {
            const answer = JSON.parse(text) as { jsonrpc?: string; error?: { code?: unknown; message?: unknown } };
            expect(answer.jsonrpc).toBe('2.0');
            expect(typeof answer.error?.code).toBe('number');
            expect(typeof answer.error?.message).toBe('string');
          }
        },
      ),
      { numRuns: 300 },
    );
    console.info(`[hostile] fuzz request reader: statuses ${JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b)))}`);
    // The generators reach the refusals that matter: too large, too slow, too deep or not JSON, wrong type.
    expect([...statuses.keys()]).toEqual(expect.arrayContaining([400, 408, 413, 415]));
  }, 120_000);

  test('a valid initialize arrives whole under any chunking: always served', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(), { maxLength: 16 }), fc.string({ maxLength: 40 }), async (cuts, name) => {
        const body = JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'initialize',
          params: { protocolVersion: PROTOCOL_VERSION, capabilities: {}, clientInfo: { name, version: '1' } },
        });
        const request = new Request('http://127.0.0.1/mcp', {
          method: 'POST',
          headers: { host: '127.0.0.1', 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
          body: streamOf(encoder.encode(body), cuts, 'close'),
          duplex: 'half',
        } as RequestInit);
        const response = await within(mcp.fetch(request), ANSWER_DEADLINE_MS, 'the answer');
        const text = await within(response.text(), ANSWER_DEADLINE_MS, 'the answer body');
        expect(response.status).toBe(200);
        expect(text).toContain('"protocolVersion"');
      }),
      { numRuns: 100 },
    );
  }, 120_000);

  test('readLimited over any chunk sequence: a typed result within the deadlines, never more than the limit held', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(fc.uint8Array({ maxLength: 64 }), fc.string({ maxLength: 64 })), { maxLength: 20 }),
        fc.constantFrom<'close' | 'stall' | 'throw'>('close', 'stall', 'throw'),
        fc.integer({ min: 1, max: 512 }),
        fc.option(fc.integer({ min: 0, max: 2_000 }).map(String), { nil: undefined }),
        async (chunks, ending, maxBytes, declared) => {
          async function* source(): AsyncGenerator<unknown> {
            for (const chunk of chunks) yield chunk;
            if (ending === 'throw') throw new Error('socket reset');
            if (ending === 'stall') await new Promise(() => undefined);
          }
          const read = await within(readLimited(source(), declared, maxBytes, { readTimeoutMs: 30, totalTimeoutMs: 100 }), ANSWER_DEADLINE_MS, 'readLimited');
          expect(['ok', 'too-large', 'aborted', 'timed-out']).toContain(read.kind);
          if (read.kind === 'ok') expect(read.bytes.byteLength).toBeLessThanOrEqual(maxBytes);
          if (ending === 'stall' && read.kind === 'ok') throw new Error('a stalled body cannot read as complete');
        },
      ),
      { numRuns: 300 },
    );
  }, 120_000);

  test('the depth check agrees with the parsed value on any JSON text, strings with brackets and escapes included', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.jsonValue({ maxDepth: 12 }),
          fc.tuple(fc.integer({ min: 0, max: 40 }), fc.string({ maxLength: 6 })).map(([depth, leaf]) => JSON.parse(nestedText(depth, JSON.stringify(leaf))) as unknown),
        ),
        fc.integer({ min: 1, max: 20 }),
        (value, maxDepth) => {
          const text = JSON.stringify(value) ?? 'null';
          expect(exceedsJsonDepth(encoder.encode(text), maxDepth)).toBe(valueExceedsDepth(value, maxDepth));
        },
      ),
      { numRuns: 2_000 },
    );
  });
});
