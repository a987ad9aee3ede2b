/**
 * `archon-mcp-client/auth` (issue #11): the token stores for MCPClient's `tokenStore` option (`FileTokenStore`
 * needs node:fs, so it is not in the root entry, which also runs in browsers and edge runtimes), and the
 * coordinator behind `authProvider` for code outside MCPClient (`createAuthCoordinator`, `authorizedFetch`).
 * Built as a separate entry that shares chunks with the root one: one copy of the error classes.
 */
export { isAuthChallenge, type AuthChallenge, type AuthCoordinator, type AuthObservation, type AuthRequest } from './auth-coordinator';
export { AUTH_COORDINATOR_DEFAULTS, type AuthCoordinatorOptions, type MCPClientAuthOptions } from './auth-options';
export { authorizedFetch } from './authorized-fetch';
export { createAuthCoordinator } from './create-auth-coordinator';
export { FILE_TOKEN_STORE_DEFAULTS, FileTokenStore, defaultTokenDirectory, type FileTokenStoreOptions } from './file-token-store';
export { MemoryTokenStore, type StoredCredentials, type TokenStore, type TokenStoreLock } from './token-store';
