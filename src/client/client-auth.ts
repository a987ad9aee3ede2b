/**
 * MCPClient's side of the auth seam (issue #11): one `ClientAuth` per client, built from the `authProvider`,
 * `tokenStore` and `auth` options, handed to the exchange (which authorizes every request and answers 401/403
 * challenges) and behind `client.finishAuth()`. The coordinator (src/auth/) is imported on first use, so a client
 * without an `authProvider`, and the root entry itself, load none of it (test/package/root-entry.test.ts); the
 * coordinator in turn loads the SDK's `auth()` only when a flow runs.
 */
import type { AuthCoordinator } from '../auth/auth-coordinator';
import type { AuthCoordinatorOptions } from '../auth/auth-options';
import type { RequestAuthorizer } from '../transport/authorized-send';

let providers = 0;
const providerIds = new WeakMap<object, number>();

/** A stable id per provider object, so two clients with one provider share a cache partition and nothing else. */
function providerId(provider: object): number {
  let id = providerIds.get(provider);
  if (id === undefined) providerIds.set(provider, (id = ++providers));
  return id;
}

/**
 * @example
 * ```ts
 * const auth = new ClientAuth({ serverUrl: url, authProvider: { token: async () => process.env.MCP_TOKEN } });
 * const headers = await auth.headers({ method: 'POST', url: new URL(url) });
 * ```
 */
export class ClientAuth implements RequestAuthorizer {
  /**
   * Whose credentials these are, for the response cache's `private` partition: the token changes on every
   * refresh, the principal does not. One token store and resource, or one provider object, is one principal.
   */
  readonly partition: string;
  readonly #options: AuthCoordinatorOptions;
  #loading: Promise<AuthCoordinator> | undefined;
  #coordinator: AuthCoordinator | undefined;

  /** `options` were validated by `resolveAuthOptions` in the client's constructor. */
  constructor(options: AuthCoordinatorOptions) {
    this.#options = options;
    const store = options.tokenStore;
    this.partition = store !== undefined ? `store ${store.id} ${String(options.serverUrl)}` : `provider ${providerId(options.authProvider)}`;
  }

  #load(): AuthCoordinator | Promise<AuthCoordinator> {
    if (this.#coordinator !== undefined) return this.#coordinator;
    this.#loading ??= import('../auth/create-auth-coordinator').then(
      ({ createAuthCoordinator }) => (this.#coordinator = createAuthCoordinator(this.#options)),
      (error: unknown) => {
        this.#loading = undefined; // a failed load is not cached: the next request tries again
        throw error;
      },
    );
    return this.#loading;
  }

  async headers(request: Parameters<RequestAuthorizer['headers']>[0]): Promise<Readonly<Record<string, string>>> {
    return await (await this.#load()).headers(request);
  }

  async observe(observation: Parameters<RequestAuthorizer['observe']>[0]): Promise<void> {
    await (await this.#load()).observe(observation);
  }

  async handleUnauthorized(challenge: Parameters<RequestAuthorizer['handleUnauthorized']>[0]): Promise<'retry'> {
    return await (await this.#load()).handleUnauthorized(challenge);
  }

  /** Completes an authorization the user approved (the whole callback URL, or its query). */
  async finishAuth(callback: string | URL | URLSearchParams): Promise<void> {
    await (await this.#load()).finishAuth(callback);
  }
}
