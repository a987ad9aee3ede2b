/**
 * Why a new session is refused, and the per-client rate of new sessions (issue 9, case 9): a flood of `initialize`
 * from one client, no token needed, could fill `maxSessions` (about 131 KB of heap each when measured) as fast as
 * the server could answer. Now each client IP and each principal may open `maxNewSessionsPerIp` /
 * `maxNewSessionsPerPrincipal` per `newSessionWindowMs`; over it 429 + `Retry-After`, while other clients are
 * still served.
 */
import type { RequestId } from '@modelcontextprotocol/server';
import { jsonRpcErrorResponse, RPC_ERROR } from './json-rpc-error';

/**
 * A refused new session: shutting down or at capacity (503), or this client opening them too fast (429).
 *
 * @example
 * ```ts
 * const refusal: NewSessionRefusal = { status: 503, message: 'Server at session capacity', retryAfterSeconds: 1 };
 * ```
 */
export interface NewSessionRefusal {
  readonly status: 429 | 503;
  readonly message: string;
  readonly retryAfterSeconds: number;
}

/**
 * The JSON-RPC error answer for a refused new session.
 *
 * @example
 * ```ts
 * return newSessionRefusalResponse(refusal, request.replyId);
 * ```
 */
export function newSessionRefusalResponse(refusal: NewSessionRefusal, id: RequestId | null): Response {
  return jsonRpcErrorResponse({
    status: refusal.status,
    code: RPC_ERROR.serverError,
    message: refusal.message,
    id,
    headers: { 'retry-after': String(refusal.retryAfterSeconds) },
  });
}

export interface NewSessionRateOptions {
  maxNewSessionsPerIp: number;
  maxNewSessionsPerPrincipal: number;
  newSessionWindowMs: number;
}

/**
 * Fixed windows of new sessions per client IP and per principal. All counts start afresh with each window, so
 * memory is bounded by the clients that opened a session within one window.
 *
 * @example
 * ```ts
 * const rate = new NewSessionRate({ maxNewSessionsPerIp: 100, maxNewSessionsPerPrincipal: 1_000, newSessionWindowMs: 1_000 });
 * const refusal = rate.admit('127.0.0.1', null, Date.now());
 * ```
 */
export class NewSessionRate {
  readonly #options: NewSessionRateOptions;
  readonly #byIp = new Map<string, number>();
  readonly #byPrincipal = new Map<string, number>();
  #windowStartedAt = Number.NEGATIVE_INFINITY;

  constructor(options: NewSessionRateOptions) {
    this.#options = options;
  }

  /** Counts one new session for the client, or refuses it (counting nothing) when either bound is reached. */
  admit(ipKey: string | undefined, principalHash: string | null, now: number): NewSessionRefusal | undefined {
    const { maxNewSessionsPerIp, maxNewSessionsPerPrincipal, newSessionWindowMs } = this.#options;
    if (now - this.#windowStartedAt >= newSessionWindowMs) {
      this.#windowStartedAt = now;
      this.#byIp.clear();
      this.#byPrincipal.clear();
    }
    const ipCount = ipKey === undefined ? 0 : (this.#byIp.get(ipKey) ?? 0);
    const principalCount = principalHash === null ? 0 : (this.#byPrincipal.get(principalHash) ?? 0);
    const over = ipCount >= maxNewSessionsPerIp ? `${maxNewSessionsPerIp} new sessions per ${newSessionWindowMs} ms from this address`
      : principalCount >= maxNewSessionsPerPrincipal ? `${maxNewSessionsPerPrincipal} new sessions per ${newSessionWindowMs} ms for this token`
      : undefined;
    if (over !== undefined) {
      const waitMs = this.#windowStartedAt + newSessionWindowMs - now;
      return { status: 429, message: `Too Many Requests: more than ${over}`, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1_000)) };
    }
    if (ipKey !== undefined) this.#byIp.set(ipKey, ipCount + 1);
    if (principalHash !== null) this.#byPrincipal.set(principalHash, principalCount + 1);
    return undefined;
  }
}
