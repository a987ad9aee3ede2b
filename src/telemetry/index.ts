/**
 * Optional OpenTelemetry tracing of MCP calls (issue 5). `@opentelemetry/api` is an optional peer
 * dependency: these modules import only its types, and load it with `import()` when asked to.
 */
export { type CallOutcome, type CallSpan, callOutcome, NOOP_CALL_SPAN } from './call-span';
export { type CallTracer, type CallTracerOptions, createCallTracer, NOOP_CALL_TRACER } from './call-tracer';
export type { OpenTelemetryApi, OpenTelemetrySpan, OpenTelemetryTracer } from './otel-types';
export { formatTraceparent, type TraceContextCarrier, withTraceContext } from './trace-context';
