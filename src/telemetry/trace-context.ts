/**
 * W3C Trace Context for MCP requests, written without a propagator package: the span context already holds
 * every field of `traceparent` (https://www.w3.org/TR/trace-context/#traceparent-header).
 *
 * Where it goes: `params._meta.traceparent` (and `tracestate`), unprefixed. MCP reserves `_meta` for such
 * metadata (spec 2025-11-25, basic/index "_meta"), and SEP-414 makes `traceparent`, `tracestate` and
 * `baggage` the one exception to its DNS-prefix rule; the OTel MCP semantic conventions inject them there
 * too (semantic-conventions-genai docs/gen-ai/mcp.md, "Context propagation"). An HTTP `traceparent` header
 * would only cover one HTTP exchange, and a call may span several (retries, resumes).
 */
import type { SpanContext } from '@opentelemetry/api';

const TRACE_ID = /^[0-9a-f]{32}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;
const ALL_ZEROS = /^0+$/;

/**
 * Formats `00-<traceId>-<spanId>-<flags>`, or `undefined` for an invalid context (the API's no-op spans
 * carry all-zero ids, which the W3C spec forbids sending).
 *
 * @example
 * ```ts
 * formatTraceparent({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 1 });
 * // '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'
 * ```
 */
export function formatTraceparent(context: Pick<SpanContext, 'traceId' | 'spanId' | 'traceFlags'>): string | undefined {
  const { traceId, spanId, traceFlags } = context;
  if (!TRACE_ID.test(traceId) || ALL_ZEROS.test(traceId) || !SPAN_ID.test(spanId) || ALL_ZEROS.test(spanId)) return undefined;
  // Version 00 defines one flag (sampled); higher bits are passed on as they came, two hex digits.
  return `00-${traceId}-${spanId}-${(traceFlags & 0xff).toString(16).padStart(2, '0')}`;
}

/**
 * The trace context a traced call sends; both `undefined` when the call is not traced.
 *
 * @example
 * ```ts
 * const carrier: TraceContextCarrier = { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', tracestate: undefined };
 * ```
 */
export interface TraceContextCarrier {
  /** W3C `traceparent` of the call's span. */
  readonly traceparent: string | undefined;
  /** W3C `tracestate` of the call's span, when it has one. */
  readonly tracestate: string | undefined;
}

/**
 * Returns `params` with `_meta.traceparent` (and `_meta.tracestate`) added, without mutating the caller's
 * objects; returns `params` itself when there is nothing to add, so an untraced call allocates nothing.
 * Keys the caller already put in `_meta` win: a caller who sets `traceparent` by hand propagates a
 * context this client cannot see, and overwriting it would cut their trace.
 *
 * @example
 * ```ts
 * const sent = withTraceContext({ name: 'echo', arguments: { text: 'hi' } }, span);
 * // { name: 'echo', arguments: { text: 'hi' }, _meta: { traceparent: '00-…-01' } }
 * ```
 */
export function withTraceContext(
  params: Record<string, unknown> | undefined,
  carrier: TraceContextCarrier,
): Record<string, unknown> | undefined {
  const { traceparent, tracestate } = carrier;
  if (traceparent === undefined) return params;
  const existing = params?._meta;
  const meta: Record<string, unknown> = typeof existing === 'object' && existing !== null && !Array.isArray(existing) ? { ...existing } : {};
  meta.traceparent ??= traceparent;
  if (tracestate !== undefined && meta.traceparent === traceparent) meta.tracestate ??= tracestate;
  return { ...params, _meta: meta };
}
