/**
 * How a token is presented to the resource (SEP-1932, RFC 9449): as `Bearer`, or, when the provider has a DPoP
 * key (`dpop()`) and the authorization server bound the token to it (`token_type: DPoP`), as `DPoP` with a
 * fresh proof per request that names the method, the URL and the token's hash, and the server's latest nonce.
 * The signing is the SDK's `DpopSession`; nothing here touches key material.
 */
import type { OAuthClientProvider } from '@modelcontextprotocol/client';
import type { AuthObservation, AuthRequest } from './auth-coordinator';
import type { CurrentToken } from './credential-backing';

function isDpopBound(token: CurrentToken): boolean {
  return token.tokenType?.toLowerCase() === 'dpop';
}

/**
 * The headers that carry `token` on `request`.
 *
 * @example
 * ```ts
 * const headers = await presentToken(provider, token, { method: 'POST', url }); // { authorization: 'DPoP ...', dpop: 'eyJ...' }
 * ```
 */
export async function presentToken(provider: OAuthClientProvider, token: CurrentToken, request: AuthRequest | undefined): Promise<Record<string, string>> {
  const session = isDpopBound(token) ? await provider.dpop?.() : undefined;
  // A Bearer token, or no key to prove possession with (the server will say what it wants).
  if (session === undefined) return { authorization: `Bearer ${token.accessToken}` };
  if (request === undefined) return { authorization: `DPoP ${token.accessToken}` };
  // RFC 9449 4.3: a proof is used once; every send, the resend after a challenge included, gets a new one.
  const proof = await session.buildProof({ htm: request.method, htu: request.url, accessToken: token.accessToken });
  return { authorization: `DPoP ${token.accessToken}`, dpop: proof };
}

/**
 * Remembers a `DPoP-Nonce` the resource sent (on any answer, RFC 9449 8.2) for the next proof to that origin.
 *
 * @example
 * ```ts
 * await rememberDpopNonce(provider, { url, dpopNonce: response.headers.get('dpop-nonce') });
 * ```
 */
export async function rememberDpopNonce(provider: OAuthClientProvider, observation: AuthObservation): Promise<void> {
  const nonce = observation.dpopNonce;
  if (typeof nonce !== 'string' || nonce === '' || nonce.length > 1_024 || typeof provider.dpop !== 'function') return;
  (await provider.dpop())?.rememberNonce(observation.url, nonce);
}
