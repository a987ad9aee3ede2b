/**
 * Finds the issuer's `jwks_uri` the way the MCP authorization spec tells clients to find its metadata: RFC 8414
 * (path insertion), then OpenID Connect discovery (path insertion, then path appending), each document checked
 * for the exact `issuer` before anything in it is used (RFC 8414 §3.3).
 */
import { DocumentFetchError, fetchJsonDocument, type DocumentFetchLimits } from './fetch-json-document';

/**
 * The metadata URLs of `issuer`, in the spec's order.
 *
 * @example
 * ```ts
 * metadataUrls('https://auth.example.com/tenant1');
 * // ['https://auth.example.com/.well-known/oauth-authorization-server/tenant1', '.../.well-known/openid-configuration/tenant1', '.../tenant1/.well-known/openid-configuration']
 * ```
 */
export function metadataUrls(issuer: string): string[] {
  const url = new URL(issuer);
  const path = url.pathname.replace(/\/$/, '');
  const at = (pathname: string): string => new URL(pathname, url.origin).href;
  if (path === '') return [at('/.well-known/oauth-authorization-server'), at('/.well-known/openid-configuration')];
  return [
    at(`/.well-known/oauth-authorization-server${path}`),
    at(`/.well-known/openid-configuration${path}`),
    at(`${path}/.well-known/openid-configuration`),
  ];
}

/**
 * The `jwks_uri` of `issuer`'s metadata. `checkUri` validates it (https, or loopback) before it is returned.
 *
 * @example
 * ```ts
 * const jwksUri = await discoverJwksUri('https://auth.example.com', { timeoutMs: 5_000, maxBytes: 262_144 }, (uri) => uri);
 * ```
 */
export async function discoverJwksUri(issuer: string, limits: DocumentFetchLimits, checkUri: (uri: string) => string): Promise<string> {
  for (const url of metadataUrls(issuer)) {
    let metadata: Record<string, unknown>;
    try {
      metadata = await fetchJsonDocument(url, limits);
    } catch (error) {
      // Not published at this location (404, or the 400/403 some servers answer for unknown paths): try the next.
      const status = error instanceof DocumentFetchError ? error.status : undefined;
      if (status !== undefined && status >= 400 && status < 500) continue;
      throw error;
    }
    if (metadata['issuer'] !== issuer) {
      throw new DocumentFetchError(`${url} names issuer ${JSON.stringify(metadata['issuer'])}, not ${JSON.stringify(issuer)}`);
    }
    const jwksUri = metadata['jwks_uri'];
    if (typeof jwksUri !== 'string') throw new DocumentFetchError(`${url} has no jwks_uri`);
    try {
      return checkUri(jwksUri);
    } catch (error) {
      throw new DocumentFetchError(`${url} names an unusable jwks_uri: ${(error as Error).message}`, { cause: error });
    }
  }
  throw new DocumentFetchError(`no authorization server metadata for ${issuer} (tried ${metadataUrls(issuer).join(', ')})`);
}
