import type { OpenResponses } from './open-responses';

/**
 * HTTP methods the MCP endpoint serves.
 *
 * @example
 * ```ts
 * const method: FaultHttpMethod = 'GET';
 * ```
 */
export type FaultHttpMethod = 'POST' | 'GET' | 'DELETE';

/**
 * Which MCP requests a fault applies to; omitted fields match anything.
 *
 * @example
 * ```ts
 * server.faults.failNext({ match: { httpMethod: 'POST', rpcMethod: 'tools/call' } });
 * ```
 */
export interface FaultMatch {
  httpMethod?: FaultHttpMethod;
  /** JSON-RPC method of a POSTed message (`tools/call`, `initialize`, ...). */
  rpcMethod?: string;
}

/**
 * What `failNext` answers, and for how many requests.
 *
 * @example
 * ```ts
 * server.faults.failNext({ count: 3, status: 429, retryAfter: 1 });
 * ```
 */
export interface FailNextOptions {
  /** How many matching requests fail. @default 1 */
  count?: number;
  /** HTTP status to answer with. @default 503 */
  status?: number;
  /** `Retry-After` header value in seconds. */
  retryAfter?: number;
  match?: FaultMatch;
}

/**
 * Cut a streaming response after `count` JSON-RPC message events (priming events and keep-alives do not count).
 *
 * @example
 * ```ts
 * server.faults.cutAfterEvents({ count: 2, rpcMethod: 'tools/call' }); // cut `slow` after 2 progress events
 * ```
 */
export interface CutAfterEventsOptions {
  /** JSON-RPC message events let through before the socket is closed. */
  count: number;
  rpcMethod?: string;
  /** @default 'POST' */
  httpMethod?: 'POST' | 'GET';
}

/**
 * A failure `failNext` decided for one request.
 *
 * @example
 * ```ts
 * const failure: InjectedFailure | undefined = injector.takeFailure('POST', ['tools/call']);
 * ```
 */
export interface InjectedFailure {
  status: number;
  retryAfter: number | undefined;
}

/**
 * The fault-injection API: `server.faults` in-process, `POST /__archon/faults` over HTTP.
 *
 * @example
 * ```ts
 * server.faults.cutStreams();
 * await server.faults.expireSession(sessionId);
 * ```
 */
export interface ServerFaults {
  /** The next `count` matching MCP requests are answered with `status` (+ `Retry-After`) and a JSON-RPC error. */
  failNext(options?: FailNextOptions): void;
  /** Resets the socket of every open MCP response (SSE streams, POSTs awaiting results). Returns how many. */
  cutStreams(): number;
  /** The next matching SSE response is cut after `count` message events. */
  cutAfterEvents(options: CutAfterEventsOptions): void;
  /** Marks the session (all sessions when omitted) expired and drops it; the next request gets 404. Returns how many. */
  expireSession(sessionId?: string): Promise<number>;
  /** Clears every pending fault. */
  reset(): void;
}

interface FailRule extends InjectedFailure {
  remaining: number;
  match: FaultMatch;
}

function matches(match: { httpMethod?: string; rpcMethod?: string | undefined }, httpMethod: string, rpcMethods: readonly string[]): boolean {
  if (match.httpMethod !== undefined && match.httpMethod !== httpMethod) return false;
  return match.rpcMethod === undefined || rpcMethods.includes(match.rpcMethod);
}

function assertPositiveInteger(name: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new TypeError(`Expected \`${name}\` to be a positive integer, got ${String(value)}`);
  }
}

/**
 * Holds pending faults and applies them to requests. Test-only machinery: nothing here runs unless
 * a test arms a fault.
 *
 * @example
 * ```ts
 * server.faults.failNext({ count: 2, status: 503, retryAfter: 1, match: { rpcMethod: 'tools/call' } });
 * ```
 */
export class FaultInjector implements ServerFaults {
  readonly #rules: FailRule[] = [];
  readonly #cutRules: CutAfterEventsOptions[] = [];
  readonly #open: OpenResponses;
  readonly #expire: (sessionId?: string) => Promise<number>;

  constructor(open: OpenResponses, expire: (sessionId?: string) => Promise<number>) {
    this.#open = open;
    this.#expire = expire;
  }

  failNext({ count = 1, status = 503, retryAfter, match = {} }: FailNextOptions = {}): void {
    assertPositiveInteger('count', count);
    if (!Number.isInteger(status) || status < 400 || status > 599) {
      throw new TypeError(`Expected \`status\` to be an HTTP error status (400-599), got ${String(status)}`);
    }
    if (retryAfter !== undefined && (!Number.isInteger(retryAfter) || retryAfter < 0)) {
      throw new TypeError(`Expected \`retryAfter\` to be a non-negative integer (seconds), got ${String(retryAfter)}`);
    }
    this.#rules.push({ remaining: count, status, retryAfter, match: { ...match } });
  }

  cutStreams(): number {
    return this.#open.cutAll();
  }

  cutAfterEvents({ count, rpcMethod, httpMethod = 'POST' }: CutAfterEventsOptions): void {
    assertPositiveInteger('count', count);
    this.#cutRules.push({ count, httpMethod, rpcMethod });
  }

  expireSession(sessionId?: string): Promise<number> {
    return this.#expire(sessionId);
  }

  reset(): void {
    this.#rules.length = 0;
    this.#cutRules.length = 0;
  }

  /** Consumes one `failNext` shot if this request matches one. */
  takeFailure(httpMethod: string, rpcMethods: readonly string[]): InjectedFailure | undefined {
    const index = this.#rules.findIndex((rule) => matches(rule.match, httpMethod, rpcMethods));
    const rule = this.#rules[index];
    if (rule === undefined) return undefined;
    rule.remaining -= 1;
    if (rule.remaining === 0) this.#rules.splice(index, 1);
    return { status: rule.status, retryAfter: rule.retryAfter };
  }

  /** Consumes a `cutAfterEvents` rule if this request matches one; returns its event count. */
  takeCutAfterEvents(httpMethod: string, rpcMethods: readonly string[]): number | undefined {
    const index = this.#cutRules.findIndex((rule) => matches(rule, httpMethod, rpcMethods));
    const rule = this.#cutRules[index];
    if (rule === undefined) return undefined;
    this.#cutRules.splice(index, 1);
    return rule.count;
  }
}
