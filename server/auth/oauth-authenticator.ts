/**
 * The session layer's gate as an OAuth resource server: the SDK's `verifyBearerToken` over our JWT verifier, the
 * SDK's `bearerAuthChallengeResponse` for 401/403, and the principal every session binds to: a hash of the
 * token's issuer and subject, never of the token, so a refreshed token keeps its sessions and another subject
 * gets the same 404 as for an unknown session.
 */
import { createHash } from 'node:crypto';
import {
  bearerAuthChallengeResponse,
  OAuthError,
  OAuthErrorCode,
  verifyBearerToken,
  type AuthInfo,
  type JSONRPCMessage,
  type OAuthTokenVerifier,
} from '@modelcontextprotocol/server';
import { jsonRpcErrorResponse, RPC_ERROR } from '../http/json-rpc-error';
import type { ServerLogger } from '../session-options';
import type { TokenSubject } from './jwt-verifier';
import type { ResolvedOAuthOptions } from './oauth-options';
import type { RequestAuthenticator } from './request-authenticator';
import { SigningKeysUnavailableError } from './signing-keys';

export interface OAuthAuthenticatorDeps {
  options: ResolvedOAuthOptions;
  verifier: OAuthTokenVerifier;
  /** The RFC 9728 metadata URL named in every challenge. */
  metadataUrl: string;
  logger: ServerLogger;
}

/**
 * The principal of a verified token: sha256 of issuer and subject (hex).
 *
 * @example
 * ```ts
 * principalOf({ issuer: 'https://auth.example.com', subject: 'alice', subjectClaim: 'sub', claims });
 * ```
 */
export function principalOf(subject: Pick<TokenSubject, 'issuer' | 'subject' | 'subjectClaim'>): string {
  return createHash('sha256').update(`${subject.issuer}\n${subject.subjectClaim}:${subject.subject}`).digest('hex');
}

/** RFC 6750 §3.1: a request without credentials gets a challenge with no error code. */
function missingTokenResponse(metadataUrl: string, requiredScopes: readonly string[]): Response {
  const scope = requiredScopes.length === 0 ? '' : `, scope="${requiredScopes.join(' ')}"`;
  return jsonRpcErrorResponse({
    status: 401,
    code: RPC_ERROR.serverError,
    message: 'Missing bearer token',
    headers: { 'www-authenticate': `Bearer resource_metadata="${metadataUrl}"${scope}` },
  });
}

/** The tool a `tools/call` request names, when it is one. */
function toolOf(message: JSONRPCMessage): string | undefined {
  if (!('method' in message) || message.method !== 'tools/call' || !('id' in message)) return undefined;
  const name = (message.params as { name?: unknown } | undefined)?.name;
  return typeof name === 'string' ? name : undefined;
}

/**
 * @example
 * ```ts
 * const authenticator = oauthAuthenticator({ options, verifier, metadataUrl, logger });
 * const outcome = await authenticator.authenticate(request);
 * ```
 */
export function oauthAuthenticator(deps: OAuthAuthenticatorDeps): RequestAuthenticator {
  const { options, verifier, metadataUrl, logger } = deps;
  const requiredScopes = [...options.requiredScopes];
  const challenge = { requiredScopes, resourceMetadataUrl: metadataUrl };
  const toolScopes = new Map([...options.toolScopes].map(([tool, scopes]) => [tool, [...new Set([...requiredScopes, ...scopes])]]));

  return {
    async authenticate(request) {
      // As the SDK's requireBearerAuth: fetch joins repeated headers with commas, and a token has none.
      const [header] = (request.headers.get('authorization') ?? '').split(',');
      if (header === undefined || header.trim() === '') return { ok: false, response: missingTokenResponse(metadataUrl, requiredScopes) };
      let authInfo: AuthInfo;
      try {
        authInfo = await verifyBearerToken(header.trim(), { verifier, ...challenge });
      } catch (error) {
        if (error instanceof SigningKeysUnavailableError) {
          return {
            ok: false,
            response: jsonRpcErrorResponse({
              status: 503,
              code: RPC_ERROR.serverError,
              message: 'Service Unavailable: the token signing keys cannot be fetched',
              headers: { 'retry-after': '1' },
            }),
          };
        }
        if (!(error instanceof OAuthError)) throw error;
        logger.debug?.({ msg: 'oauth token refused', error: error.code, reason: error.message });
        return { ok: false, response: bearerAuthChallengeResponse(error, challenge) };
      }
      return { ok: true, principalHash: principalOf(authInfo.extra as unknown as TokenSubject), authInfo };
    },

    authorize(messages, authInfo) {
      if (toolScopes.size === 0 || authInfo === undefined) return undefined;
      const granted = new Set(authInfo.scopes);
      for (const message of messages) {
        const tool = toolOf(message);
        const needed = tool === undefined ? undefined : toolScopes.get(tool);
        if (needed === undefined || needed.every((scope) => granted.has(scope))) continue;
        const refusal = new OAuthError(OAuthErrorCode.InsufficientScope, `Tool ${tool} requires scope ${needed.join(' ')}`);
        logger.debug?.({ msg: 'oauth token refused', error: refusal.code, reason: refusal.message });
        return bearerAuthChallengeResponse(refusal, { requiredScopes: needed, resourceMetadataUrl: metadataUrl });
      }
      return undefined;
    },
  };
}
