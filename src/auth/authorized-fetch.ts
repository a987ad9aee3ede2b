/**
 * A `fetch` that authorizes every request through a coordinator and runs the seam's loop: headers before
 * each send, `handleUnauthorized` on a challenge, then the same request again. It is what the client core
 * will do inside its request runner; as a fetch it also works today for any fetch-based code, MCPClient's
 * `fetch` option included.
 */
import type { FetchLike } from '../transport/http-seam';
import { type AuthCoordinator, isAuthChallenge, isDpopNonceChallenge } from './auth-coordinator';

/** A handler that keeps answering challenges is cut off here even if the coordinator's own bounds change. */
const MAX_AUTH_ATTEMPTS = 8;

/** Bodies fetch can send twice; a stream is consumed by the first send. */
function isResendable(body: RequestInit['body']): boolean {
  return body === undefined || body === null || !(typeof ReadableStream !== 'undefined' && body instanceof ReadableStream);
}

/**
 * @example
 * ```ts
 * const auth = createAuthCoordinator({ serverUrl: url, authProvider });
 * await using client = new MCPClient({ url, fetch: authorizedFetch(auth) });
 * ```
 */
export function authorizedFetch(coordinator: AuthCoordinator, baseFetch: FetchLike = globalThis.fetch): FetchLike {
  if (typeof coordinator?.headers !== 'function' || typeof coordinator.handleUnauthorized !== 'function') {
    throw new TypeError('Expected `coordinator` to be an AuthCoordinator (from createAuthCoordinator)');
  }
  if (typeof baseFetch !== 'function') throw new TypeError(`Expected \`baseFetch\` to be a fetch function, got ${typeof baseFetch}`);
  return async (url, init) => {
    const rounds = new Map<string, number>();
    const method = init?.method ?? 'GET';
    for (let total = 0; ; total++) {
      const auth = await coordinator.headers({ method, url });
      const headers = new Headers(init?.headers);
      for (const [name, value] of Object.entries(auth)) headers.set(name, value);
      const response = await baseFetch(url, { ...init, headers });
      await coordinator.observe({ url, dpopNonce: response.headers.get('dpop-nonce') });
      const wwwAuthenticate = response.headers.get('www-authenticate');
      if (!isAuthChallenge(response.status, wwwAuthenticate) || !isResendable(init?.body) || total >= MAX_AUTH_ATTEMPTS) return response;
      // The server did not execute the request (401/403): drop the answer and send it again once authorized.
      await response.body?.cancel().catch(() => {});
      const kind = isDpopNonceChallenge(response.status, wwwAuthenticate) ? 'dpop-nonce' : String(response.status);
      const attempt = rounds.get(kind) ?? 0;
      rounds.set(kind, attempt + 1);
      await coordinator.handleUnauthorized({ status: response.status, wwwAuthenticate, url, authorization: auth.authorization, attempt });
    }
  };
}
