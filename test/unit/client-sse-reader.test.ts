import { expect, test } from 'vitest';
import { ProtocolError } from '../../src/errors';
import { createFetchStack } from '../../src/transport/fetch-stack';
import type { HttpResponse } from '../../src/transport/http-seam';
import type { JsonRpcMessage } from '../../src/transport/json-rpc';
import { type SseStreamState, readSseStream } from '../../src/transport/sse-reader';

const encoder = new TextEncoder();

/** A response whose body yields `chunks` and then stays open (or ends, with `end`). */
async function sseResponse(chunks: string[], options: { end?: boolean; onCancel?: () => void } = {}): Promise<HttpResponse> {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      if (options.end) controller.close();
    },
    cancel() {
      options.onCancel?.();
    },
  });
  const stack = createFetchStack(() => Promise.resolve(new Response(body, { headers: { 'content-type': 'text/event-stream' } })));
  return stack.send({ method: 'GET', url: new URL('http://127.0.0.1:9/mcp'), headers: {} });
}

const result = (id: number): string => `data: ${JSON.stringify({ jsonrpc: '2.0', id, result: {} })}\n\n`;

test('stops at the awaited message and cancels a stream that stays open', async () => {
  let cancelled = 0;
  const response = await sseResponse([result(1)], { onCancel: () => cancelled++ });
  const outcome = await readSseStream(response, { state: {}, maxEventChars: 1_000, onMessage: () => true });
  expect(outcome).toBe('stopped');
  await new Promise((resolve) => setTimeout(resolve, 20));
  expect(cancelled).toBe(1);
});

test('keeps the last event id and the retry hint; skips priming events; reassembles split events', async () => {
  const state: SseStreamState = {};
  const seen: JsonRpcMessage[] = [];
  const notification = JSON.stringify({ jsonrpc: '2.0', method: 'notifications/message', params: { data: 'x' } });
  const response = await sseResponse(['id: p-1\nretry: 500\ndata: \n\n', `id: e-2\ndata: ${notification.slice(0, 10)}`, `${notification.slice(10)}\n\n`], { end: true });
  const outcome = await readSseStream(response, { state, maxEventChars: 1_000, onMessage: (message) => (seen.push(message), false) });
  expect(outcome).toBe('ended');
  expect(state).toEqual({ lastEventId: 'e-2', retryMs: 500 });
  expect(seen).toEqual([JSON.parse(notification)]);
});

test('ignores events of other types', async () => {
  const seen: JsonRpcMessage[] = [];
  const response = await sseResponse(['event: ping\ndata: {}\n\n', result(3)], { end: true });
  await readSseStream(response, { state: {}, maxEventChars: 1_000, onMessage: (message) => (seen.push(message), false) });
  expect(seen).toHaveLength(1);
});

test.each([
  ['data that is not JSON', ['data: {oops\n\n'], 'invalid_sse'],
  ['JSON that is not JSON-RPC', ['data: [1,2]\n\n'], 'invalid_sse'],
  ['an event bigger than the limit, in one chunk', [`data: "${'x'.repeat(200)}"\n\n`], 'body_too_large'],
  ['an event bigger than the limit, across chunks', ['data: "', 'x'.repeat(150), 'x'.repeat(150)], 'body_too_large'],
])('%s is a ProtocolError', async (_name, chunks, reason) => {
  let cancelled = 0;
  const response = await sseResponse(chunks, { onCancel: () => cancelled++ });
  const error = await readSseStream(response, { state: {}, maxEventChars: 100, onMessage: () => false }).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(ProtocolError);
  expect((error as ProtocolError).reason).toBe(reason);
  await new Promise((resolve) => setTimeout(resolve, 20));
  expect(cancelled).toBe(1);
});
