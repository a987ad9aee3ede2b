/**
 * Who is calling, decided once per request before anything touches a session: the seam between the MCP endpoint
 * and the auth mode (none, static bearer tokens, OAuth resource server). Sessions are bound to `principalHash`.
 */
import type { AuthInfo, JSONRPCMessage } from '@modelcontextprotocol/server';
import { jsonRpcErrorResponse, RPC_ERROR } from '../http/json-rpc-error';
import { createAuthenticator } from '../sessions/principal';

/**
 * Accepted (with the principal sessions bind to, and the verified token for your tools), or the refusal to send.
 *
 * @example
 * ```ts
 * const outcome: AuthOutcome = { ok: true, principalHash: null };
 * ```
 */
export type AuthOutcome = { ok: true; principalHash: string | null; authInfo?: AuthInfo } | { ok: false; response: Response };

/**
 * @example
 * ```ts
 * const outcome = await authenticator.authenticate(request);
 * if (!outcome.ok) return outcome.response;
 * ```
 */
export interface RequestAuthenticator {
  /** Synchronous when it can be (no auth, static tokens): the hot path awaits nothing then. */
  authenticate(request: Request): AuthOutcome | Promise<AuthOutcome>;
  /** A refusal for what the body asks that the principal may not do (per-tool scopes), once the body is read. */
  authorize?(messages: readonly JSONRPCMessage[], authInfo: AuthInfo | undefined): Response | undefined;
}

/**
 * No auth (no tokens), or the static bearer tokens of `authToken`: the principal is the token's sha256.
 *
 * @example
 * ```ts
 * const authenticator = staticTokenAuthenticator(['secret']);
 * ```
 */
export function staticTokenAuthenticator(tokens: readonly string[]): RequestAuthenticator {
  const check = createAuthenticator(tokens);
  const anonymous: AuthOutcome = { ok: true, principalHash: null };
  if (tokens.length === 0) return { authenticate: () => anonymous };
  return {
    authenticate(request) {
      const principal = check(request.headers.get('authorization') ?? undefined);
      if (principal.ok) return { ok: true, principalHash: principal.principalHash };
      return {
        ok: false,
        response: jsonRpcErrorResponse({
          status: 401,
          code: RPC_ERROR.serverError,
          message: principal.message,
          headers: { 'www-authenticate': 'Bearer' },
        }),
      };
    },
  };
}
