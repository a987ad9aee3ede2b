/**
 * The factory MCPClient calls with its `authProvider` option: picks the coordinator for the provider's shape.
 */
import type { AuthCoordinator } from './auth-coordinator';
import { type AuthCoordinatorOptions, isOAuthClientProvider, resolveAuthOptions } from './auth-options';
import { OAuthCoordinator } from './oauth-coordinator';
import { TokenCoordinator } from './token-coordinator';

/**
 * Validates the options (throws `TypeError` for bad ones) and returns the coordinator for the provider. Nothing
 * is loaded or sent until the first `headers()`/`handleUnauthorized()`.
 *
 * @example
 * ```ts
 * import { ClientCredentialsProvider } from '@modelcontextprotocol/client';
 *
 * const auth = createAuthCoordinator({
 *   serverUrl: 'https://mcp.example.com/mcp',
 *   authProvider: new ClientCredentialsProvider({ clientId: 'agent', clientSecret: 'secret', expectedIssuer: 'https://auth.example.com' }),
 * });
 * const headers = await auth.headers(); // {} until the first 401 obtains a token
 * ```
 */
export function createAuthCoordinator(options: AuthCoordinatorOptions): AuthCoordinator {
  const resolved = resolveAuthOptions(options);
  const provider = resolved.authProvider;
  return isOAuthClientProvider(provider) ? new OAuthCoordinator(resolved, provider) : new TokenCoordinator(resolved, provider);
}
