/**
 * The one place that loads `@modelcontextprotocol/client` at run time. It is imported on first use, so the
 * root entry and every client without an `authProvider` never load it (test/package/root-entry.test.ts).
 */

/** The official SDK client package, as loaded. */
export type OAuthSdk = typeof import('@modelcontextprotocol/client');

let loading: Promise<OAuthSdk> | undefined;

/**
 * Loads the SDK once per process; a failed load is not cached, so a later call can try again.
 *
 * @example
 * ```ts
 * const { auth, extractWWWAuthenticateParams } = await loadOAuthSdk();
 * ```
 */
export function loadOAuthSdk(): Promise<OAuthSdk> {
  loading ??= import('@modelcontextprotocol/client').catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  return loading;
}
