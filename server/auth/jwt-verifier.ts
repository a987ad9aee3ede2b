/**
 * JWT access tokens (RFC 9068) verified locally with `jose` against the issuer's keys: signature with an allowed
 * algorithm, exact `iss`, `aud` naming this resource, `exp` required, `nbf`/`iat` with a small clock skew. Shaped
 * as the SDK's `OAuthTokenVerifier`, so the SDK's `verifyBearerToken` does the rest (header parsing, required
 * scopes, expiry) and its `bearerAuthChallengeResponse` answers refusals.
 */
import { OAuthError, OAuthErrorCode, type AuthInfo, type OAuthTokenVerifier } from '@modelcontextprotocol/server';
import type { JWTPayload } from 'jose';
import type { Jose } from './load-jose';
import type { ResolvedOAuthOptions } from './oauth-options';
import { SigningKeysUnavailableError, type SigningKeys } from './signing-keys';

/** Longer than any real access token (Entra ID's run to ~4 KB); refused before any parsing. */
const MAX_TOKEN_LENGTH = 16 * 1024;

/**
 * Who a verified token speaks for, in `authInfo.extra`: its `sub`, or for a token without one (some
 * `client_credentials` grants) its `client_id` (RFC 9068 §2.2 makes `sub` the client then).
 *
 * @example
 * ```ts
 * const { issuer, subject } = authInfo.extra as unknown as TokenSubject;
 * ```
 */
export interface TokenSubject {
  issuer: string;
  subject: string;
  subjectClaim: 'sub' | 'client_id';
  /** Every claim of the verified token (stated here, not as jose's `JWTPayload`: the public types name no
   * ESM-only package, so a CommonJS consumer type-checks them with `skipLibCheck: false`). */
  claims: TokenClaims;
}

/**
 * The claims of a verified access token: the registered ones typed, the rest as JSON.
 *
 * @example
 * ```ts
 * const claims: TokenClaims = { iss: 'https://auth.example.com', sub: 'alice', exp: 1_900_000_000, scope: 'notes:read' };
 * ```
 */
export interface TokenClaims {
  iss?: string;
  sub?: string;
  aud?: string | string[];
  jti?: string;
  nbf?: number;
  exp?: number;
  iat?: number;
  [claim: string]: unknown;
}

function invalid(description: string): OAuthError {
  return new OAuthError(OAuthErrorCode.InvalidToken, description);
}

/** jose's failure, as a description a client may see (no token content, no key material). */
function describe(error: unknown): OAuthError {
  const { code, claim } = error as { code?: unknown; claim?: unknown };
  switch (code) {
    case 'ERR_JWT_EXPIRED':
      return invalid('Token has expired');
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      if (claim === 'aud') return invalid('Token was not issued for this resource');
      if (claim === 'iss') return invalid('Token was not issued by the trusted issuer');
      if (claim === 'nbf' || claim === 'iat') return invalid('Token is not valid yet');
      if (claim === 'exp') return invalid('Token has no expiration time');
      return invalid('Token claims are invalid');
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return invalid('Token signature is invalid');
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
    case 'ERR_JOSE_NOT_SUPPORTED':
      return invalid('Token signing algorithm is not accepted');
    case 'ERR_JWKS_NO_MATCHING_KEY':
    case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
      return invalid('Token signing key is unknown');
    case 'ERR_JWS_INVALID':
    case 'ERR_JWT_INVALID':
    case 'ERR_JWKS_INVALID':
    case 'ERR_JWK_INVALID':
      return invalid('Token is not a valid JWT');
    default:
      throw error;
  }
}

function scopesOf(claims: JWTPayload): string[] {
  const { scope, scp } = claims as { scope?: unknown; scp?: unknown };
  // RFC 9068 `scope` is a space-separated string; some providers (Entra ID, Okta) send `scp`.
  const raw = typeof scope === 'string' ? scope : typeof scp === 'string' ? scp : Array.isArray(scp) ? scp.join(' ') : '';
  return raw.split(/\s+/).filter((item) => item.length > 0);
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/**
 * @example
 * ```ts
 * const verifier = createJwtVerifier({ jose, options, resource: 'https://mcp.example.com/mcp', keys });
 * const authInfo = await verifier.verifyAccessToken(token);
 * ```
 */
export function createJwtVerifier(deps: {
  jose: Jose;
  options: ResolvedOAuthOptions;
  resource: string;
  keys: SigningKeys;
}): OAuthTokenVerifier {
  const { jose, options, resource, keys } = deps;
  // The resource as the metadata names it, and without the slash URL.href adds to a bare origin.
  const audience = [...new Set([resource, resource.replace(/\/$/, ''), ...options.audience])];
  const resourceUrl = new URL(resource);
  return {
    async verifyAccessToken(token: string): Promise<AuthInfo> {
      if (token.length > MAX_TOKEN_LENGTH) throw invalid('Token is too large');
      let claims: JWTPayload;
      try {
        ({ payload: claims } = await jose.jwtVerify(token, keys.resolve, {
          issuer: options.issuer,
          audience,
          algorithms: [...options.algorithms],
          clockTolerance: options.clockToleranceSeconds,
          requiredClaims: ['exp'],
        }));
      } catch (error) {
        if (error instanceof SigningKeysUnavailableError) throw error;
        throw describe(error);
      }
      const sub = text(claims.sub);
      const clientId = text((claims as { client_id?: unknown }).client_id);
      const subject = sub ?? clientId;
      if (subject === undefined) throw invalid('Token has no subject');
      const extra: TokenSubject = { issuer: options.issuer, subject, subjectClaim: sub === undefined ? 'client_id' : 'sub', claims };
      return {
        token,
        clientId: clientId ?? text((claims as { azp?: unknown }).azp) ?? subject,
        scopes: scopesOf(claims),
        ...(typeof claims.exp === 'number' ? { expiresAt: claims.exp } : {}),
        resource: resourceUrl,
        extra: { ...extra },
      };
    },
  };
}
