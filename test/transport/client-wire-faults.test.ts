/**
 * Faults at the HTTP level through the `fetch` seam (msw). initialize and everything else pass through
 * to the real reference server; only the output the real server cannot produce is built here.
 * `retry: false` everywhere: these tests pin the wire -> typed error mapping, not the recovery on top.
 */
import { http, HttpResponse, bypass, passthrough } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { ConnectionError, HttpError, MaybeExecutedError, OutputValidationError, ProtocolError, SessionExpiredError, TimeoutError } from '../../src/errors';
import { MCPClient } from '../../src/index';
import { type ReferenceServer, lateFetch, startServer, waitFor } from './wire-fixture';

const mock = setupServer();
let server: ReferenceServer;

beforeAll(async () => {
  server = await startServer();
  mock.listen({ onUnhandledRequest: 'bypass' });
});
afterAll(async () => {
  mock.close();
  await server.close();
});
afterEach(() => {
  mock.resetHandlers();
});

/** Lets every request through except the POST of `method`, which gets `fault`'s answer. */
function faultOn(method: string, fault: (request: Request) => Response | Promise<Response>): void {
  mock.use(
    http.post(server.url, async ({ request }) => {
      const body = (await request.clone().json()) as { method?: string };
      return body.method === method ? fault(request) : passthrough();
    }),
  );
}

async function callsFail(client: MCPClient, text = 'hi'): Promise<unknown> {
  return client.callTool('echo', { text }).then(
    () => {
      throw new Error('expected the call to fail');
    },
    (error: unknown) => error,
  );
}

/** The fields an assertion needs, so a failure never prints a 10 KB payload. */
function summary(error: unknown): { name: unknown; reason: unknown } {
  const { name, reason } = error as { name?: unknown; reason?: unknown };
  return { name, reason };
}

function sse(body: string, init: ResponseInit = {}): Response {
  return new Response(body, { status: 200, ...init, headers: { 'content-type': 'text/event-stream', ...init.headers } });
}

describe('malformed answers become ProtocolError, never a hang', () => {
  let client: MCPClient;
  beforeEach(() => {
    client = new MCPClient({ era: 'legacy', url: server.url, fetch: lateFetch, listen: false, retry: false, timeoutMs: 5_000 });
  });
  afterEach(async () => {
    await client.close();
  });

  test('SSE event data that is not JSON', async () => {
    faultOn('tools/call', () => sse('event: message\ndata: {not json\n\n'));
    const error = await callsFail(client);
    expect(error).toBeInstanceOf(ProtocolError);
    expect(error).toMatchObject({ reason: 'invalid_sse' });
  });

  test('SSE event that is JSON but not JSON-RPC', async () => {
    faultOn('tools/call', () => sse('data: {"hello":"world"}\n\n'));
    expect(summary(await callsFail(client))).toEqual({ name: 'ProtocolError', reason: 'invalid_sse' });
  });

  test('SSE stream that ends before the response', async () => {
    faultOn('tools/call', () => sse('id: 1\ndata: \n\n'));
    expect(summary(await callsFail(client))).toEqual({ name: 'ProtocolError', reason: 'stream_ended' });
  });

  test('wrong content type', async () => {
    faultOn('tools/call', () => new Response('<html>proxy login</html>', { headers: { 'content-type': 'text/html' } }));
    expect(summary(await callsFail(client))).toEqual({ name: 'ProtocolError', reason: 'invalid_content_type' });
  });

  test('truncated JSON', async () => {
    faultOn('tools/call', () => new Response('{"jsonrpc":"2.0","id":2,"res', { headers: { 'content-type': 'application/json' } }));
    expect(summary(await callsFail(client))).toEqual({ name: 'ProtocolError', reason: 'invalid_json' });
  });

  test('JSON that is not JSON-RPC', async () => {
    faultOn('tools/call', () => HttpResponse.json({ ok: true }));
    expect(summary(await callsFail(client))).toEqual({ name: 'ProtocolError', reason: 'invalid_message' });
  });

  test('a JSON body that answers another request id', async () => {
    faultOn('tools/call', () => HttpResponse.json({ jsonrpc: '2.0', id: 999, result: {} }));
    expect(summary(await callsFail(client))).toEqual({ name: 'ProtocolError', reason: 'invalid_message' });
  });
});

describe('well-formed but unusual streams', () => {
  test('an SSE stream that stays open after the response still resolves the call at once', async () => {
    await using client = new MCPClient({ era: 'legacy', url: server.url, fetch: lateFetch, listen: false, retry: false, timeoutMs: 2_000 });
    faultOn('tools/call', async (request) => {
      const { id } = (await request.json()) as { id: number };
      const encoder = new TextEncoder();
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          const result = { jsonrpc: '2.0', id, result: { content: [{ type: 'text', text: 'kept open' }] } };
          controller.enqueue(encoder.encode(`id: 7\ndata: ${JSON.stringify(result)}\n\n`));
        },
      });
      return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
    });
    const started = performance.now();
    // A tool without outputSchema: the hand-made result carries no structuredContent.
    const result = await client.callTool('session_health_check', {});
    expect(result.content).toEqual([{ type: 'text', text: 'kept open' }]);
    expect(performance.now() - started).toBeLessThan(1_000);
    // That the open body is then cancelled is proven in test/unit/client-sse-reader.test.ts (msw does not
    // forward a cancel to the mocked stream).
  });

  test('notifications and server requests before the response are dispatched; ping and handlers answer', async () => {
    const requestHandlers = { 'roots/list': () => ({ roots: [{ uri: 'file:///work', name: 'work' }] }) };
    await using client = new MCPClient({ era: 'legacy', url: server.url, fetch: lateFetch, listen: false, retry: false, requestHandlers });
    const notifications: string[] = [];
    client.on('notification', ({ method }) => notifications.push(method));
    const answers: unknown[] = [];
    mock.use(
      http.post(server.url, async ({ request }) => {
        const body = (await request.clone().json()) as { method?: string; id?: number; result?: unknown; error?: unknown };
        if (body.method === undefined) {
          answers.push(body); // the client's answer to our server->client request
          return new Response(null, { status: 202 });
        }
        if (body.method !== 'tools/call') return passthrough();
        const events = [
          { jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: 'before' } },
          { jsonrpc: '2.0', id: 'srv-1', method: 'ping' },
          { jsonrpc: '2.0', id: 'srv-2', method: 'sampling/createMessage', params: {} },
          { jsonrpc: '2.0', id: 'srv-3', method: 'roots/list' },
          { jsonrpc: '2.0', id: body.id, result: { content: [] } },
        ];
        return sse(events.map((event) => `data: ${JSON.stringify(event)}\n\n`).join(''));
      }),
    );
    await client.callTool('session_health_check', {}); // no outputSchema: the crafted empty result is valid
    await waitFor(() => answers.length === 3);
    expect(notifications).toEqual(['notifications/message']);
    expect(answers).toEqual(
      expect.arrayContaining([
        { jsonrpc: '2.0', id: 'srv-1', result: {} },
        { jsonrpc: '2.0', id: 'srv-2', error: { code: -32601, message: 'Method not found: sampling/createMessage' } },
        { jsonrpc: '2.0', id: 'srv-3', result: { roots: [{ uri: 'file:///work', name: 'work' }] } },
      ]),
    );
  });
});

describe('recovery decisions that need a fault the real server cannot make', () => {
  test('a resume that finds the session gone: re-initialize; a read-only tool is resent, a non-idempotent one fails at once', async () => {
    await using client = new MCPClient({ era: 'legacy', url: server.url, fetch: lateFetch, listen: false, retry: { retries: 3, minDelayMs: 1, maxDelayMs: 5 } });
    await client.listTools();
    const resumes: (string | null)[] = [];
    mock.use(
      http.post(server.url, async ({ request }) => {
        const body = (await request.clone().json()) as { method?: string };
        if (body.method !== 'tools/call') return passthrough();
        // The real answer, cut after its first event (the priming event with the id to resume from).
        const real = await fetch(bypass(request));
        const reader = (real.body as ReadableStream<Uint8Array>).getReader();
        let text = '';
        while (!text.includes('\n\n')) {
          const { done, value } = await reader.read();
          if (done) break;
          text += new TextDecoder().decode(value);
        }
        reader.cancel().catch(() => {});
        return new Response(text.slice(0, text.indexOf('\n\n') + 2), { headers: { 'content-type': 'text/event-stream' } });
      }),
      http.get(server.url, ({ request }) => {
        resumes.push(request.headers.get('last-event-id'));
        // As after a restart without the session: 404 for the session id the resume carried.
        return HttpResponse.json({ jsonrpc: '2.0', id: null, error: { code: -32001, message: 'Session not found' } }, { status: 404 });
      }),
    );
    const before = server.stats().initializeCount;
    const echoError = await client.callTool('echo', { text: 'replayable' }).catch((caught: unknown) => caught);
    // echo is read-only by trusted annotation: resent after each lost answer until the retries run out.
    expect(echoError).toMatchObject({ name: 'RetryExhaustedError', attempts: 4 });
    const started = performance.now();
    const counterError = await client.callTool('counter', { key: 'resume-404' }).catch((caught: unknown) => caught);
    expect(counterError).toBeInstanceOf(MaybeExecutedError);
    expect((counterError as MaybeExecutedError).cause).toBeInstanceOf(SessionExpiredError);
    // One resume after the server's `retry:` hint (1 s), then at once: no wait for a timeout.
    expect(performance.now() - started).toBeLessThan(2_500);
    expect(resumes.length).toBeGreaterThanOrEqual(1);
    expect(resumes.every((id) => typeof id === 'string' && id.length > 0)).toBe(true);
    expect(server.stats().initializeCount).toBeGreaterThanOrEqual(before + 1);
    expect(client.stats().replaysRefused).toBeGreaterThanOrEqual(1);
  }, 20_000);
});

describe('JSON-mode servers', () => {
  test('a response answered as application/json (the real answer, re-encoded) resolves the call', async () => {
    await using client = new MCPClient({ era: 'legacy', url: server.url, fetch: lateFetch, listen: false, retry: false });
    let converted = 0;
    mock.use(
      http.post(server.url, async ({ request }) => {
        const real = await fetch(bypass(request));
        if (!(real.headers.get('content-type') ?? '').startsWith('text/event-stream')) return real;
        const data = (await real.text()).split('\n').filter((line) => line.startsWith('data: ') && line.length > 6);
        converted++;
        const headers = new Headers(real.headers);
        headers.set('content-type', 'application/json');
        headers.delete('content-length');
        return new Response(data.at(-1)?.slice(6) ?? '', { status: real.status, headers });
      }),
    );
    const result = await client.callTool('echo', { text: 'as json' });
    expect(result.structuredContent).toEqual({ text: 'as json' });
    expect(converted).toBe(3); // initialize, the first call's tools/list, tools/call
    expect(client.protocolVersion).toBe('2025-11-25');
  });
});

describe('close() waits for the DELETE only so long', () => {
  test('a DELETE that never gets an answer is abandoned after closeTimeoutMs', async () => {
    const client = new MCPClient({ era: 'legacy', url: server.url, fetch: lateFetch, listen: false, closeTimeoutMs: 150 });
    await client.ping();
    let deletes = 0;
    mock.use(
      http.delete(server.url, () => {
        deletes++;
        return new Promise<Response>(() => {});
      }),
    );
    const started = performance.now();
    await client.close();
    const elapsed = performance.now() - started;
    expect(deletes).toBe(1);
    expect(elapsed).toBeGreaterThanOrEqual(140);
    expect(elapsed).toBeLessThan(1_000);
    expect(client.state).toBe('closed');
  });
});

describe('structured output is checked against the outputSchema', () => {
  test("a real answer whose structuredContent was altered in flight is an OutputValidationError", async () => {
    await using client = new MCPClient({ era: 'legacy', url: server.url, fetch: lateFetch, listen: false, retry: false });
    await client.listTools();
    faultOn('tools/call', async (request) => {
      const real = await fetch(bypass(request));
      const text = await real.text();
      // The real server's SSE answer, with `structuredContent.text` turned into a number.
      const altered = text.replace(/"structuredContent":\{"text":"[^"]*"\}/, '"structuredContent":{"text":42}');
      expect(altered).not.toBe(text);
      return new Response(altered, { status: real.status, headers: real.headers });
    });
    const error = await callsFail(client);
    expect(error).toBeInstanceOf(OutputValidationError);
    expect((error as OutputValidationError).issues[0]).toMatchObject({ path: '/text' });
    expect((error as OutputValidationError).toolName).toBe('echo');
  });
});

describe('oversized bodies are cut at maxResponseBytes', () => {
  test("the real server's SSE answer over the limit", async () => {
    await using client = new MCPClient({ era: 'legacy', url: server.url, fetch: lateFetch, listen: false, retry: false, maxResponseBytes: 4_096 });
    let passedThrough = 0;
    mock.use(
      http.post(server.url, ({ request }) => {
        passedThrough++;
        return fetch(bypass(request));
      }),
    );
    const error = await callsFail(client, 'x'.repeat(10_000));
    expect(summary(error)).toEqual({ name: 'ProtocolError', reason: 'body_too_large' });
    expect(passedThrough).toBeGreaterThanOrEqual(3); // initialize, initialized, tools/call
  });

  test('a never-ending JSON body without content-length', async () => {
    await using client = new MCPClient({ era: 'legacy', url: server.url, fetch: lateFetch, listen: false, retry: false, maxResponseBytes: 64 * 1024 });
    let pulls = 0;
    faultOn('tools/call', () => {
      const chunk = new TextEncoder().encode('x'.repeat(8_192));
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          pulls++;
          controller.enqueue(chunk);
        },
      });
      return new Response(body, { headers: { 'content-type': 'application/json' } });
    });
    expect(summary(await callsFail(client))).toEqual({ name: 'ProtocolError', reason: 'body_too_large' });
    expect(pulls).toBeLessThan(64); // stopped near 64 KiB, not read forever
  });

  test('a declared content-length over the limit is refused before reading', async () => {
    await using client = new MCPClient({ era: 'legacy', url: server.url, fetch: lateFetch, listen: false, retry: false, maxResponseBytes: 1_024 });
    faultOn('tools/call', () =>
      new Response('y'.repeat(2_048), { headers: { 'content-type': 'application/json', 'content-length': '2048' } }),
    );
    expect(summary(await callsFail(client))).toEqual({ name: 'ProtocolError', reason: 'body_too_large' });
  });
});

describe('HTTP failures become typed errors with the body excerpt', () => {
  test.each([
    [401, '{"error":"invalid token"}', HttpError],
    [403, 'forbidden', HttpError],
    [413, 'too large', HttpError],
    [500, 'internal error', HttpError],
    [502, '<html>bad gateway</html>', HttpError],
  ])('HTTP %i', async (status, body, type) => {
    await using client = new MCPClient({ era: 'legacy', url: server.url, fetch: lateFetch, listen: false, retry: false });
    faultOn('tools/call', () => new Response(body, { status }));
    const error = await callsFail(client);
    expect(error).toBeInstanceOf(type);
    expect(error).toMatchObject({ status, body });
  });

  test('404 for a request that carried Mcp-Session-Id is SessionExpiredError', async () => {
    await using client = new MCPClient({ era: 'legacy', url: server.url, fetch: lateFetch, listen: false, retry: false });
    faultOn('tools/call', () => HttpResponse.json({ jsonrpc: '2.0', id: null, error: { code: -32001, message: 'Session not found' } }, { status: 404 }));
    const error = await callsFail(client);
    expect(error).toBeInstanceOf(SessionExpiredError);
    expect(error).toMatchObject({ status: 404, mcpSessionId: client.mcpSessionId });
  });

  test('400 "Server not initialized" is SessionExpiredError', async () => {
    await using client = new MCPClient({ era: 'legacy', url: server.url, fetch: lateFetch, listen: false, retry: false });
    faultOn('tools/call', () =>
      HttpResponse.json({ jsonrpc: '2.0', id: null, error: { code: -32000, message: 'Bad Request: Server not initialized' } }, { status: 400 }),
    );
    expect(await callsFail(client)).toBeInstanceOf(SessionExpiredError);
  });

  test('a network error is a ConnectionError that may have been sent', async () => {
    await using client = new MCPClient({ era: 'legacy', url: server.url, fetch: lateFetch, listen: false, retry: false });
    faultOn('tools/call', () => HttpResponse.error());
    const error = await callsFail(client);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({ requestSent: true });
  });

  test('a server that never answers hits the attempt timeout', async () => {
    await using client = new MCPClient({ era: 'legacy', url: server.url, fetch: lateFetch, listen: false, retry: false, timeoutMs: 200 });
    faultOn('tools/call', () => new Promise<Response>(() => {}));
    const error = await callsFail(client);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ kind: 'attempt', timeoutMs: 200 });
  });
});
