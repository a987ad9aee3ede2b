import { isLegacyRequest, type JSONRPCMessage, type RequestId } from '@modelcontextprotocol/server';
import type { ServerMetrics } from '../observability/server-metrics';
import type { ProtocolEraName, ResolvedSessionOptions } from '../session-options';
import { readAppSessionIdHeader } from '../sessions/app-session-id';
import { staticTokenAuthenticator, type RequestAuthenticator } from '../auth/request-authenticator';
import type { SessionStore } from '../stores/types';
import { isDirectAnswer } from './direct-answer';
import type { McpHttpInput } from './http-input';
import { clientIpKey, InflightLimits, releaseWhenDone, type InflightLease } from './inflight-limits';
import { jsonRpcErrorResponse, RPC_ERROR } from './json-rpc-error';
import { plainlyLegacy } from './json-rpc-shape';
import type { McpRequest } from './mcp-request';
import { createOriginGuard, isLoopbackAddress } from './origin-guard';
import { readMcpMessages, type McpBodyLimits } from './read-mcp-messages';

/** What serves one era; the endpoint decides which. */
export interface EraEndpoint {
  serve(request: McpRequest): Promise<Response>;
}

export interface McpEndpointDeps {
  options: ResolvedSessionOptions;
  eras: Partial<Record<ProtocolEraName, EraEndpoint>>;
  store: SessionStore;
  metrics: ServerMetrics;
  /** The store failed a request: cached validations must not be trusted until it answers again. */
  onStoreDown(): void;
  /** Who is calling (OAuth resource server); default: the static `authToken` check. */
  authenticator?: RequestAuthenticator;
  /** Aborted when shutdown starts: body reads in progress stop at once. */
  shutdown?: AbortSignal;
}

/** What one request's pass through the endpoint learned, for the answer after it. */
interface RequestProgress {
  replyId: RequestId | null;
  /** The body was (or began to be) read: nothing of it is left on the connection. */
  bodyRead: boolean;
  readonly ipKey: string | undefined;
  readonly lease: InflightLease;
}

const HTTP_METHODS = new Set(['POST', 'GET', 'DELETE']);

/** A request announcing a body (`Content-Length` > 0, or chunked). */
function announcesBody(headers: Headers): boolean {
  const length = headers.get('content-length');
  return headers.has('transfer-encoding') || (length !== null && length.trim() !== '0');
}

/** How long a failed request waits for the store's ping before calling it down. */
const STORE_PING_TIMEOUT_MS = 1_000;

async function storeAnswers(store: SessionStore): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(reject, STORE_PING_TIMEOUT_MS);
  });
  try {
    await Promise.race([store.ping(), timeout]);
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

function replyIdOf(messages: readonly JSONRPCMessage[]): RequestId | null {
  const only = messages.length === 1 ? messages[0] : undefined;
  return only !== undefined && 'id' in only && only.id !== undefined ? only.id : null;
}

/**
 * The MCP endpoint, era-neutral: Origin/Host (403), auth (401), method (405), body (415/413/400) and the app
 * session header (400) are checked the same way for both eras, in that order, before anything touches the
 * store; then the request goes to the era it speaks (`isLegacyRequest`, the SDK's own classifier, when both
 * are served). A store outage answers 503 + Retry-After, so clients wait and resend.
 *
 * @example
 * ```ts
 * const endpoint = new McpEndpoint(deps);
 * const response = await endpoint.serve(fromWebRequest(request));
 * ```
 */
export class McpEndpoint {
  readonly #deps: McpEndpointDeps;
  readonly #guard: ReturnType<typeof createOriginGuard>;
  readonly #auth: RequestAuthenticator;
  readonly #inflight: InflightLimits;
  readonly #bodyLimits: McpBodyLimits;

  constructor(deps: McpEndpointDeps) {
    this.#deps = deps;
    const { options } = deps;
    this.#inflight = new InflightLimits(options);
    this.#bodyLimits = {
      maxBodyBytes: options.maxBodyBytes,
      maxJsonDepth: options.maxJsonDepth,
      bodyReadTimeoutMs: options.bodyReadTimeoutMs,
      bodyTimeoutMs: options.bodyTimeoutMs,
      ...(deps.shutdown === undefined ? {} : { shutdown: deps.shutdown }),
      retryAfterSeconds: Math.max(1, Math.ceil(options.retryIntervalMs / 1_000)),
    };
    this.#guard = createOriginGuard({
      loopbackBind: isLoopbackAddress(options.host),
      allowedOrigins: options.allowedOrigins,
      allowedHosts: options.allowedHosts,
    });
    this.#auth = deps.authenticator ?? staticTokenAuthenticator(options.authTokens);
  }

  /** Requests in flight now (body reads and open response streams included). */
  get inFlight(): number {
    return this.#inflight.total;
  }

  async serve(input: McpHttpInput): Promise<Response> {
    const method = input.request.method;
    const ipKey = clientIpKey(input.clientAddress);
    const progress: RequestProgress = { replyId: null, bodyRead: false, ipKey, lease: this.#inflight.acquire(ipKey) };
    let response: Response;
    try {
      response = progress.lease.refusedBy === undefined ? await this.#serve(input, progress) : this.#tooManyInFlight('ip');
    } catch (error) {
      this.#deps.options.logger.error?.({ msg: 'MCP request failed', error: String(error) });
      // Answer the request's own id when it was parsed, so a client can match the error to its call.
      response = await this.#failure(progress.replyId);
    }
    // A body left unread would keep arriving on this connection: close it after the answer.
    if (method === 'POST' && !progress.bodyRead && input.parsedBody === undefined && !isDirectAnswer(response) && announcesBody(input.request.headers)) {
      response.headers.set('connection', 'close');
    }
    this.#deps.metrics.requests.inc({ method, status: String(response.status) });
    if (input.responseDone !== undefined) {
      // The host writing the response releases the lease once the body has ended: no relay stream.
      input.responseDone.release = progress.lease.release;
      return response;
    }
    return releaseWhenDone(response, progress.lease.release);
  }

  async #serve(input: McpHttpInput, progress: RequestProgress): Promise<Response> {
    const { request: http } = input;
    const refusal = this.#guard({ origin: http.headers.get('origin'), host: http.headers.get('host') });
    if (refusal !== undefined) return jsonRpcErrorResponse({ status: 403, code: RPC_ERROR.serverError, message: refusal });
    const pending = this.#auth.authenticate(http);
    const principal = pending instanceof Promise ? await pending : pending;
    if (!principal.ok) return principal.response;
    const authInfo = principal.authInfo ?? input.authInfo;
    if (!progress.lease.addPrincipal(principal.principalHash)) return this.#tooManyInFlight('principal');
    if (!HTTP_METHODS.has(http.method)) {
      return jsonRpcErrorResponse({
        status: 405,
        code: RPC_ERROR.serverError,
        message: 'Method not allowed.',
        headers: { allow: 'GET, POST, DELETE' },
      });
    }
    let messages: JSONRPCMessage[] = [];
    let body: unknown;
    if (http.method === 'POST') {
      progress.bodyRead = true;
      const read = await readMcpMessages(input, this.#bodyLimits);
      if (!read.ok) return read.response;
      ({ messages, body } = read);
    }
    const replyId = replyIdOf(messages);
    progress.replyId = replyId;
    const forbidden = this.#auth.authorize?.(messages, authInfo);
    if (forbidden !== undefined) return forbidden;
    const { sessionHeader } = this.#deps.options;
    const appHeader = readAppSessionIdHeader(http.headers.get(sessionHeader), sessionHeader);
    if (!appHeader.ok) {
      return jsonRpcErrorResponse({ status: 400, code: RPC_ERROR.invalidRequest, message: appHeader.message, id: replyId });
    }
    const request: McpRequest = {
      http,
      principalHash: principal.principalHash,
      authInfo,
      messages,
      body,
      appSessionId: appHeader.value,
      replyId,
      startedAt: Date.now(),
      clientIp: progress.ipKey,
      direct: input.direct,
    };
    return (await this.#eraOf(request)).serve(request);
  }

  async #eraOf(request: McpRequest): Promise<EraEndpoint> {
    const { legacy, modern } = this.#deps.eras;
    if (legacy === undefined) return modern as EraEndpoint;
    if (modern === undefined) return legacy;
    // GET and DELETE are 2025 session operations; a POST speaks whichever era its body claims.
    if (request.http.method !== 'POST') return legacy;
    if (plainlyLegacy(request.messages, request.http.headers.get('mcp-protocol-version'))) return legacy;
    return (await isLegacyRequest(request.http, request.body)) ? legacy : modern;
  }

  #tooManyInFlight(scope: 'ip' | 'principal'): Response {
    const { options } = this.#deps;
    const [max, whose] = scope === 'ip' ? [options.maxInFlightPerIp, 'this address'] : [options.maxInFlightPerPrincipal, 'this token'];
    return jsonRpcErrorResponse({
      status: 429,
      code: RPC_ERROR.serverError,
      message: `Too Many Requests: more than ${max} requests in flight from ${whose}`,
      headers: { 'retry-after': '1' },
    });
  }

  async #failure(replyId: RequestId | null): Promise<Response> {
    // A store outage is transient: 503 + Retry-After tells clients to wait and resend, not give up.
    const storeUp = await storeAnswers(this.#deps.store);
    if (!storeUp) this.#deps.onStoreDown();
    return jsonRpcErrorResponse({
      status: storeUp ? 500 : 503,
      code: RPC_ERROR.serverError,
      message: storeUp ? 'Internal server error' : 'Service Unavailable: session store unreachable',
      id: replyId,
      ...(storeUp ? {} : { headers: { 'retry-after': '1' } }),
    });
  }
}
