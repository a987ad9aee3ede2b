/**
 * The span of one MCP call (all its attempts, waits, resumes and the re-initialize between them), named
 * and attributed after the OpenTelemetry MCP semantic conventions (semantic-conventions-genai
 * docs/gen-ai/mcp.md, status Development; https://opentelemetry.io/docs/specs/semconv/gen-ai/mcp/).
 */
import type { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { isMcpClientError, type RpcError } from '../errors/tree';
import type { TraceContextCarrier } from './trace-context';
import type { OpenTelemetrySpan, OpenTelemetryTracer } from './otel-types';
import { formatTraceparent } from './trace-context';

// The API's enums are runtime values; literals keep this module free of a runtime import of the optional
// package (values fixed by the OTel API 1.x, checked against its enum types by this type-only import).
const KIND_CLIENT: SpanKind.CLIENT = 2;
const STATUS_ERROR: SpanStatusCode.ERROR = 2;

/**
 * How a call ended. `tool_error`: the JSON-RPC call succeeded but the tool answered `isError: true`
 * (the conventions record that as `error.type = 'tool_error'` with status ERROR).
 *
 * @example
 * ```ts
 * span.end('error', new TimeoutError('…', { timeoutMs: 5_000, kind: 'total' }));
 * ```
 */
export type CallOutcome = 'ok' | 'error' | 'tool_error';

/**
 * The tracing handle of one call. The no-op span is one shared frozen object.
 *
 * @example
 * ```ts
 * const span = tracer.start('tools/call', { name: 'echo', arguments: {} });
 * span.attempt(1);
 * span.sent(7);
 * span.end('ok');
 * ```
 */
export interface CallSpan extends TraceContextCarrier {
  /** Attempt `attemptNumber` (1 = the first) starts: recorded as `archon.attempt`, and a `retry` event from the second on. */
  attempt(attemptNumber: number): void;
  /** The request went out with JSON-RPC id `requestId` on the current protocol session. */
  sent(requestId: number | string): void;
  /** Ends the span once; later calls are ignored. */
  end(outcome: CallOutcome, error?: unknown): void;
}

/**
 * A span that records nothing and sends no trace context.
 *
 * @example
 * ```ts
 * NOOP_CALL_SPAN.end('ok'); // does nothing
 * ```
 */
export const NOOP_CALL_SPAN: CallSpan = Object.freeze({
  traceparent: undefined,
  tracestate: undefined,
  attempt() {},
  sent() {},
  end() {},
});

/**
 * What the client tells spans about itself; the functions are read only by recording spans.
 *
 * @example
 * ```ts
 * const source: CallSpanSource = { serverUrl: new URL('http://localhost:8051/mcp'), mcpSessionId: () => core.mcpSessionId, protocolVersion: undefined };
 * ```
 */
export interface CallSpanSource {
  /** `server.address` / `server.port`. */
  readonly serverUrl: URL | undefined;
  readonly mcpSessionId: (() => string | undefined) | undefined;
  readonly protocolVersion: (() => string | undefined) | undefined;
}

function stringParam(params: Record<string, unknown> | undefined, key: string): string | undefined {
  const value = params?.[key];
  return typeof value === 'string' ? value : undefined;
}

function defaultPort(url: URL): number {
  if (url.port !== '') return Number(url.port);
  return url.protocol === 'https:' ? 443 : 80;
}

/** Low-cardinality class of a failure: the JSON-RPC code as the conventions ask, else our stable `code`. */
function errorTypeOf(error: unknown): string {
  if (isMcpClientError(error)) return error.code === 'RPC_ERROR' ? String((error as RpcError).rpcCode) : error.code;
  // `_OTHER` is the conventions' fallback value of `error.type`.
  return error instanceof Error && error.name !== 'Error' ? error.name : '_OTHER';
}

class RecordingCallSpan implements CallSpan {
  readonly traceparent: string | undefined;
  readonly tracestate: string | undefined;
  readonly #span: OpenTelemetrySpan;
  readonly #source: CallSpanSource;
  #ended = false;

  constructor(span: OpenTelemetrySpan, source: CallSpanSource) {
    this.#span = span;
    this.#source = source;
    const context = span.spanContext();
    this.traceparent = formatTraceparent(context);
    const state = this.traceparent === undefined ? undefined : context.traceState?.serialize();
    this.tracestate = state === '' ? undefined : state;
  }

  attempt(attemptNumber: number): void {
    if (this.#ended) return;
    this.#span.setAttribute('archon.attempt', attemptNumber);
    if (attemptNumber > 1) this.#span.addEvent('retry', { 'archon.attempt': attemptNumber });
  }

  sent(requestId: number | string): void {
    if (this.#ended) return;
    this.#span.setAttribute('jsonrpc.request.id', String(requestId));
    const mcpSessionId = this.#source.mcpSessionId?.();
    if (mcpSessionId !== undefined) this.#span.setAttribute('mcp.session.id', mcpSessionId);
    const protocolVersion = this.#source.protocolVersion?.();
    if (protocolVersion !== undefined) this.#span.setAttribute('mcp.protocol.version', protocolVersion);
  }

  end(outcome: CallOutcome, error?: unknown): void {
    if (this.#ended) return;
    this.#ended = true;
    const span = this.#span;
    if (outcome === 'tool_error') {
      span.setAttribute('error.type', 'tool_error');
      span.setStatus({ code: STATUS_ERROR });
    } else if (outcome === 'error') {
      span.setAttribute('error.type', errorTypeOf(error));
      if (isMcpClientError(error)) {
        span.setAttribute('archon.error.code', error.code);
        if (error.code === 'RPC_ERROR') span.setAttribute('rpc.response.status_code', String((error as RpcError).rpcCode));
      }
      // The conventions ask for the JSON-RPC error message as the status description.
      span.setStatus(error instanceof Error ? { code: STATUS_ERROR, message: error.message } : { code: STATUS_ERROR });
    }
    // Success leaves the status UNSET: instrumentation libraries do not set OK (OTel trace API, "Set Status").
    span.end();
  }
}

/**
 * Starts the CLIENT span of one call on `tracer`: name `{mcp.method.name} {target}` (target = the tool or
 * prompt name, low-cardinality), attributes known up front passed at start so samplers see them.
 *
 * @example
 * ```ts
 * const span = startCallSpan(tracer, 'tools/call', { name: 'echo' }, { serverUrl: undefined, mcpSessionId: undefined, protocolVersion: undefined });
 * ```
 */
export function startCallSpan(
  tracer: OpenTelemetryTracer,
  method: string,
  params: Record<string, unknown> | undefined,
  source: CallSpanSource,
): CallSpan {
  const attributes: Record<string, string | number> = { 'mcp.method.name': method, 'network.transport': 'tcp', 'network.protocol.name': 'http' };
  let target: string | undefined;
  if (method === 'tools/call') {
    target = stringParam(params, 'name');
    attributes['gen_ai.operation.name'] = 'execute_tool';
    if (target !== undefined) attributes['gen_ai.tool.name'] = target;
  } else if (method === 'prompts/get') {
    target = stringParam(params, 'name');
    if (target !== undefined) attributes['gen_ai.prompt.name'] = target;
  } else if (method === 'resources/read' || method === 'resources/subscribe' || method === 'resources/unsubscribe') {
    // Recorded, never in the span name: URIs are high-cardinality (the conventions' default).
    const uri = stringParam(params, 'uri');
    if (uri !== undefined) attributes['mcp.resource.uri'] = uri;
  }
  const { serverUrl } = source;
  if (serverUrl !== undefined) {
    // URL keeps IPv6 literals bracketed ('[::1]'); the attribute holds the bare address.
    attributes['server.address'] = serverUrl.hostname.replace(/^\[(.*)\]$/, '$1');
    attributes['server.port'] = defaultPort(serverUrl);
  }
  const name = target === undefined ? method : `${method} ${target}`;
  return new RecordingCallSpan(tracer.startSpan(name, { kind: KIND_CLIENT, attributes }), source);
}

/**
 * The outcome of a call that returned: `tool_error` for a `tools/call` result with `isError: true`.
 *
 * @example
 * ```ts
 * span.end(callOutcome('tools/call', { content: [], isError: true })); // 'tool_error'
 * ```
 */
export function callOutcome(method: string, result: Record<string, unknown>): CallOutcome {
  return method === 'tools/call' && result.isError === true ? 'tool_error' : 'ok';
}
