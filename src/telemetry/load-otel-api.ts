/**
 * Loads `@opentelemetry/api`, the optional peer dependency, once per process and only when a client asks
 * for automatic tracing. Issue 5: "without it, nothing is loaded", and the root entry must load without it.
 *
 * Why a dynamic `import()`:
 * - a static import would make the peer required: the root entry would fail to load where it is absent;
 * - `createRequire(import.meta.url)` would be synchronous, but tsup's CJS output leaves `import.meta.url`
 *   undefined unless `shims` is turned on, and `node:module` does not exist in the browsers and edge
 *   runtimes the `fetch` seam serves;
 * - `import()` works in both builds (esbuild keeps it as is in the CJS output, as for `undici` and `ajv`,
 *   and Node runs `import()` from CommonJS), and a missing package is just a rejected promise.
 * Its cost is that it is asynchronous: the tracer exposes `pending` so the client awaits it once, before
 * its first call, instead of leaving the first calls untraced. A user-supplied `tracer` needs no loading.
 * Two copies of the API (this ESM import next to an application's CJS require) share one global
 * provider: the API keeps its globals under `Symbol.for('opentelemetry.js.api.1')`.
 * Checked on the built package (2026-11-21, Node 20.20): dist/index.cjs and dist/index.js load and call
 * with no `@opentelemetry/api` in node_modules; with it, a provider registered through the application's
 * CJS copy receives the spans, the first call's included.
 */
import type { OpenTelemetryApi } from './otel-types';

let loading: Promise<OpenTelemetryApi> | undefined;

/**
 * `import('@opentelemetry/api')`, started on the first call and shared by every later one; rejects when
 * the package is not installed.
 *
 * @example
 * ```ts
 * const api = await loadOtelApi().catch(() => undefined);
 * ```
 */
export function loadOtelApi(): Promise<OpenTelemetryApi> {
  if (loading === undefined) {
    // Also the compile-time check that the real module fits OpenTelemetryApi.
    loading = import('@opentelemetry/api');
    // Callers attach their own handlers; this one only keeps an absent package from counting as unhandled.
    loading.catch(() => {});
  }
  return loading;
}
