/**
 * A web `Request` view of a Node request that costs what the pipeline reads of it: `method`, `url`, `headers`
 * and `signal` are plain fields, and a real `Request` is built only when something asks for anything else
 * (`clone()`, `cache`, ...: a user's tool reading `ctx.http.req`). Building a `Request` (URL parse, WebIDL
 * checks, an `AbortSignal` that follows ours) cost about 30 µs per call, a tenth of what a whole tool call
 * costs the server (`bench:server` profile); the pipeline and the SDK transport only read headers.
 * It is an `instanceof Request`, like Hono's node-server request, which does the same.
 */

const REAL = Symbol('real request');

/** The four fields a pipeline reads; everything else comes from a `Request` built from them on first use. */
interface NodeRequestFields {
  readonly method: string;
  readonly url: string;
  readonly headers: Headers;
  readonly signal: AbortSignal;
}

/**
 * What a {@link NodeRequestView} is built from: the signal is asked for only when someone reads it, so a
 * request nobody listens to for cancellation never allocates one.
 */
export interface NodeRequestParts {
  readonly method: string;
  readonly url: string;
  readonly headers: Headers;
  signal(): AbortSignal;
}

/**
 * A `Request` for a Node request, cheap where the pipeline reads it (see the module comment).
 *
 * @example
 * ```ts
 * const request = nodeRequestView({ method: 'POST', url: 'http://localhost/mcp', headers: new Headers(), signal: () => gone.signal });
 * request.headers.get('mcp-session-id');
 * ```
 */
export function nodeRequestView(parts: NodeRequestParts): Request {
  return new NodeRequestView(parts) as unknown as Request;
}

class NodeRequestView implements NodeRequestFields {
  readonly method: string;
  readonly url: string;
  readonly headers: Headers;
  readonly #signal: () => AbortSignal;
  [REAL]: Request | undefined;

  constructor(parts: NodeRequestParts) {
    this.method = parts.method;
    this.url = parts.url;
    this.headers = parts.headers;
    this.#signal = parts.signal;
  }

  get signal(): AbortSignal {
    return this.#signal();
  }
}

function realRequest(view: NodeRequestView): Request {
  // No body: the pipeline reads it from the Node stream (`readBody`), exactly as the eager version did.
  view[REAL] ??= new Request(view.url, { method: view.method, headers: view.headers, signal: view.signal });
  return view[REAL];
}

const OWN = new Set<PropertyKey>(['constructor', 'method', 'url', 'headers', 'signal']);
for (const key of Reflect.ownKeys(Request.prototype)) {
  if (OWN.has(key) || typeof key === 'symbol') continue;
  Object.defineProperty(NodeRequestView.prototype, key, {
    configurable: true,
    enumerable: false,
    get(this: NodeRequestView) {
      const real = realRequest(this);
      const value: unknown = Reflect.get(real, key, real);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(real) : value;
    },
  });
}
Object.defineProperty(NodeRequestView.prototype, Symbol.toStringTag, { value: 'Request', configurable: true });
Object.setPrototypeOf(NodeRequestView.prototype, Request.prototype);
