/**
 * Issue 5 end to end: MCPClient against the real reference server, traced with an explicit tracer.
 * The reference server does not expose request params, so what the server received is observed at the
 * wire, through the `fetch` seam, which forwards every request unchanged to the real server. Both eras: the trace
 * context rides `_meta` beside the 2026-07-28 envelope, and only a 2025 session has an `mcp.session.id`.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type ReferenceServer, startReferenceServer } from '../../server/index';
import { MCPClient, ToolCallError } from '../../src/index';
import type { OpenTelemetrySpan, OpenTelemetryTracer } from '../../src/telemetry/index';

interface RecordedSpan {
  readonly name: string;
  readonly kind: number | undefined;
  readonly traceId: string;
  readonly spanId: string;
  readonly attributes: Record<string, unknown>;
  status: { code: number; message?: string } | undefined;
  ended: number;
}

/** The smallest tracer the `tracer` option accepts: records every span it starts. */
function recordingTracer(): OpenTelemetryTracer & { spans: RecordedSpan[] } {
  const spans: RecordedSpan[] = [];
  let next = 0;
  const hex = (width: number): string => (++next).toString(16).padStart(width, 'a');
  return {
    spans,
    startSpan(name, options): OpenTelemetrySpan {
      const span: RecordedSpan = {
        name,
        kind: options?.kind,
        traceId: hex(32),
        spanId: hex(16),
        attributes: { ...options?.attributes },
        status: undefined,
        ended: 0,
      };
      spans.push(span);
      return {
        spanContext: () => ({ traceId: span.traceId, spanId: span.spanId, traceFlags: 1 }),
        setAttribute: (key, value) => (span.attributes[key] = value),
        addEvent: () => undefined,
        setStatus: (status) => (span.status = status),
        end: () => void span.ended++,
      };
    },
  };
}

interface SentRequest {
  readonly method: string;
  readonly params: { _meta?: Record<string, unknown> } & Record<string, unknown>;
}

/** A fetch that records the JSON-RPC requests it forwards to the real server. */
function recordingFetch(): { fetch: typeof globalThis.fetch; sent: SentRequest[] } {
  const sent: SentRequest[] = [];
  const fetch: typeof globalThis.fetch = (input, init) => {
    if (typeof init?.body === 'string') {
      const message = JSON.parse(init.body) as { method?: string; params?: SentRequest['params'] };
      if (typeof message.method === 'string') sent.push({ method: message.method, params: message.params ?? {} });
    }
    return globalThis.fetch(input, init);
  };
  return { fetch, sent };
}

let server: ReferenceServer;

beforeAll(async () => {
  server = await startReferenceServer({ port: 0 });
});
afterAll(async () => {
  await server.close();
});

const FAST_RETRY = { retries: 3, minDelayMs: 1, maxDelayMs: 10, maxRetryAfterMs: 10 } as const;

/** What the protocol puts in `_meta` by itself: nothing in the 2025 era, the envelope in 2026-07-28. */
function envelopeKeys(era: 'legacy' | 'modern'): string[] {
  return era === 'legacy'
    ? []
    : ['io.modelcontextprotocol/clientCapabilities', 'io.modelcontextprotocol/clientInfo', 'io.modelcontextprotocol/protocolVersion'];
}

describe.each(['legacy', 'modern'] as const)('%s era', (era) => {
  describe('a traced client', () => {
    test('sends the span’s traceparent in _meta and records the call as one CLIENT span', async () => {
      const tracer = recordingTracer();
      const wire = recordingFetch();
      await using client = new MCPClient({ era, url: server.url, listen: false, tracer, fetch: wire.fetch });
      await client.callTool('echo', { text: 'traced' });

      // The first call lists the tools once (its own span), then calls the tool.
      expect(tracer.spans.map((recorded) => recorded.name)).toEqual(['tools/list', 'tools/call echo']);
      const span = tracer.spans[1];
      expect(span).toMatchObject({ name: 'tools/call echo', kind: 2, ended: 1, status: undefined });
      expect(span?.attributes).toMatchObject({
        'mcp.method.name': 'tools/call',
        'gen_ai.tool.name': 'echo',
        'archon.attempt': 1,
        'mcp.protocol.version': client.protocolVersion,
        'server.address': '127.0.0.1',
        'server.port': server.port,
      });
      // A 2025 session is named on the span; the 2026-07-28 era has none.
      if (era === 'legacy') expect(span?.attributes['mcp.session.id']).toEqual(client.mcpSessionId);
      else expect(span?.attributes).not.toHaveProperty('mcp.session.id');
      const call = wire.sent.find((request) => request.method === 'tools/call');
      const { _meta: meta, ...params } = call?.params ?? {};
      expect(params).toEqual({ name: 'echo', arguments: { text: 'traced' } });
      expect(meta?.['traceparent']).toBe(`00-${span?.traceId}-${span?.spanId}-01`);
      expect(Object.keys(meta ?? {}).sort()).toEqual([...envelopeKeys(era), 'traceparent'].sort());
      // The handshake is not a traced call: only calls through the request path carry trace context.
      const handshake = wire.sent.find((request) => request.method === (era === 'legacy' ? 'initialize' : 'server/discover'));
      expect(handshake).toBeDefined();
      expect(handshake?.params._meta?.['traceparent']).toBeUndefined();
    });

    test('a call resent after a 503 is one span with two attempts and the same traceparent on both', async () => {
      const tracer = recordingTracer();
      const wire = recordingFetch();
      await using client = new MCPClient({ era, url: server.url, listen: false, tracer, fetch: wire.fetch, retry: FAST_RETRY });
      await client.ping();
      server.faults.failNext({ status: 503, retryAfter: 0, match: { rpcMethod: 'tools/call' } });
      await client.callTool('echo', { text: 'again' });

      const calls = tracer.spans.filter((span) => span.name === 'tools/call echo');
      expect(calls).toHaveLength(1);
      expect(calls[0]?.attributes['archon.attempt']).toBe(2);
      const traceparents = wire.sent
        .filter((request) => request.method === 'tools/call')
        .map((request) => request.params._meta?.traceparent);
      expect(traceparents).toEqual([`00-${calls[0]?.traceId}-${calls[0]?.spanId}-01`, `00-${calls[0]?.traceId}-${calls[0]?.spanId}-01`]);
    });

    test('a tool that reports isError ends its span as tool_error', async () => {
      const tracer = recordingTracer();
      await using client = new MCPClient({ era, url: server.url, listen: false, tracer });
      await expect(client.callTool('fail', {})).rejects.toBeInstanceOf(ToolCallError);
      expect(tracer.spans.find((recorded) => recorded.name !== 'tools/list')).toMatchObject({
        name: 'tools/call fail',
        status: { code: 2 },
        attributes: { 'error.type': 'tool_error' },
      });
    });

    test('a JSON-RPC error ends its span with the error code as error.type', async () => {
      const tracer = recordingTracer();
      await using client = new MCPClient({ era, url: server.url, listen: false, tracer });
      const error: unknown = await client.getPrompt('no_such_prompt').catch((caught: unknown) => caught);
      expect(error).toMatchObject({ code: 'RPC_ERROR' });
      const rpcCode = String((error as { rpcCode: number }).rpcCode);
      expect(tracer.spans[0]).toMatchObject({
        name: 'prompts/get no_such_prompt',
        status: { code: 2 },
        attributes: { 'error.type': rpcCode, 'rpc.response.status_code': rpcCode, 'archon.error.code': 'RPC_ERROR' },
      });
    });
  });

  describe('an untraced client', () => {
    test('tracing: false sends no trace context in _meta and never calls the tracer', async () => {
      const tracer = recordingTracer();
      const wire = recordingFetch();
      await using client = new MCPClient({ era, url: server.url, listen: false, tracing: false, tracer, fetch: wire.fetch });
      await client.callTool('echo', { text: 'plain' });
      expect(tracer.spans).toHaveLength(0);
      const { _meta: meta, ...params } = wire.sent.find((request) => request.method === 'tools/call')?.params ?? {};
      expect(params).toEqual({ name: 'echo', arguments: { text: 'plain' } });
      expect(Object.keys(meta ?? {})).toEqual(envelopeKeys(era).length === 0 ? [] : expect.arrayContaining(envelopeKeys(era)));
      expect(meta?.['traceparent']).toBeUndefined();
    });

    test("tracing: 'auto' with no provider registered sends no trace context in _meta", async () => {
      const wire = recordingFetch();
      await using client = new MCPClient({ era, url: server.url, listen: false, fetch: wire.fetch });
      await client.callTool('echo', { text: 'plain' });
      const meta = wire.sent.find((request) => request.method === 'tools/call')?.params._meta;
      expect(Object.keys(meta ?? {}).sort()).toEqual(envelopeKeys(era));
    });
  });
});
