/**
 * The coordinator for an `OAuthClientProvider`: every authorization step is the SDK's `auth()`; this class
 * decides when to run it, makes sure one run serves every concurrent caller of the slot (and, through the
 * store's lock, every process), and turns its outcome into 'retry' or a typed error.
 */
import type { OAuthClientProvider } from '@modelcontextprotocol/client';
import { log } from '../client/logger';
import { AuthRequiredError } from '../errors/tree';
import { type AuthChallenge, type AuthCoordinator, type AuthObservation, type AuthRequest, isDpopNonceChallenge } from './auth-coordinator';
import { authFailure, bearerToken, challengeParams, redirectRequired, safeOAuthCode } from './auth-failure';
import type { ResolvedAuthOptions } from './auth-options';
import { type AuthRun, RedirectSuppressed, newAuthRun } from './auth-run';
import { createAuthServerFetch } from './as-fetch';
import { type CredentialBacking, type CurrentToken, providerBacking, storeBacking } from './credential-backing';
import { presentToken, rememberDpopNonce } from './dpop-presentation';
import { guardProvider } from './guarded-provider';
import { loadOAuthSdk, type OAuthSdk } from './load-oauth-sdk';
import { refreshDueAt } from './refresh-schedule';
import { runFlight, type SlotState } from './slot-registry';

/** A 401 for a token that is no longer the current one is answered 'retry' at once, this many times per request. */
const MAX_AUTH_ROUNDS = 3;

interface AuthParams {
  readonly scope?: string | undefined;
  readonly authorizationCode?: string;
  readonly iss?: string | undefined;
  readonly forceReauthorization?: boolean;
}

function attemptOf(challenge: AuthChallenge): number {
  const attempt = challenge.attempt ?? 0;
  return Number.isInteger(attempt) && attempt >= 0 ? attempt : 0;
}

function scopeCovers(granted: string | undefined, wanted: string | undefined): boolean {
  const have = new Set((granted ?? '').split(/\s+/).filter(Boolean));
  return (wanted ?? '').split(/\s+/).every((scope) => scope === '' || have.has(scope));
}

function callbackParams(callback: string | URL | URLSearchParams): URLSearchParams {
  if (callback instanceof URLSearchParams) return callback;
  if (callback instanceof URL) return callback.searchParams;
  if (typeof callback !== 'string') throw new TypeError(`Expected the callback URL or its query, got ${typeof callback}`);
  try {
    return new URL(callback).searchParams;
  } catch {
    return new URLSearchParams(callback);
  }
}

/**
 * @example
 * ```ts
 * const coordinator = new OAuthCoordinator(resolveAuthOptions({ serverUrl, authProvider }), authProvider);
 * ```
 */
export class OAuthCoordinator implements AuthCoordinator {
  readonly #options: ResolvedAuthOptions;
  readonly #provider: OAuthClientProvider;
  readonly #backing: CredentialBacking;
  readonly #serverUrl: string;

  constructor(options: ResolvedAuthOptions, provider: OAuthClientProvider) {
    this.#options = options;
    this.#provider = provider;
    this.#serverUrl = options.serverUrl.href;
    this.#backing = options.tokenStore
      ? storeBacking(options.tokenStore, this.#serverUrl, provider, options.now)
      : providerBacking(provider, options.now);
  }

  get #slot(): SlotState {
    return this.#backing.slot;
  }

  async headers(request?: AuthRequest): Promise<Record<string, string>> {
    let token = await this.#backing.current(false);
    if (token !== undefined && this.#dueForRefresh(token)) {
      await this.#refreshAhead(token);
      token = await this.#backing.current(false);
    }
    return token === undefined ? {} : await presentToken(this.#provider, token, request);
  }

  async observe(observation: AuthObservation): Promise<void> {
    await rememberDpopNonce(this.#provider, observation);
  }

  async handleUnauthorized(challenge: AuthChallenge): Promise<'retry'> {
    const attempt = attemptOf(challenge);
    // RFC 9449 9: the token is fine, the proof lacked the server's nonce (now remembered through observe()).
    if (isDpopNonceChallenge(challenge.status, challenge.wwwAuthenticate) && typeof this.#provider.dpop === 'function') {
      if (attempt < 2) return 'retry';
      throw new AuthRequiredError(`The server at ${this.#serverUrl} kept refusing the DPoP nonce`, { reason: 'rejected', serverUrl: this.#serverUrl });
    }
    const sdk = await loadOAuthSdk();
    const params = challengeParams(sdk, challenge.status, challenge.wwwAuthenticate);
    if (params.resourceMetadataUrl !== undefined) this.#slot.resourceMetadataUrl = params.resourceMetadataUrl;
    const rejected = bearerToken(challenge.authorization);
    if (challenge.status === 403) return await this.#stepUp(sdk, params, rejected, attempt);
    if (challenge.status !== 401) throw new TypeError(`Expected a 401 or 403 challenge, got HTTP ${challenge.status}`);
    this.#slot.scope = sdk.computeScopeUnion(this.#slot.scope, params.scope);
    // Two rounds: joining an early refresh in flight may already have produced the token we need.
    for (let round = 0; round < 2; round++) {
      const current = await this.#backing.current(true);
      if (current !== undefined && current.accessToken !== rejected && attempt < MAX_AUTH_ROUNDS) return 'retry';
      if (attempt >= 1) {
        throw new AuthRequiredError(`The server at ${this.#serverUrl} rejected a freshly obtained access token (HTTP 401 after re-authorization)`, {
          reason: 'rejected',
          serverUrl: this.#serverUrl,
        });
      }
      // A login someone was already sent to is the only way on, unless a refresh token can still help.
      if (this.#slot.pending !== undefined && current?.refreshable !== true) throw this.#pendingError();
      const flight = await runFlight(this.#slot, 'interactive', () => this.#locked(() => this.#reauthorize(rejected)));
      if (flight.joined && flight.kind === 'proactive') continue;
      if (!flight.outcome.ok) throw flight.outcome.error;
      return 'retry';
    }
    return 'retry';
  }

  async finishAuth(callback: string | URL | URLSearchParams): Promise<void> {
    const params = callbackParams(callback);
    const slot = this.#slot;
    if (slot.expectedState !== undefined && params.get('state') !== slot.expectedState) {
      throw new AuthRequiredError('The authorization callback does not carry the state this client sent (stale or forged); authorize again', {
        reason: 'failed',
        serverUrl: this.#serverUrl,
      });
    }
    const code = params.get('code');
    const iss = params.get('iss') ?? undefined;
    if (code === null || code === '') {
      const sdk = await loadOAuthSdk();
      const metadata = slot.discovery?.authorizationServerMetadata;
      if (metadata !== undefined) {
        // RFC 9207 first: the error parameters of a mixed-up callback are the attacker's words.
        try {
          sdk.validateAuthorizationResponseIssuer({ iss, expectedIssuer: metadata.issuer, issParameterSupported: metadata.authorization_response_iss_parameter_supported === true });
        } catch (error) {
          throw authFailure(error, newAuthRun('interactive', false), sdk, this.#serverUrl);
        }
      }
      throw new AuthRequiredError(`The authorization was not granted (${safeOAuthCode(params.get('error'))})`, { reason: 'rejected', serverUrl: this.#serverUrl });
    }
    await this.#ownFlight(() => this.#runAuth(newAuthRun('interactive', false), { authorizationCode: code, iss, scope: slot.pending?.scope ?? slot.scope }));
    slot.pending = undefined;
    slot.expectedState = undefined;
    slot.codeVerifier = undefined;
  }

  async authorize(options: { scope?: string; force?: boolean } = {}): Promise<void> {
    const sdk = await loadOAuthSdk();
    const slot = this.#slot;
    slot.scope = sdk.computeScopeUnion(slot.scope, options.scope);
    if (options.force !== true) {
      const current = await this.#backing.current(true);
      if (current !== undefined && (current.expiresAtMs === undefined || this.#options.now() < current.expiresAtMs)) return;
      if (slot.pending !== undefined) throw this.#pendingError();
    }
    await this.#ownFlight(() => this.#runAuth(newAuthRun('interactive', true), { scope: slot.scope, forceReauthorization: options.force === true }));
  }

  /** Runs `body` as a flight of its own, after any flight in progress (finishAuth and authorize never join). */
  async #ownFlight(body: () => Promise<void>): Promise<void> {
    for (;;) {
      const flight = await runFlight(this.#slot, 'interactive', () => this.#locked(body));
      if (flight.joined) continue;
      if (!flight.outcome.ok) throw flight.outcome.error;
      return;
    }
  }

  /** SEP-2350: re-authorize for the union of every scope asked so far, at most `maxStepUps` times per request. */
  async #stepUp(sdk: OAuthSdk, params: { scope?: string; error?: string }, rejected: string | undefined, attempt: number): Promise<'retry'> {
    if (params.error !== 'insufficient_scope' || attempt >= this.#options.maxStepUps) {
      const limit = params.error === 'insufficient_scope' ? ` after ${this.#options.maxStepUps} step-up(s)` : '';
      throw new AuthRequiredError(`The server at ${this.#serverUrl} requires more scope (${params.scope ?? 'unspecified'})${limit}`, {
        reason: 'insufficient_scope',
        serverUrl: this.#serverUrl,
      });
    }
    const slot = this.#slot;
    const current = await this.#backing.current(true);
    const wanted = sdk.computeScopeUnion(slot.scope, current?.scope, params.scope);
    slot.scope = wanted;
    if (current !== undefined && current.accessToken !== rejected && scopeCovers(current.scope, wanted)) return 'retry';
    if (slot.pending !== undefined && scopeCovers(slot.pending.scope, wanted)) throw this.#pendingError();
    const force = sdk.isStrictScopeSuperset(wanted, current?.scope);
    const flight = await runFlight(slot, 'interactive', () =>
      this.#locked(() => this.#runAuth(newAuthRun('interactive', false), { scope: wanted, forceReauthorization: force })),
    );
    if (!flight.outcome.ok && !(flight.joined && flight.kind === 'proactive')) throw flight.outcome.error;
    return 'retry';
  }

  /** Inside the flight and the store lock: another caller or process may have refreshed while we waited. */
  async #reauthorize(rejected: string | undefined): Promise<void> {
    const fresh = await this.#backing.current(true);
    if (fresh !== undefined && fresh.accessToken !== rejected) return;
    await this.#runAuth(newAuthRun('interactive', true), { scope: this.#slot.scope });
  }

  async #runAuth(run: AuthRun, params: AuthParams): Promise<void> {
    const sdk = await loadOAuthSdk();
    const slot = this.#slot;
    let result: 'AUTHORIZED' | 'REDIRECT';
    try {
      result = await sdk.auth(guardProvider(this.#provider, this.#backing, run), {
        serverUrl: this.#options.serverUrl,
        resourceMetadataUrl: slot.resourceMetadataUrl,
        scope: params.scope,
        authorizationCode: params.authorizationCode,
        iss: params.iss,
        forceReauthorization: params.forceReauthorization,
        fetchFn: createAuthServerFetch(this.#options.fetch, this.#options, run),
      });
    } catch (error) {
      throw authFailure(error, run, sdk, this.#serverUrl);
    }
    if (result === 'AUTHORIZED') return;
    if (run.mode === 'proactive' || params.authorizationCode !== undefined || run.authorizationUrl === undefined) {
      throw run.mode === 'proactive' ? new RedirectSuppressed() : authFailure(new Error('the authorization server asked for another redirect'), run, sdk, this.#serverUrl);
    }
    slot.pending = { authorizationUrl: run.authorizationUrl.href, scope: params.scope };
    slot.expectedState = run.state;
    throw redirectRequired(this.#serverUrl, run.authorizationUrl.href, run.refreshRejected);
  }

  async #locked(body: () => Promise<void>): Promise<void> {
    const lock = await this.#backing.lock();
    try {
      await body();
    } finally {
      await lock?.release();
    }
  }

  #pendingError(): AuthRequiredError {
    const pending = this.#slot.pending;
    return redirectRequired(this.#serverUrl, pending?.authorizationUrl ?? '', false);
  }

  /** Early refresh needs an expiry and a way to refresh without a user (a refresh token, or client credentials). */
  #dueForRefresh(token: CurrentToken): boolean {
    const slot = this.#slot;
    if (token.expiresAtMs === undefined) return false;
    if (!token.refreshable && this.#provider.redirectUrl !== undefined) return false;
    const now = this.#options.now();
    if (now < slot.proactiveRetryAfterMs) return false;
    if (slot.refreshAt?.accessToken !== token.accessToken || slot.refreshAt.expiresAtMs !== token.expiresAtMs) {
      const lifetime = { obtainedAtMs: token.obtainedAtMs, expiresAtMs: token.expiresAtMs };
      const atMs = refreshDueAt(lifetime, this.#options, this.#options.random());
      slot.refreshAt = { accessToken: token.accessToken, expiresAtMs: token.expiresAtMs, atMs };
    }
    return now >= slot.refreshAt.atMs;
  }

  /** Never throws: a failed early refresh leaves the current token in use; the server's 401 decides later. */
  async #refreshAhead(seen: CurrentToken): Promise<void> {
    const slot = this.#slot;
    const flight = await runFlight(slot, 'proactive', () =>
      this.#locked(async () => {
        const fresh = await this.#backing.current(true);
        if (fresh === undefined || !this.#dueForRefresh(fresh)) return;
        await this.#runAuth(newAuthRun('proactive', false), { scope: slot.scope });
      }),
    );
    if (flight.joined) return;
    const fields = { url: this.#serverUrl, expiresAt: seen.expiresAtMs === undefined ? undefined : new Date(seen.expiresAtMs).toISOString() };
    if (flight.outcome.ok) {
      log(this.#options.logger, 'debug', fields, 'access token refreshed ahead of expiry');
      return;
    }
    slot.proactiveRetryAfterMs = this.#options.now() + this.#options.refreshRetryDelayMs;
    const error = flight.outcome.error;
    log(this.#options.logger, 'warn', { ...fields, error: error instanceof Error ? error.message : String(error) }, 'refreshing the access token ahead of expiry failed; keeping the current one');
  }
}
