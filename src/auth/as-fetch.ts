/**
 * The fetch `auth()` uses for the authorization server and the metadata documents: every request has a
 * deadline and every body a byte limit (both options), and transport failures are recorded on the run.
 *
 * Why failures are reshaped: the SDK treats a failed refresh that is not an OAuth error (network down, a 5xx)
 * as "start a new authorization", which would send a user to the browser because the authorization server had
 * a bad second, and it falls back to the MCP server's origin as the authorization server when the protected
 * resource metadata cannot be fetched. So a token request that fails in transit is answered, to the SDK, with an
 * OAuth `temporarily_unavailable` error (which it rethrows untouched), and other failed requests throw a
 * `TypeError` (which it rethrows); the real failure is kept on the run and is what the caller receives.
 */
import { ConnectionError, HttpError, ProtocolError, isMcpClientError } from '../errors/tree';
import { createErrorFromFailure } from '../errors/factory';
import type { FetchLike } from '../transport/http-seam';
import type { AuthRun } from './auth-run';

/** Statuses that mean "try later" rather than "no": RFC 6585 4 (429) and RFC 9110 15.6 (5xx). */
function isTransientStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

/** `auth()` sends token requests as a form with `grant_type` (authorization_code, refresh_token, client_credentials). */
function isTokenRequest(init: RequestInit | undefined): boolean {
  return init?.body instanceof URLSearchParams && init.body.has('grant_type');
}

function temporarilyUnavailable(): Response {
  return new Response(JSON.stringify({ error: 'temporarily_unavailable', error_description: 'the token endpoint could not be reached' }), {
    status: 503,
    headers: { 'content-type': 'application/json' },
  });
}

function headersOf(response: Response): Record<string, string> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => (headers[name] = value));
  return headers;
}

function transportFailure(target: URL, error: unknown, timeoutMs: number, timedOut: boolean): ConnectionError | ProtocolError {
  if (isMcpClientError(error) && (error instanceof ConnectionError || error instanceof ProtocolError)) return error;
  if (timedOut) {
    return new ConnectionError(`The authorization server at ${target.origin} did not answer within ${timeoutMs} ms`, {
      reason: 'headers_timeout',
      requestSent: false,
      cause: error,
    });
  }
  const typed = createErrorFromFailure({ kind: 'network', error, requestSent: false });
  const reason = typed instanceof ConnectionError ? typed.reason : 'unknown';
  const errorCode = typed instanceof ConnectionError ? typed.errorCode : undefined;
  // The MCP request that led here was answered 401/403 and not executed, so it was not delivered either way.
  return new ConnectionError(`Could not reach the authorization server at ${target.origin} (${errorCode ?? reason})`, {
    reason,
    requestSent: false,
    errorCode,
    cause: error,
  });
}

/** Reads the body with a limit in decoded bytes and returns an equivalent buffered Response. */
async function buffered(response: Response, maxBytes: number, target: URL): Promise<Response> {
  const nullBody = response.status === 204 || response.status === 205 || response.status === 304;
  if (nullBody || response.body === null) {
    return new Response(null, { status: response.status, statusText: response.statusText, headers: response.headers });
  }
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      throw new ProtocolError(`The authorization server at ${target.origin} sent more than ${maxBytes} bytes`, { reason: 'body_too_large' });
    }
    chunks.push(value);
  }
  const body = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
}

/**
 * The fetch for one run of `auth()`.
 *
 * @example
 * ```ts
 * await auth(provider, { serverUrl, fetchFn: createAuthServerFetch(fetch, { requestTimeoutMs: 10_000, maxResponseBytes: 1 << 20 }, run) });
 * ```
 */
export function createAuthServerFetch(
  baseFetch: FetchLike,
  limits: { readonly requestTimeoutMs: number; readonly maxResponseBytes: number },
  run: AuthRun,
): FetchLike {
  return async (url, init) => {
    const target = new URL(String(url));
    const tokenRequest = isTokenRequest(init);
    const timeout = AbortSignal.timeout(limits.requestTimeoutMs);
    const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    const fail = (failure: ConnectionError | ProtocolError | HttpError): Response => {
      run.failure = failure;
      if (tokenRequest) return temporarilyUnavailable();
      // A TypeError is what fetch itself throws; the SDK rethrows it instead of guessing another server.
      throw new TypeError(failure.message, { cause: failure });
    };
    let response: Response;
    try {
      response = await baseFetch(url, { ...init, signal });
    } catch (error) {
      return fail(transportFailure(target, error, limits.requestTimeoutMs, timeout.aborted));
    }
    if (isTransientStatus(response.status)) {
      const body = await buffered(response, limits.maxResponseBytes, target).then((copy) => copy.text()).catch(() => '');
      return fail(
        new HttpError(`HTTP ${response.status} from the authorization server at ${target.origin}`, {
          status: response.status,
          headers: headersOf(response),
          body: body.slice(0, 1_024),
          source: 'authorization_server',
        }),
      );
    }
    try {
      return await buffered(response, limits.maxResponseBytes, target);
    } catch (error) {
      return fail(transportFailure(target, error, limits.requestTimeoutMs, timeout.aborted));
    }
  };
}
