/**
 * The tracer one client calls on its request path. Three shapes, chosen once in `createCallTracer`:
 * off (a frozen no-op), explicit (`tracer` given: spans from the first call), automatic (the global
 * tracer once `@opentelemetry/api` has loaded; no spans where it is not installed).
 */
import { CLIENT_VERSION } from '../client/version';
import { type CallSpan, type CallSpanSource, NOOP_CALL_SPAN, startCallSpan } from './call-span';
import { loadOtelApi } from './load-otel-api';
import type { OpenTelemetryApi, OpenTelemetryTracer } from './otel-types';

/** Instrumentation scope name of our spans (the package name, per the OTel API's `getTracer` guidance). */
const TRACER_NAME = 'archon-mcp-client';

/**
 * Starts the span of each call.
 *
 * @example
 * ```ts
 * if (tracer.pending) await tracer.pending;
 * const span = tracer.start('tools/call', { name: 'echo', arguments: { text: 'hi' } });
 * ```
 */
export interface CallTracer {
  /**
   * Set while `@opentelemetry/api` is loading; awaiting it before a call makes that call traced. Never
   * rejects. `undefined` otherwise, so the hot path reads one field.
   */
  readonly pending: Promise<void> | undefined;
  /** Whether `start` produces real spans now. */
  readonly enabled: boolean;
  /** Starts the span of one call; the shared no-op span when tracing is off or unavailable. */
  start(method: string, params?: Record<string, unknown>): CallSpan;
}

/**
 * How `createCallTracer` decides.
 *
 * @example
 * ```ts
 * const options: CallTracerOptions = { tracing: 'auto', serverUrl: new URL('http://localhost:8051/mcp') };
 * ```
 */
export interface CallTracerOptions {
  /**
   * `'auto'`: trace through the global tracer provider when `@opentelemetry/api` is installed (no spans
   * until an SDK registers a provider), silently nothing otherwise. `true`: the same, but
   * `onUnavailable` hears about a missing package. `false`: never trace, never load. @default 'auto'
   */
  readonly tracing?: boolean | 'auto' | undefined;
  /** Use this tracer (from your `TracerProvider`) instead of the global one: no loading, traced from the first call. @default undefined */
  readonly tracer?: OpenTelemetryTracer | undefined;
  /** The MCP endpoint, for `server.address` / `server.port`. @default undefined */
  readonly serverUrl?: URL | undefined;
  /** The current `Mcp-Session-Id`, read when a request is sent. @default undefined */
  readonly mcpSessionId?: (() => string | undefined) | undefined;
  /** The negotiated protocol version, read when a request is sent. @default undefined */
  readonly protocolVersion?: (() => string | undefined) | undefined;
  /** Told why tracing is off when `tracing: true` could not load `@opentelemetry/api`. @default undefined */
  readonly onUnavailable?: ((error: unknown) => void) | undefined;
  /** Loads the API (a test seam). @default a shared `import('@opentelemetry/api')` */
  readonly loadApi?: (() => Promise<OpenTelemetryApi>) | undefined;
}

/**
 * A tracer that never traces; `start` returns the shared no-op span and allocates nothing.
 *
 * @example
 * ```ts
 * NOOP_CALL_TRACER.start('ping').traceparent; // undefined
 * ```
 */
export const NOOP_CALL_TRACER: CallTracer = Object.freeze({
  pending: undefined,
  enabled: false,
  start: () => NOOP_CALL_SPAN,
});

class OtelCallTracer implements CallTracer {
  pending: Promise<void> | undefined;
  #tracer: OpenTelemetryTracer | undefined;
  readonly #source: CallSpanSource;

  constructor(source: CallSpanSource, tracer: OpenTelemetryTracer | undefined) {
    this.#source = source;
    this.#tracer = tracer;
  }

  get enabled(): boolean {
    return this.#tracer !== undefined;
  }

  /** Loads the API; until it settles (and for good if it fails) `start` hands out the no-op span. */
  load(loadApi: () => Promise<OpenTelemetryApi>, onUnavailable: ((error: unknown) => void) | undefined): void {
    this.pending = loadApi().then(
      (api) => {
        this.#tracer = api.trace.getTracer(TRACER_NAME, CLIENT_VERSION);
        this.pending = undefined;
      },
      (error: unknown) => {
        this.pending = undefined;
        onUnavailable?.(error);
      },
    );
  }

  start(method: string, params?: Record<string, unknown>): CallSpan {
    const tracer = this.#tracer;
    return tracer === undefined ? NOOP_CALL_SPAN : startCallSpan(tracer, method, params, this.#source);
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null || typeof value !== 'object') return String(value);
  return Array.isArray(value) ? 'an array' : 'an object';
}

/**
 * Creates the tracer of one client. Throws `TypeError` for a malformed `tracing` or `tracer`.
 *
 * @example
 * ```ts
 * import { trace } from '@opentelemetry/api';
 * const explicit = createCallTracer({ tracer: trace.getTracer('my-app') });
 * const automatic = createCallTracer({ tracing: 'auto', serverUrl: new URL('http://localhost:8051/mcp') });
 * const off = createCallTracer({ tracing: false }); // NOOP_CALL_TRACER
 * ```
 */
export function createCallTracer(options: CallTracerOptions = {}): CallTracer {
  const { tracing = 'auto', tracer } = options;
  if (tracing !== true && tracing !== false && tracing !== 'auto') {
    throw new TypeError(`Expected \`tracing\` to be a boolean or 'auto', got ${describe(tracing)}`);
  }
  if (tracer !== undefined && typeof (tracer as Partial<OpenTelemetryTracer> | null)?.startSpan !== 'function') {
    throw new TypeError(`Expected \`tracer\` to be an OpenTelemetry Tracer, got ${describe(tracer)}`);
  }
  if (tracing === false) return NOOP_CALL_TRACER;
  const source: CallSpanSource = {
    serverUrl: options.serverUrl,
    mcpSessionId: options.mcpSessionId,
    protocolVersion: options.protocolVersion,
  };
  const callTracer = new OtelCallTracer(source, tracer);
  if (tracer === undefined) callTracer.load(options.loadApi ?? loadOtelApi, tracing === true ? options.onUnavailable : undefined);
  return callTracer;
}
