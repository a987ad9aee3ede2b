import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NodeStreamableHTTPServerTransport } from '@modelcontextprotocol/node';
import { SUPPORTED_PROTOCOL_VERSIONS, type JSONRPCMessage } from '@modelcontextprotocol/server';
import type { ServerMetrics } from '../observability/server-metrics';
import type { ResolvedServerOptions } from '../options';
import { readAppSessionIdHeader, resolveAppSessionId } from '../sessions/app-session-id';
import { createAuthenticator } from '../sessions/principal';
import type { SessionManager } from '../sessions/session-manager';
import type { Stores } from '../stores/index';
import type { FaultInjector } from '../testing/fault-injector';
import type { OpenResponses } from '../testing/open-responses';
import type { ServerStats } from '../testing/server-stats';
import { RPC_ERROR, sendJsonRpcError } from './json-rpc-error';
import { createOriginGuard, isLoopbackAddress } from './origin-guard';
import { readMcpMessages } from './read-mcp-messages';

export interface McpEndpointDeps {
  options: ResolvedServerOptions;
  manager: SessionManager;
  stores: Stores;
  stats: ServerStats;
  metrics: ServerMetrics;
  faults: FaultInjector;
  openResponses: OpenResponses;
  /** True once `close()` started: new sessions are refused. */
  isClosing(): boolean;
}

/** One parsed request: what every step after parsing needs. */
interface McpRequest {
  httpMethod: string;
  principalHash: string | null;
  messages: JSONRPCMessage[];
  rpcMethods: string[];
  appSessionId: string | undefined;
  /** JSON-RPC id for error replies when the POST carried exactly one request. */
  replyId: string | number | null;
  startedAt: number;
}

const HTTP_METHODS = new Set(['POST', 'GET', 'DELETE']);

/** How long a failed request waits for the store's ping before calling it down. */
const STORE_PING_TIMEOUT_MS = 1_000;

async function storeAnswers(store: Stores['sessions']): Promise<boolean> {
  const timeout = new Promise<never>((_, reject) => setTimeout(reject, STORE_PING_TIMEOUT_MS).unref());
  return Promise.race([store.ping(), timeout]).then(
    () => true,
    () => false,
  );
}

function methodOf(message: JSONRPCMessage): string | undefined {
  return 'method' in message ? message.method : undefined;
}

/**
 * The `/mcp` endpoint: guards (Origin/Host, auth, size, shape, protocol version), fault injection,
 * session routing (create at `initialize`, validate or adopt otherwise), then the SDK transport.
 * Everything refused here is refused before the store is touched.
 *
 * @example
 * ```ts
 * const endpoint = new McpEndpoint(deps);
 * http.createServer((req, res) => void endpoint.handle(req, res));
 * ```
 */
export class McpEndpoint {
  readonly #deps: McpEndpointDeps;
  readonly #guard: ReturnType<typeof createOriginGuard>;
  readonly #authenticate: ReturnType<typeof createAuthenticator>;
  readonly #appHeader: string;
  #inFlight = 0;

  constructor(deps: McpEndpointDeps) {
    this.#deps = deps;
    const { options } = deps;
    this.#guard = createOriginGuard({
      loopbackBind: isLoopbackAddress(options.host),
      allowedOrigins: options.allowedOrigins,
      allowedHosts: options.allowedHosts,
    });
    this.#authenticate = createAuthenticator(options.authTokens);
    this.#appHeader = options.sessionHeader.toLowerCase();
  }

  /** POST and DELETE requests not yet answered (GET streams are long-lived and not counted). */
  get inFlight(): number {
    return this.#inFlight;
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { stats, metrics } = this.#deps;
    const httpMethod = req.method ?? 'GET';
    stats.recordRequest(httpMethod, req.headers);
    // 'finish' (all written) usually comes first and right after end(), so a test reading stats just
    // after its response sees the count; 'close' covers responses cut before they finished.
    let counted = false;
    const countStatus = (): void => {
      if (counted) return;
      counted = true;
      stats.recordStatus(res.statusCode);
      metrics.requests.inc({ method: httpMethod, status: String(res.statusCode) });
    };
    res.once('finish', countStatus);
    res.once('close', countStatus);
    if (httpMethod !== 'GET') {
      this.#inFlight += 1;
      res.once('close', () => (this.#inFlight -= 1));
    }
    let request: McpRequest | undefined;
    try {
      request = await this.#parse(req, res, httpMethod);
      if (request === undefined) return;
      if (httpMethod === 'POST' && request.messages.length === 1 && request.rpcMethods[0] === 'initialize') {
        await this.#initialize(req, res, request);
      } else {
        await this.#continue(req, res, request);
      }
    } catch (error) {
      this.#deps.options.logger.error?.({ msg: 'MCP request failed', error: String(error) });
      // A store outage is transient: 503 + Retry-After tells clients to wait and resend, not give up.
      const storeUp = await storeAnswers(this.#deps.stores.sessions);
      sendJsonRpcError(res, {
        status: storeUp ? 500 : 503,
        code: RPC_ERROR.serverError,
        message: storeUp ? 'Internal server error' : 'Service Unavailable: session store unreachable',
        // Answer the request's own id when it was parsed, so a client can match the error to its call.
        id: request?.replyId ?? null,
        ...(storeUp ? {} : { headers: { 'retry-after': '1' } }),
      });
    }
  }

  /** Runs every check that needs no session; answers and returns undefined when one fails. */
  async #parse(req: IncomingMessage, res: ServerResponse, httpMethod: string): Promise<McpRequest | undefined> {
    const { options, stats, faults } = this.#deps;
    const refusal = this.#guard(req.headers);
    if (refusal !== undefined) {
      sendJsonRpcError(res, { status: 403, code: RPC_ERROR.serverError, message: refusal });
      return undefined;
    }
    const principal = this.#authenticate(req.headers.authorization);
    if (!principal.ok) {
      sendJsonRpcError(res, {
        status: 401,
        code: RPC_ERROR.serverError,
        message: principal.message,
        headers: { 'www-authenticate': 'Bearer' },
      });
      return undefined;
    }
    if (!HTTP_METHODS.has(httpMethod)) {
      sendJsonRpcError(res, {
        status: 405,
        code: RPC_ERROR.serverError,
        message: 'Method not allowed.',
        headers: { allow: 'GET, POST, DELETE' },
      });
      return undefined;
    }
    let messages: JSONRPCMessage[] = [];
    if (httpMethod === 'POST') {
      const parsed = await readMcpMessages(req, res, this.#deps.options.maxBodyBytes);
      if (parsed === undefined) return undefined;
      messages = parsed;
    }
    const rpcMethods = messages.map(methodOf).filter((method) => method !== undefined);
    stats.recordRpcMethods(rpcMethods);
    const only = messages.length === 1 ? messages[0] : undefined;
    const replyId = only !== undefined && 'id' in only ? (only.id ?? null) : null;

    const failure = faults.takeFailure(httpMethod, rpcMethods);
    if (failure !== undefined) {
      stats.recordFault();
      sendJsonRpcError(res, {
        status: failure.status,
        code: RPC_ERROR.serverError,
        message: `Injected failure: HTTP ${failure.status}`,
        id: replyId,
        ...(failure.retryAfter === undefined ? {} : { headers: { 'retry-after': String(failure.retryAfter) } }),
      });
      return undefined;
    }
    const appHeader = readAppSessionIdHeader(req.headers[this.#appHeader], options.sessionHeader);
    if (!appHeader.ok) {
      sendJsonRpcError(res, { status: 400, code: RPC_ERROR.invalidRequest, message: appHeader.message, id: replyId });
      return undefined;
    }
    const version = req.headers['mcp-protocol-version'];
    if (typeof version === 'string' && !SUPPORTED_PROTOCOL_VERSIONS.includes(version)) {
      sendJsonRpcError(res, {
        status: 400,
        code: RPC_ERROR.serverError,
        message: `Bad Request: Unsupported protocol version: ${version} (supported versions: ${SUPPORTED_PROTOCOL_VERSIONS.join(', ')})`,
        id: replyId,
      });
      return undefined;
    }
    return {
      httpMethod,
      principalHash: principal.principalHash,
      messages,
      rpcMethods,
      appSessionId: appHeader.value,
      replyId,
      startedAt: Date.now(),
    };
  }

  async #initialize(req: IncomingMessage, res: ServerResponse, request: McpRequest): Promise<void> {
    const { options, manager, stores } = this.#deps;
    const retryAfterSeconds = String(Math.max(1, Math.ceil(options.retryIntervalMs / 1_000)));
    if (this.#deps.isClosing() || manager.liveCount >= options.maxSessions) {
      const message = this.#deps.isClosing() ? 'Server is shutting down' : 'Server at session capacity';
      sendJsonRpcError(res, {
        status: 503,
        code: RPC_ERROR.serverError,
        message,
        id: request.replyId,
        headers: { 'retry-after': retryAfterSeconds },
      });
      return;
    }
    const [message] = request.messages;
    const initializeParams = message !== undefined && 'params' in message && message.params ? message.params : {};
    const appSessionId = await resolveAppSessionId(stores.sessions, request.appSessionId, request.principalHash, Date.now());
    const transport = await manager.begin({ appSessionId, principalHash: request.principalHash, initializeParams });
    res.setHeader(options.sessionHeader, appSessionId);
    await this.#delegate(req, res, request, transport, () => transport.sessionId);
  }

  async #continue(req: IncomingMessage, res: ServerResponse, request: McpRequest): Promise<void> {
    const { options, manager } = this.#deps;
    const sessionId = req.headers['mcp-session-id'];
    if (typeof sessionId !== 'string' || sessionId.length === 0) {
      sendJsonRpcError(res, {
        status: 400,
        code: RPC_ERROR.serverError,
        message: 'Bad Request: Mcp-Session-Id header is required',
        id: request.replyId,
      });
      return;
    }
    const live = await manager.find(sessionId, request.principalHash);
    if (live === undefined) {
      sendJsonRpcError(res, { status: 404, code: RPC_ERROR.sessionNotFound, message: 'Session not found', id: request.replyId });
      return;
    }
    const now = Date.now();
    if (!live.allowRequest(now, options.rateLimitRequests, options.rateLimitWindowMs)) {
      const retryAfter = Math.max(1, Math.ceil(live.retryAfterMs(now, options.rateLimitWindowMs) / 1_000));
      sendJsonRpcError(res, {
        status: 429,
        code: RPC_ERROR.serverError,
        message: `Too Many Requests: more than ${options.rateLimitRequests} per ${options.rateLimitWindowMs} ms for this session`,
        id: request.replyId,
        headers: { 'retry-after': String(retryAfter) },
      });
      return;
    }
    res.setHeader(options.sessionHeader, live.appSessionId);
    live.inFlight += 1;
    res.once('close', () => (live.inFlight -= 1));
    await this.#delegate(req, res, request, live.transport, () => sessionId);
  }

  async #delegate(
    req: IncomingMessage,
    res: ServerResponse,
    request: McpRequest,
    transport: NodeStreamableHTTPServerTransport,
    sessionIdOf: () => string | undefined,
  ): Promise<void> {
    const { faults, openResponses } = this.#deps;
    openResponses.track(res, faults.takeCutAfterEvents(request.httpMethod, request.rpcMethods));
    res.once('close', () => void this.#trackRequests(request, sessionIdOf(), res.statusCode));
    const body = request.httpMethod === 'POST' ? request.messages : undefined;
    await transport.handleRequest(req, res, body?.length === 1 ? body[0] : body);
  }

  async #trackRequests(request: McpRequest, sessionId: string | undefined, status: number): Promise<void> {
    if (sessionId === undefined) return;
    const durationMs = Date.now() - request.startedAt;
    try {
      for (const message of request.messages) {
        const method = methodOf(message);
        if (method === undefined) continue;
        const params = 'params' in message ? message.params : undefined;
        const tool = method === 'tools/call' && typeof params?.['name'] === 'string' ? params['name'] : null;
        const requestId = 'id' in message ? (message.id ?? null) : null;
        await this.#deps.stores.sessions.trackRequest({
          sessionId,
          requestId,
          method,
          tool,
          startedAt: request.startedAt,
          durationMs,
          status,
        });
      }
    } catch (error) {
      this.#deps.options.logger.warn?.({ msg: 'request tracking failed', sessionId, error: String(error) });
    }
  }
}
