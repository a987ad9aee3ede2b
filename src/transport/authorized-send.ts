/**
 * The authorization seam on the wire (issue #11; the call sequence is documented in src/auth/auth-coordinator.ts):
 * credentials before every send, and on a 401 (or a 403 `insufficient_scope`) one round of authorization, then
 * the same request again. It sits below the retry loop on purpose: a 401/403 means the server did not execute
 * the request, so the resend is not a retry (no wait, no budget, no breaker), needs no replay-safety check, and
 * is never seen by the classifier, the era negotiation or the session-loss rules.
 */
import { isAuthChallenge, isDpopNonceChallenge } from '../auth/auth-coordinator';
import { ConnectionError } from '../errors/tree';
import type { AbortSignalLike, HttpResponse } from './http-seam';

/**
 * What the exchange asks of the client's auth (`ClientAuth`, over the coordinator of src/auth/).
 *
 * @example
 * ```ts
 * const authorizer: RequestAuthorizer = { headers: async () => ({ authorization: 'Bearer t' }), observe: async () => {}, handleUnauthorized: async () => 'retry' };
 * ```
 */
export interface RequestAuthorizer {
  /** The headers that authorize the next send (`{}` before any token exists); a DPoP proof names `request`. */
  headers(request: { readonly method: string; readonly url: URL }): Promise<Readonly<Record<string, string>>>;
  /** Sees every answer's `DPoP-Nonce` (RFC 9449 8.2) before any challenge is handled. */
  observe(observation: { readonly url: URL; readonly dpopNonce: string | undefined }): Promise<void>;
  /** Resolves 'retry' when the request should be sent again; throws a typed error that is final for it. */
  handleUnauthorized(challenge: {
    readonly status: number;
    readonly wwwAuthenticate: string | undefined;
    readonly url: URL;
    readonly authorization: string | undefined;
    readonly attempt: number;
  }): Promise<'retry'>;
}

/** A coordinator that keeps answering 'retry' is cut off here; the server's last answer then stands. */
const MAX_AUTH_ROUNDS = 8;

/**
 * Waits for the authorization work (shared by every caller of the credential slot) as long as this request
 * still wants it. Leaving early is "not sent": the attempt that owns `signal` explains the abort (its timeout
 * before the send is a connect-phase timeout, see `Attempt.explain`).
 */
function whileWanted<T>(work: Promise<T>, signal: AbortSignalLike | undefined): Promise<T> {
  if (signal === undefined) return work;
  const notSent = (): ConnectionError =>
    new ConnectionError('The request was abandoned while it waited for authorization; it was not sent', {
      reason: 'unknown',
      requestSent: false,
      cause: signal.reason,
    });
  if (signal.aborted) {
    work.catch(() => {});
    return Promise.reject(notSent());
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(notSent());
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * Sends through `send` with the authorizer's headers and answers challenges; resolves with the first answer
 * that is not a challenge (or the last one, past the bound). `send` receives the auth headers to add.
 *
 * @example
 * ```ts
 * const response = await sendAuthorized(authorizer, { method: 'POST', url }, signal, (auth) => stack.send({ method: 'POST', url, headers: { ...headers, ...auth }, body }));
 * ```
 */
export async function sendAuthorized(
  authorizer: RequestAuthorizer,
  request: { readonly method: string; readonly url: URL },
  signal: AbortSignalLike | undefined,
  send: (auth: Readonly<Record<string, string>>) => Promise<HttpResponse>,
): Promise<HttpResponse> {
  const { url } = request;
  const attempts = new Map<string, number>();
  for (let round = 0; ; round++) {
    const auth = await whileWanted(authorizer.headers(request), signal);
    const response = await send(auth);
    const dpopNonce = response.header('dpop-nonce');
    if (dpopNonce !== undefined) await authorizer.observe({ url, dpopNonce });
    const wwwAuthenticate = response.header('www-authenticate');
    if (round >= MAX_AUTH_ROUNDS || !isAuthChallenge(response.status, wwwAuthenticate)) return response;
    // RFC 6750 3.1: the request was refused before it was processed. A short body is drained (socket kept), else dropped.
    response.cancel();
    // A nonce challenge (RFC 9449 9) is counted apart from an expired token: a first request may meet both.
    const kind = isDpopNonceChallenge(response.status, wwwAuthenticate) ? 'dpop-nonce' : String(response.status);
    const attempt = attempts.get(kind) ?? 0;
    attempts.set(kind, attempt + 1);
    await whileWanted(authorizer.handleUnauthorized({ status: response.status, wwwAuthenticate, url, authorization: auth.authorization, attempt }), signal);
  }
}
