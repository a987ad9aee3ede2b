import { isLegacyRequest, type JSONRPCMessage, type RequestId } from '@modelcontextprotocol/server';
import type { ServerMetrics } from '../observability/server-metrics';
import type { ProtocolEraName, ResolvedSessionOptions } from '../session-options';
import { readAppSessionIdHeader } from '../sessions/app-session-id';
import { staticTokenAuthenticator, type RequestAuthenticator } from '../auth/request-authenticator';
import type { SessionStore } from '../stores/types';
import type { McpHttpInput } from './http-input';
import { jsonRpcErrorResponse, RPC_ERROR } from './json-rpc-error';
import { plainlyLegacy } from './json-rpc-shape';
import type { McpRequest } from './mcp-request';
import { createOriginGuard, isLoopbackAddress } from './origin-guard';
import { readMcpMessages } from './read-mcp-messages';

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
}

const HTTP_METHODS = new Set(['POST', 'GET', 'DELETE']);

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

  constructor(deps: McpEndpointDeps) {
    this.#deps = deps;
    const { options } = deps;
    this.#guard = createOriginGuard({
      loopbackBind: isLoopbackAddress(options.host),
      allowedOrigins: options.allowedOrigins,
      allowedHosts: options.allowedHosts,
    });
    this.#auth = deps.authenticator ?? staticTokenAuthenticator(options.authTokens);
  }

  async serve(input: McpHttpInput): Promise<Response> {
    const method = input.request.method;
    const parsed: { replyId: RequestId | null } = { replyId: null };
    let response: Response;
    try {
      response = await this.#serve(input, parsed);
    } catch (error) {
      this.#deps.options.logger.error?.({ msg: 'MCP request failed', error: String(error) });
      // Answer the request's own id when it was parsed, so a client can match the error to its call.
      response = await this.#failure(parsed.replyId);
    }
    this.#deps.metrics.requests.inc({ method, status: String(response.status) });
    return response;
  }

  async #serve(input: McpHttpInput, parsed: { replyId: RequestId | null }): Promise<Response> {
    const { request: http } = input;
    const refusal = this.#guard({ origin: http.headers.get('origin'), host: http.headers.get('host') });
    if (refusal !== undefined) return jsonRpcErrorResponse({ status: 403, code: RPC_ERROR.serverError, message: refusal });
    const pending = this.#auth.authenticate(http);
    const principal = pending instanceof Promise ? await pending : pending;
    if (!principal.ok) return principal.response;
    const authInfo = principal.authInfo ?? input.authInfo;
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
      const read = await readMcpMessages(input, this.#deps.options.maxBodyBytes);
      if (!read.ok) return read.response;
      ({ messages, body } = read);
    }
    const replyId = replyIdOf(messages);
    parsed.replyId = replyId;
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
