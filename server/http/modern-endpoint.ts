import { createMcpHandler, type McpHttpHandler, type McpRequestContext, type RequestStateCodec, type ServerEventBus } from '@modelcontextprotocol/server';
import type { ResolvedSessionOptions } from '../session-options';
import type { SessionServerFactory } from '../session-server';
import type { AppSessions } from '../sessions/app-sessions';
import type { RequestLog } from '../sessions/request-log';
import { jsonRpcErrorResponse, RPC_ERROR } from './json-rpc-error';
import type { McpRequest } from './mcp-request';
import { newSessionRefusalResponse, type NewSessionRefusal } from './new-session-limits';

export interface ModernEndpointDeps {
  options: ResolvedSessionOptions;
  createServer: SessionServerFactory;
  requestState: RequestStateCodec;
  appSessions: AppSessions;
  requestLog: RequestLog;
  /** Change events for `subscriptions/listen` streams (shared across instances with the Redis/PostgreSQL stores). */
  bus: ServerEventBus;
  /** Why this request may not open a NEW app session now (shutdown, capacity, this client's rate), if it may not. */
  refuseNewSessions(request: McpRequest): NewSessionRefusal | undefined;
  /** Lets the session layer see (and wrap) each per-request instance, e.g. to route its resource updates. */
  onServer?(server: Awaited<ReturnType<SessionServerFactory>>): void;
}

/**
 * 2026-07-28 traffic: served per request by the SDK's own `createMcpHandler` (strict: `legacy: 'reject'`, since
 * legacy traffic never reaches it) from the SAME factory as the legacy sessions. The session layer adds what the
 * era has no notion of: the app session (`X-Archon-Session-Id`, the only session), validated, rate-limited,
 * bound to the principal, tracked and echoed.
 *
 * @example
 * ```ts
 * const modern = new ModernEndpoint(deps);
 * const response = await modern.serve(request);
 * ```
 */
export class ModernEndpoint {
  readonly #deps: ModernEndpointDeps;
  readonly #handler: McpHttpHandler;
  readonly #appSessionOf = new WeakMap<Request, string>();
  #inFlight = 0;

  constructor(deps: ModernEndpointDeps) {
    this.#deps = deps;
    const { options } = deps;
    this.#handler = createMcpHandler(
      async (context: McpRequestContext) => {
        const product = await deps.createServer({
          ...context,
          requestState: deps.requestState,
          appSessionId: context.requestInfo === undefined ? undefined : this.#appSessionOf.get(context.requestInfo),
          session: undefined,
        });
        deps.onServer?.(product);
        return product;
      },
      {
        legacy: 'reject',
        bus: deps.bus,
        maxRequestBodySize: options.maxBodyBytes,
        onerror: (error) => options.logger.debug?.({ msg: 'modern request refused', error: error.message }),
      },
    );
  }

  /** The SDK handler's notifier: publishes on the bus every listen stream reads. */
  get notify(): McpHttpHandler['notify'] {
    return this.#handler.notify;
  }

  /** Modern exchanges whose response has not been produced yet. */
  get inFlight(): number {
    return this.#inFlight;
  }

  async serve(request: McpRequest): Promise<Response> {
    const { options } = this.#deps;
    let appSessionId: string | undefined;
    if (request.appSessionId !== undefined) {
      const outcome = await this.#deps.appSessions.forRequest(request.appSessionId, request.principalHash, () => this.#deps.refuseNewSessions(request));
      if (!outcome.ok) return this.#refuse(request, outcome);
      appSessionId = outcome.appSessionId;
      this.#appSessionOf.set(request.http, appSessionId);
    }
    const batch = appSessionId === undefined ? undefined : this.#deps.requestLog.begin(appSessionId, request.messages, request.startedAt);
    this.#inFlight += 1;
    let response: Response;
    try {
      response = await this.#handler.fetch(request.http, {
        ...(request.body === undefined ? {} : { parsedBody: request.body }),
        ...(request.authInfo === undefined ? {} : { authInfo: request.authInfo }),
      });
    } finally {
      this.#inFlight -= 1;
    }
    batch?.settle(response.status, true);
    if (appSessionId !== undefined) response.headers.set(options.sessionHeader, appSessionId);
    return response;
  }

  close(): Promise<void> {
    return this.#handler.close();
  }

  #refuse(request: McpRequest, outcome: { reason: 'refused'; refusal: NewSessionRefusal } | { reason: 'rate-limited'; retryAfterMs: number }): Response {
    const { options } = this.#deps;
    if (outcome.reason === 'refused') return newSessionRefusalResponse(outcome.refusal, request.replyId);
    return jsonRpcErrorResponse({
      status: 429,
      code: RPC_ERROR.serverError,
      message: `Too Many Requests: more than ${options.rateLimitRequests} per ${options.rateLimitWindowMs} ms for this session`,
      id: request.replyId,
      headers: { 'retry-after': String(Math.max(1, Math.ceil(outcome.retryAfterMs / 1_000))) },
    });
  }
}
