/**
 * The coordinator for the SDK's minimal `AuthProvider { token(), onUnauthorized?() }`: API keys, tokens a
 * gateway hands out, anything whose owner refreshes it. There is no expiry to schedule and no flow to run:
 * a 401 calls `onUnauthorized` once for all concurrent callers, then the request is re-sent once.
 */
import type { AuthProvider } from '@modelcontextprotocol/client';
import { AuthRequiredError, isMcpClientError } from '../errors/tree';
import type { AuthChallenge, AuthCoordinator } from './auth-coordinator';
import { bearerToken } from './auth-failure';
import type { ResolvedAuthOptions } from './auth-options';
import { newAuthRun } from './auth-run';
import { createAuthServerFetch } from './as-fetch';
import { runFlight, slotState } from './slot-registry';

/**
 * @example
 * ```ts
 * const coordinator = new TokenCoordinator(resolveAuthOptions({ serverUrl, authProvider: { token: async () => process.env.API_KEY } }), provider);
 * ```
 */
export class TokenCoordinator implements AuthCoordinator {
  readonly #options: ResolvedAuthOptions;
  readonly #provider: AuthProvider;
  readonly #serverUrl: string;

  constructor(options: ResolvedAuthOptions, provider: AuthProvider) {
    this.#options = options;
    this.#provider = provider;
    this.#serverUrl = options.serverUrl.href;
  }

  async observe(): Promise<void> {
    // token() owns its tokens: nothing to remember about responses.
  }

  async headers(): Promise<Record<string, string>> {
    const token = await this.#provider.token();
    return typeof token === 'string' && token !== '' ? { authorization: `Bearer ${token}` } : {};
  }

  async handleUnauthorized(challenge: AuthChallenge): Promise<'retry'> {
    if (challenge.status === 403) {
      throw new AuthRequiredError(`The server at ${this.#serverUrl} requires more scope; a token() provider cannot step up`, {
        reason: 'insufficient_scope',
        serverUrl: this.#serverUrl,
      });
    }
    if (challenge.status !== 401) throw new TypeError(`Expected a 401 or 403 challenge, got HTTP ${challenge.status}`);
    const attempt = challenge.attempt ?? 0;
    const current = await this.#provider.token();
    if (current !== undefined && current !== '' && current !== bearerToken(challenge.authorization) && attempt < 3) return 'retry';
    const onUnauthorized = this.#provider.onUnauthorized;
    if (attempt >= 1 || onUnauthorized === undefined) {
      throw new AuthRequiredError(`The server at ${this.#serverUrl} rejected the token (HTTP 401)${onUnauthorized === undefined ? ' and the authProvider has no onUnauthorized()' : ' again after onUnauthorized()'}`, {
        reason: 'rejected',
        serverUrl: this.#serverUrl,
      });
    }
    const run = newAuthRun('interactive', false);
    const headers: Record<string, string> = {};
    if (typeof challenge.wwwAuthenticate === 'string') headers['www-authenticate'] = challenge.wwwAuthenticate;
    const flight = await runFlight(slotState(this.#provider), 'interactive', async () => {
      let response: Response;
      try {
        response = new Response(null, { status: 401, headers });
      } catch {
        response = new Response(null, { status: 401 });
      }
      await onUnauthorized.call(this.#provider, {
        response,
        serverUrl: this.#options.serverUrl,
        fetchFn: createAuthServerFetch(this.#options.fetch, this.#options, run),
      });
    });
    if (flight.outcome.ok) return 'retry';
    const error = flight.outcome.error;
    if (run.failure !== undefined) throw run.failure;
    if (isMcpClientError(error)) throw error;
    throw new AuthRequiredError(`The authProvider could not renew the token for ${this.#serverUrl}`, { reason: 'rejected', serverUrl: this.#serverUrl, cause: error });
  }

  async finishAuth(): Promise<void> {
    throw new TypeError('finishAuth needs an OAuthClientProvider as the authProvider; this one only has token()');
  }

  async authorize(): Promise<void> {
    // token() is the only source of credentials: there is nothing to start.
  }
}
