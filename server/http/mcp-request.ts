import type { DirectAnswerTarget } from './direct-answer';
import type { AuthInfo, JSONRPCMessage, RequestId } from '@modelcontextprotocol/server';

/**
 * One MCP request after the era-neutral checks (Origin/Host, auth, method, body, app session header): what
 * either era's endpoint needs to serve it.
 *
 * @example
 * ```ts
 * const request: McpRequest = { http, principalHash: null, authInfo: undefined, messages, body, appSessionId, replyId: 1, startedAt: Date.now() };
 * ```
 */
export interface McpRequest {
  /** Method, URL and headers; its body was already read into `body`. */
  http: Request;
  /** sha256 (hex) of the bearer token (`authToken`) or of the token's issuer and subject (`oauth`); null without auth. */
  principalHash: string | null;
  /** Auth info from upstream middleware, passed through to the SDK. */
  authInfo: AuthInfo | undefined;
  /** The POSTed JSON-RPC messages; empty for GET and DELETE. */
  messages: JSONRPCMessage[];
  /** The parsed POST body as sent (object or batch array); undefined for GET and DELETE. */
  body: unknown;
  /** The validated `X-Archon-Session-Id` header, when present. */
  appSessionId: string | undefined;
  /** The id of the one JSON-RPC request of the POST, for error answers; null otherwise. */
  replyId: RequestId | null;
  startedAt: number;
  /** The client's IP key (an IPv6 client: its /64), when the host gave an address; keys the new-session rate. */
  clientIp?: string | undefined;
  /** The host can take an SSE answer written straight to its response (see `direct-answer.ts`). */
  direct?: DirectAnswerTarget | undefined;
}
