/**
 * The slice of the OpenTelemetry API this package calls, declared structurally. Public types (the client's
 * `tracer` option) use these instead of `@opentelemetry/api`'s, so our `.d.ts` never names the optional
 * package: a consumer without it installed still type-checks with `skipLibCheck: false`. A real `Tracer`
 * from `@opentelemetry/api` 1.x is assignable to {@link OpenTelemetryTracer} (a test checks it).
 */

/** A span attribute value (OTel `AttributeValue`, scalar subset). */
type AttributeValue = string | number | boolean;

/**
 * The span methods this package calls (structurally an OTel `Span`).
 *
 * @example
 * ```ts
 * const span: OpenTelemetrySpan = tracer.startSpan('ping');
 * ```
 */
export interface OpenTelemetrySpan {
  spanContext(): { traceId: string; spanId: string; traceFlags: number; traceState?: { serialize(): string } };
  setAttribute(key: string, value: AttributeValue): unknown;
  addEvent(name: string, attributes?: Record<string, AttributeValue>): unknown;
  setStatus(status: { code: number; message?: string }): unknown;
  end(): void;
}

/**
 * An OpenTelemetry `Tracer` (from `@opentelemetry/api`), as far as this package uses it.
 *
 * @example
 * ```ts
 * import { trace } from '@opentelemetry/api';
 * const tracer: OpenTelemetryTracer = trace.getTracer('my-app');
 * ```
 */
export interface OpenTelemetryTracer {
  startSpan(name: string, options?: { kind?: number; attributes?: Record<string, AttributeValue> }): OpenTelemetrySpan;
}

/**
 * The part of the `@opentelemetry/api` module this package uses.
 *
 * @example
 * ```ts
 * const loadApi = (): Promise<OpenTelemetryApi> => import('@opentelemetry/api');
 * ```
 */
export interface OpenTelemetryApi {
  readonly trace: { getTracer(name: string, version?: string): OpenTelemetryTracer };
}
