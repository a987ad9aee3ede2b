/**
 * The auth layer (issue #11), self-contained until MCPClient takes an `authProvider`: the coordinator behind
 * the seam (`auth-coordinator.ts`), token stores, and a fetch that runs the seam's loop. The CLI and the tests
 * import it from here; the root entry exports only `AuthRequiredError` for now.
 */
export { isAuthChallenge, type AuthChallenge, type AuthCoordinator } from './auth-coordinator';
export { AUTH_COORDINATOR_DEFAULTS, type AuthCoordinatorOptions } from './auth-options';
export { authorizedFetch } from './authorized-fetch';
export { createAuthCoordinator } from './create-auth-coordinator';
export { FILE_TOKEN_STORE_DEFAULTS, FileTokenStore, defaultTokenDirectory, type FileTokenStoreOptions } from './file-token-store';
export { MemoryTokenStore, type StoredCredentials, type TokenStore, type TokenStoreLock } from './token-store';
