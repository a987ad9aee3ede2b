import { SUPPORTED_PROTOCOL_VERSIONS, type JSONRPCMessage } from '@modelcontextprotocol/server';
import type { ResolvedSessionOptions } from '../session-options';
import type { AppSessions } from '../sessions/app-sessions';
import type { LiveSession, SessionPair } from '../sessions/live-session';
import type { RequestLog } from '../sessions/request-log';
import type { SessionManager } from '../sessions/session-manager';
import { serveDirectPost } from '../sessions/direct-post';
import type { McpRequest } from './mcp-request';
import { DIRECT_ANSWER } from './direct-answer';
import { jsonRpcErrorResponse, RPC_ERROR } from './json-rpc-error';
import { newSessionRefusalResponse, type NewSessionRefusal } from './new-session-limits';
import type { OpenStreams } from './open-streams';
import { screenTransportAnswer } from './transport-answers';

export interface LegacyEndpointDeps {
  options: ResolvedSessionOptions;
  manager: SessionManager;
  appSessions: AppSessions;
  requestLog: RequestLog;
  openStreams: OpenStreams;
  /** Why this request may not open a new session now (shutdown, capacity, this client's rate), if it may not. */
  refuseNewSessions(request: McpRequest): NewSessionRefusal | undefined;
}

function isInitialize(messages: readonly JSONRPCMessage[]): boolean {
  const [first] = messages;
  return messages.length === 1 && first !== undefined && 'method' in first && first.method === 'initialize';
}

/**
 * 2025-era traffic (`initialize`, `Mcp-Session-Id`, GET stream, DELETE): sessions created at `initialize`,
 * validated (or adopted) on every later request, rate-limited per session, then handed to the SDK's own
 * sessionful transport. The app session id (`X-Archon-Session-Id`) is claimed at `initialize` and echoed on
 * every answer.
 *
 * @example
 * ```ts
 * const legacy = new LegacyEndpoint(deps);
 * const response = await legacy.serve(request);
 * ```
 */
export class LegacyEndpoint {
  readonly #deps: LegacyEndpointDeps;

  constructor(deps: LegacyEndpointDeps) {
    this.#deps = deps;
  }

  async serve(request: McpRequest): Promise<Response> {
    const version = request.http.headers.get('mcp-protocol-version');
    if (version !== null && !SUPPORTED_PROTOCOL_VERSIONS.includes(version)) {
      return jsonRpcErrorResponse({
        status: 400,
        code: RPC_ERROR.serverError,
        message: `Bad Request: Unsupported protocol version: ${version} (supported versions: ${SUPPORTED_PROTOCOL_VERSIONS.join(', ')})`,
        id: request.replyId,
      });
    }
    if (request.http.method === 'POST' && isInitialize(request.messages)) return this.#initialize(request);
    return this.#continue(request);
  }

  async #initialize(request: McpRequest): Promise<Response> {
    const { manager, appSessions } = this.#deps;
    const refusal = this.#deps.refuseNewSessions(request);
    if (refusal !== undefined) return newSessionRefusalResponse(refusal, request.replyId);
    const [message] = request.messages;
    const params = message !== undefined && 'params' in message && message.params ? message.params : {};
    const appSession = await appSessions.claimForSession(request.appSessionId, request.principalHash);
    const { live, pair } = await manager.begin({
      appSessionId: appSession,
      principalHash: request.principalHash,
      initializeParams: params,
      requestInfo: request.http,
      authInfo: request.authInfo,
    });
    live.holds += 1;
    try {
      return await this.#delegate(request, live, pair);
    } finally {
      this.#release(live);
    }
  }

  async #continue(request: McpRequest): Promise<Response> {
    const { options, manager } = this.#deps;
    const sessionId = request.http.headers.get('mcp-session-id');
    if (sessionId === null || sessionId.length === 0) {
      return jsonRpcErrorResponse({
        status: 400,
        code: RPC_ERROR.serverError,
        message: 'Bad Request: Mcp-Session-Id header is required',
        id: request.replyId,
      });
    }
    const live = await manager.find(sessionId, request.principalHash);
    if (live === undefined) {
      return jsonRpcErrorResponse({ status: 404, code: RPC_ERROR.sessionNotFound, message: 'Session not found', id: request.replyId });
    }
    // Held from validation until the transport has it, so the session's server is not released in between.
    live.holds += 1;
    try {
      return await this.#serveSession(request, live);
    } finally {
      this.#release(live);
    }
  }

  async #serveSession(request: McpRequest, live: LiveSession): Promise<Response> {
    const { options, manager } = this.#deps;
    const now = Date.now();
    if (!live.allowRequest(now, options.rateLimitRequests, options.rateLimitWindowMs)) {
      const retryAfter = Math.max(1, Math.ceil(live.retryAfterMs(now, options.rateLimitWindowMs) / 1_000));
      return jsonRpcErrorResponse({
        status: 429,
        code: RPC_ERROR.serverError,
        message: `Too Many Requests: more than ${options.rateLimitRequests} per ${options.rateLimitWindowMs} ms for this session`,
        id: request.replyId,
        headers: { 'retry-after': String(retryAfter) },
      });
    }
    let pair: SessionPair;
    try {
      pair = await manager.activate(live);
    } catch (error) {
      // As when adoption is impossible: the client re-initializes.
      options.logger.warn?.({ msg: 'session server could not be rebuilt', sessionId: live.sessionId, error: String(error) });
      await manager.forget(live.sessionId);
      return jsonRpcErrorResponse({ status: 404, code: RPC_ERROR.sessionNotFound, message: 'Session not found', id: request.replyId });
    }
    if (request.direct !== undefined) {
      // A plain POST answered straight into the host's response (direct-post.ts); anything else, or a check
      // that fails, goes to the SDK's handleRequest below, which begins the batch again (same keys).
      const direct = request.direct;
      const batch = this.#deps.requestLog.begin(live.sessionId, request.messages, request.startedAt);
      let served: boolean;
      try {
        served = await serveDirectPost(pair.transport, request.http, request.messages, request.authInfo, direct.open, {
          [this.#deps.options.sessionHeader]: live.appSessionId,
        });
      } catch (error) {
        batch.settle(500, true);
        throw error;
      }
      if (served) {
        batch.settle(200, false);
        return DIRECT_ANSWER;
      }
    }
    return this.#delegate(request, live, pair);
  }

  #release(live: LiveSession): void {
    live.holds -= 1;
    live.pairUsedAt = Date.now();
  }

  async #delegate(request: McpRequest, live: LiveSession, pair: SessionPair): Promise<Response> {
    const batch = this.#deps.requestLog.begin(live.sessionId, request.messages, request.startedAt);
    let response: Response;
    try {
      response = await screenTransportAnswer(
        await pair.transport.handleRequest(request.http, {
          ...(request.body === undefined ? {} : { parsedBody: request.body }),
          ...(request.authInfo === undefined ? {} : { authInfo: request.authInfo }),
        }),
      );
    } catch (error) {
      batch.settle(500, true);
      throw error;
    }
    if (live.creationError !== undefined) {
      batch.settle(503, true);
      await response.body?.cancel().catch(() => undefined);
      throw live.creationError;
    }
    batch.settle(response.status, response.status !== 200);
    response.headers.set(this.#deps.options.sessionHeader, live.appSessionId);
    const isStream = response.headers.get('content-type')?.startsWith('text/event-stream') ?? false;
    if (request.http.method !== 'GET' || !isStream) return response;
    // An open GET stream keeps the session's server: notifications from it go out on the stream.
    live.openStreams += 1;
    return this.#deps.openStreams.track(response, () => {
      live.openStreams -= 1;
      live.pairUsedAt = Date.now();
    });
  }
}
