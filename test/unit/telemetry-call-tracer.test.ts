import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import {
  type Attributes,
  type Context,
  type ContextManager,
  ROOT_CONTEXT,
  type Span,
  type SpanContext,
  SpanKind,
  type SpanOptions,
  type SpanStatus,
  SpanStatusCode,
  type Tracer,
  type TracerProvider,
  context as otelContext,
  trace,
} from '@opentelemetry/api';
import { afterEach, describe, expect, expectTypeOf, test, vi } from 'vitest';
import { RetryExhaustedError, RpcError, TimeoutError } from '../../src/errors';
import {
  type CallTracerOptions,
  callOutcome,
  createCallTracer,
  NOOP_CALL_SPAN,
  NOOP_CALL_TRACER,
  type OpenTelemetryApi,
  type OpenTelemetryTracer,
} from '../../src/telemetry/index';

// The OTel SDK is not a dependency: this is the smallest provider that records what the API hands it.
interface RecordedSpan {
  readonly name: string;
  readonly kind: SpanKind | undefined;
  readonly context: SpanContext;
  readonly parentSpanId: string | undefined;
  readonly attributes: Attributes;
  readonly events: { name: string; attributes: Attributes | undefined }[];
  status: SpanStatus;
  endCount: number;
}

class RecordingSpan implements Span {
  constructor(readonly record: RecordedSpan) {}
  spanContext(): SpanContext {
    return this.record.context;
  }
  setAttribute(key: string, value: Attributes[string]): this {
    this.record.attributes[key] = value;
    return this;
  }
  setAttributes(attributes: Attributes): this {
    Object.assign(this.record.attributes, attributes);
    return this;
  }
  addEvent(name: string, attributes?: unknown): this {
    this.record.events.push({ name, attributes: attributes as Attributes | undefined });
    return this;
  }
  addLink(): this {
    return this;
  }
  addLinks(): this {
    return this;
  }
  setStatus(status: SpanStatus): this {
    this.record.status = status;
    return this;
  }
  updateName(): this {
    return this;
  }
  end(): void {
    this.record.endCount++;
  }
  isRecording(): boolean {
    return this.record.endCount === 0;
  }
  recordException(): void {}
}

class InMemoryTracerProvider implements TracerProvider {
  readonly spans: RecordedSpan[] = [];
  readonly scopes: { name: string; version: string | undefined }[] = [];
  getTracer(name: string, version?: string): Tracer {
    this.scopes.push({ name, version });
    const startSpan = (spanName: string, options: SpanOptions = {}, parentContext?: Context): Span => {
      const parent = trace.getSpanContext(parentContext ?? otelContext.active());
      const record: RecordedSpan = {
        name: spanName,
        kind: options.kind,
        context: { traceId: parent?.traceId ?? randomBytes(16).toString('hex'), spanId: randomBytes(8).toString('hex'), traceFlags: 1 },
        parentSpanId: parent?.spanId,
        attributes: { ...options.attributes },
        events: [],
        status: { code: SpanStatusCode.UNSET },
        endCount: 0,
      };
      this.spans.push(record);
      return new RecordingSpan(record);
    };
    return {
      startSpan,
      startActiveSpan: () => {
        throw new Error('not used by the client');
      },
    };
  }
}

/** Enough of a context manager for `context.with` to make a parent span active. */
class AsyncLocalContextManager implements ContextManager {
  readonly #storage = new AsyncLocalStorage<Context>();
  active(): Context {
    return this.#storage.getStore() ?? ROOT_CONTEXT;
  }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(context: Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F> {
    return this.#storage.run(context, () => fn.call(thisArg, ...args));
  }
  bind<T>(_context: Context, target: T): T {
    return target;
  }
  enable(): this {
    return this;
  }
  disable(): this {
    this.#storage.disable();
    return this;
  }
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const url = new URL('http://127.0.0.1:8051/mcp');

function explicitTracer(provider = new InMemoryTracerProvider()) {
  const callTracer = createCallTracer({
    tracer: provider.getTracer('test'),
    serverUrl: url,
    mcpSessionId: () => 'mcp-session-1',
    protocolVersion: () => '2025-11-25',
  });
  return { provider, callTracer };
}

afterEach(() => {
  trace.disable();
  otelContext.disable();
});

describe('a traced call', () => {
  test('produces one CLIENT span named after the method and the tool, with the MCP attributes', () => {
    const { provider, callTracer } = explicitTracer();
    const span = callTracer.start('tools/call', { name: 'echo', arguments: { text: 'hi' } });
    span.attempt(1);
    span.sent(7);
    span.end(callOutcome('tools/call', { content: [] }));

    expect(provider.spans).toHaveLength(1);
    const [recorded] = provider.spans;
    expect(recorded).toMatchObject({ name: 'tools/call echo', kind: SpanKind.CLIENT, endCount: 1, status: { code: SpanStatusCode.UNSET } });
    expect(recorded?.attributes).toEqual({
      'mcp.method.name': 'tools/call',
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'echo',
      'network.transport': 'tcp',
      'network.protocol.name': 'http',
      'server.address': '127.0.0.1',
      'server.port': 8051,
      'archon.attempt': 1,
      'jsonrpc.request.id': '7',
      'mcp.session.id': 'mcp-session-1',
      'mcp.protocol.version': '2025-11-25',
    });
  });

  test('carries a W3C traceparent whose ids are those of its span', () => {
    const { provider, callTracer } = explicitTracer();
    const span = callTracer.start('tools/list', {});
    const match = TRACEPARENT.exec(span.traceparent ?? '');
    expect(match).not.toBeNull();
    expect(match?.slice(1)).toEqual([provider.spans[0]?.context.traceId, provider.spans[0]?.context.spanId, '01']);
    expect(span.tracestate).toBeUndefined();
  });

  test('carries the tracestate of its span context', () => {
    const spanContext = { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: 0, traceState: { serialize: () => 'rojo=00f067aa0ba902b7' } };
    const span = { spanContext: () => spanContext, setAttribute() {}, addEvent() {}, setStatus() {}, end() {} };
    const callTracer = createCallTracer({ tracer: { startSpan: () => span } });
    const started = callTracer.start('ping');
    expect(started).toMatchObject({ traceparent: `00-${'a'.repeat(32)}-${'b'.repeat(16)}-00`, tracestate: 'rojo=00f067aa0ba902b7' });
  });

  test('records an IPv6 server address without brackets, and the scheme’s default port', () => {
    const provider = new InMemoryTracerProvider();
    createCallTracer({ tracer: provider.getTracer('test'), serverUrl: new URL('https://[::1]/mcp') }).start('ping').end('ok');
    expect(provider.spans[0]?.attributes).toMatchObject({ 'server.address': '::1', 'server.port': 443 });
  });

  test('counts attempts and records a retry event for each resend', () => {
    const { provider, callTracer } = explicitTracer();
    const span = callTracer.start('tools/list', {});
    for (const attempt of [1, 2, 3]) span.attempt(attempt);
    span.end('ok');
    expect(provider.spans[0]?.attributes['archon.attempt']).toBe(3);
    expect(provider.spans[0]?.events).toEqual([
      { name: 'retry', attributes: { 'archon.attempt': 2 } },
      { name: 'retry', attributes: { 'archon.attempt': 3 } },
    ]);
  });

  test('names prompt calls after the prompt and keeps resource URIs out of span names', () => {
    const { provider, callTracer } = explicitTracer();
    callTracer.start('prompts/get', { name: 'review' }).end('ok');
    callTracer.start('resources/read', { uri: 'file:///notes/1.md' }).end('ok');
    expect(provider.spans.map((span) => span.name)).toEqual(['prompts/get review', 'resources/read']);
    expect(provider.spans[0]?.attributes['gen_ai.prompt.name']).toBe('review');
    expect(provider.spans[1]?.attributes['mcp.resource.uri']).toBe('file:///notes/1.md');
  });

  test('ends its span once however often end is called', () => {
    const { provider, callTracer } = explicitTracer();
    const span = callTracer.start('ping');
    span.end('error', new TimeoutError('late', { timeoutMs: 5, kind: 'total' }));
    span.end('ok');
    expect(provider.spans[0]?.endCount).toBe(1);
    expect(provider.spans[0]?.attributes['error.type']).toBe('TIMEOUT');
  });
});

describe('a failed call', () => {
  const exhausted = new RetryExhaustedError('gave up', { attempts: 3, elapsedMs: 900, cause: new Error('refused') });
  test.each([
    { error: new RpcError('Invalid params', { rpcCode: -32602 }), errorType: '-32602', archonCode: 'RPC_ERROR', message: 'Invalid params' },
    { error: new TimeoutError('timed out after 5 ms', { timeoutMs: 5, kind: 'attempt' }), errorType: 'TIMEOUT', archonCode: 'TIMEOUT', message: 'timed out after 5 ms' },
    { error: exhausted, errorType: 'RETRY_EXHAUSTED', archonCode: 'RETRY_EXHAUSTED', message: 'gave up' },
    { error: new TypeError('bug'), errorType: 'TypeError', archonCode: undefined, message: 'bug' },
    { error: 'a string', errorType: '_OTHER', archonCode: undefined, message: undefined },
  ])('records $errorType as error.type with status ERROR', ({ error, errorType, archonCode, message }) => {
    const { provider, callTracer } = explicitTracer();
    callTracer.start('tools/call', { name: 'echo' }).end('error', error);
    const recorded = provider.spans[0];
    expect(recorded?.attributes['error.type']).toBe(errorType);
    expect(recorded?.attributes['archon.error.code']).toBe(archonCode);
    expect(recorded?.status).toEqual(message === undefined ? { code: SpanStatusCode.ERROR } : { code: SpanStatusCode.ERROR, message });
  });

  test('records the JSON-RPC code as rpc.response.status_code', () => {
    const { provider, callTracer } = explicitTracer();
    callTracer.start('tools/call', { name: 'nope' }).end('error', new RpcError('Unknown tool', { rpcCode: -32601 }));
    expect(provider.spans[0]?.attributes['rpc.response.status_code']).toBe('-32601');
  });

  test('records a tool result with isError as tool_error', () => {
    const { provider, callTracer } = explicitTracer();
    callTracer.start('tools/call', { name: 'fail' }).end(callOutcome('tools/call', { content: [], isError: true }));
    expect(provider.spans[0]?.attributes['error.type']).toBe('tool_error');
    expect(provider.spans[0]?.status).toEqual({ code: SpanStatusCode.ERROR });
  });
});

describe("tracing: 'auto'", () => {
  test('traces through the global provider once the API has loaded', async () => {
    const provider = new InMemoryTracerProvider();
    trace.setGlobalTracerProvider(provider);
    const callTracer = createCallTracer({ tracing: 'auto' });
    expect(callTracer.pending).toBeInstanceOf(Promise);
    await callTracer.pending;
    expect(callTracer.pending).toBeUndefined();
    const span = callTracer.start('ping');
    span.end('ok');
    expect(provider.spans.map((recorded) => recorded.name)).toEqual(['ping']);
    expect(provider.scopes).toEqual([{ name: 'archon-mcp-client', version: expect.stringMatching(/^\d+\.\d+\.\d+/) }]);
    expect(span.traceparent).toContain(provider.spans[0]?.context.spanId);
  });

  test('joins the trace of the active span', async () => {
    const provider = new InMemoryTracerProvider();
    trace.setGlobalTracerProvider(provider);
    otelContext.setGlobalContextManager(new AsyncLocalContextManager());
    const callTracer = createCallTracer({ tracing: 'auto' });
    await callTracer.pending;
    const parent = provider.getTracer('app').startSpan('handle request');
    const span = otelContext.with(trace.setSpan(otelContext.active(), parent), () => callTracer.start('tools/list', {}));
    expect(provider.spans[1]?.parentSpanId).toBe(parent.spanContext().spanId);
    expect(span.traceparent?.split('-')[1]).toBe(parent.spanContext().traceId);
  });

  test('sends no traceparent while no provider is registered', async () => {
    const callTracer = createCallTracer({ tracing: 'auto' });
    await callTracer.pending;
    const span = callTracer.start('tools/call', { name: 'echo' });
    expect(span.traceparent).toBeUndefined();
    span.end('ok');
  });

  test('hands out the no-op span while the API is still loading', () => {
    const provider = new InMemoryTracerProvider();
    trace.setGlobalTracerProvider(provider);
    const callTracer = createCallTracer({ tracing: 'auto', loadApi: () => new Promise<OpenTelemetryApi>(() => {}) });
    expect(callTracer.start('ping')).toBe(NOOP_CALL_SPAN);
    expect(callTracer.enabled).toBe(false);
    expect(provider.spans).toHaveLength(0);
  });

  test('without the API installed: no spans, the shared no-op span, nothing reported', async () => {
    const onUnavailable = vi.fn();
    const callTracer = createCallTracer({ tracing: 'auto', onUnavailable, loadApi: () => Promise.reject(new Error("Cannot find package '@opentelemetry/api'")) });
    await callTracer.pending;
    expect(callTracer.pending).toBeUndefined();
    expect(callTracer.enabled).toBe(false);
    expect(callTracer.start('tools/call', { name: 'echo' })).toBe(NOOP_CALL_SPAN);
    expect(onUnavailable).not.toHaveBeenCalled();
  });
});

describe('tracing: true and false', () => {
  test('true reports a missing API once and stays a no-op', async () => {
    const missing = new Error("Cannot find package '@opentelemetry/api'");
    const onUnavailable = vi.fn();
    const callTracer = createCallTracer({ tracing: true, onUnavailable, loadApi: () => Promise.reject(missing) });
    await callTracer.pending;
    expect(onUnavailable.mock.calls).toEqual([[missing]]);
    expect(callTracer.start('ping').traceparent).toBeUndefined();
  });

  test('false loads nothing and ignores a given tracer', () => {
    const provider = new InMemoryTracerProvider();
    const loadApi = vi.fn(() => Promise.resolve({ trace }));
    const callTracer = createCallTracer({ tracing: false, tracer: provider.getTracer('test'), loadApi });
    expect(callTracer).toBe(NOOP_CALL_TRACER);
    expect(callTracer.start('ping')).toBe(NOOP_CALL_SPAN);
    expect(loadApi).not.toHaveBeenCalled();
    expect(provider.spans).toHaveLength(0);
  });

  test('an explicit tracer needs no loading and traces the first call', () => {
    const loadApi = vi.fn(() => Promise.resolve({ trace }));
    const provider = new InMemoryTracerProvider();
    const callTracer = createCallTracer({ tracer: provider.getTracer('test'), loadApi });
    expect(callTracer.pending).toBeUndefined();
    callTracer.start('ping').end('ok');
    expect(loadApi).not.toHaveBeenCalled();
    expect(provider.spans).toHaveLength(1);
  });
});

describe('options', () => {
  test('accept a Tracer from @opentelemetry/api without naming its types in ours', () => {
    // Checked by tsc: if the structural slice drifts from the API, this line stops compiling.
    expectTypeOf<Tracer>().toExtend<OpenTelemetryTracer>();
    expect(createCallTracer({ tracer: trace.getTracer('app') }).enabled).toBe(true);
  });

  test.each([
    [{ tracing: 'yes' }, "Expected `tracing` to be a boolean or 'auto', got \"yes\""],
    [{ tracer: {} }, 'Expected `tracer` to be an OpenTelemetry Tracer, got an object'],
    [{ tracer: null }, 'Expected `tracer` to be an OpenTelemetry Tracer, got null'],
  ])('rejects %o', (options, message) => {
    expect(() => createCallTracer(options as unknown as CallTracerOptions)).toThrow(new TypeError(message));
  });
});
