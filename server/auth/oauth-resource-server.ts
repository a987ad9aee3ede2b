/**
 * The `oauth` option, wired: `jose` loaded on demand, the issuer's signing keys (first fetch started now), the JWT
 * verifier, the request gate and the metadata document. What the session layer holds while `oauth` is set.
 */
import type { ServerLogger } from '../session-options';
import { createJwtVerifier } from './jwt-verifier';
import { loadJose } from './load-jose';
import { resolveOAuthOptions, type ResolvedOAuthOptions } from './oauth-options';
import { oauthAuthenticator } from './oauth-authenticator';
import { createProtectedResourceMetadata, type ProtectedResourceMetadata } from './protected-resource-metadata';
import type { RequestAuthenticator } from './request-authenticator';
import { SigningKeys } from './signing-keys';

export interface OAuthResourceServer {
  readonly authenticator: RequestAuthenticator;
  readonly metadata: ProtectedResourceMetadata;
  readonly keys: SigningKeys;
  close(): void;
}

/**
 * @example
 * ```ts
 * const oauth = await createOAuthResourceServer(resolved.oauth, logger);
 * const outcome = await oauth.authenticator.authenticate(request);
 * ```
 */
export async function createOAuthResourceServer(options: ResolvedOAuthOptions, logger: ServerLogger): Promise<OAuthResourceServer> {
  const { resource } = options;
  if (resource === undefined) {
    throw new TypeError('Expected `oauth.resource` to be the public URL of this MCP endpoint (the audience of its tokens), got undefined');
  }
  const jose = await loadJose();
  // A discovered jwks_uri passes the same checks as a configured one.
  const checkUri = (uri: string): string => {
    const checked = resolveOAuthOptions({ issuer: options.issuer, jwksUri: uri, allowInsecureHttp: options.allowInsecureHttp }).jwksUri;
    return checked ?? uri;
  };
  const keys = new SigningKeys({ jose, options, logger, checkUri });
  const metadata = createProtectedResourceMetadata(options, resource);
  const verifier = createJwtVerifier({ jose, options, resource, keys });
  const authenticator = oauthAuthenticator({ options, verifier, metadataUrl: metadata.url, logger });
  keys.warmUp();
  logger.info?.({ msg: 'oauth resource server ready', issuer: options.issuer, resource, metadataUrl: metadata.url });
  return { authenticator, metadata, keys, close: () => keys.close() };
}
