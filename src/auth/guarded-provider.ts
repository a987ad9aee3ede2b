/**
 * The `OAuthClientProvider` handed to the SDK's `auth()` for one run. It forwards to the user's provider
 * (metadata, redirect, client authentication, grant preparation) and keeps what the coordinator must control:
 * - credentials go to the backing (the provider itself or a token store) and are timed when saved;
 * - `invalidateCredentials('tokens')` (the SDK's answer to `invalid_grant`) drops only the refresh token:
 *   a refresh failure never wipes an access token that may still be valid;
 * - the redirect is recorded (and, in an early refresh, refused before any verifier or state is made);
 * - `state` is always sent and remembered, so `finishAuth` can check the callback (the SDK does not);
 * - the PKCE verifier and discovery are kept per slot, so any client of the process can finish the flow.
 * `dpop()` is forwarded: the SDK then binds the token request to the provider's DPoP key (RFC 9449 5, with the
 * authorization server's nonce), and the coordinator signs a proof for every resource request.
 */
import type { OAuthClientInformationContext, OAuthClientProvider, OAuthDiscoveryState } from '@modelcontextprotocol/client';
import { type AuthRun, RedirectSuppressed } from './auth-run';
import type { CredentialBacking } from './credential-backing';

type Scope = Parameters<NonNullable<OAuthClientProvider['invalidateCredentials']>>[0];

/** Copies the optional members the SDK tests for with `provider.x !== undefined` only when the user has them. */
function forwardOptional(user: OAuthClientProvider, target: Partial<OAuthClientProvider>): void {
  if (user.addClientAuthentication !== undefined) target.addClientAuthentication = user.addClientAuthentication.bind(user);
  if (typeof user.validateResourceURL === 'function') target.validateResourceURL = user.validateResourceURL.bind(user);
  if (typeof user.scopeForRefresh === 'function') target.scopeForRefresh = user.scopeForRefresh.bind(user);
  if (typeof user.prepareTokenRequest === 'function') target.prepareTokenRequest = user.prepareTokenRequest.bind(user);
  if (typeof user.saveAuthorizationServerUrl === 'function') target.saveAuthorizationServerUrl = user.saveAuthorizationServerUrl.bind(user);
  if (typeof user.authorizationServerUrl === 'function') target.authorizationServerUrl = user.authorizationServerUrl.bind(user);
  if (typeof user.saveResourceUrl === 'function') target.saveResourceUrl = user.saveResourceUrl.bind(user);
  if (typeof user.resourceUrl === 'function') target.resourceUrl = user.resourceUrl.bind(user);
  if (typeof user.dpop === 'function') target.dpop = user.dpop.bind(user);
}

/**
 * @example
 * ```ts
 * const result = await auth(guardProvider(userProvider, backing, run), { serverUrl, fetchFn });
 * ```
 */
export function guardProvider(user: OAuthClientProvider, backing: CredentialBacking, run: AuthRun): OAuthClientProvider {
  const { slot } = backing;
  const note = (ctx: OAuthClientInformationContext | undefined): string | undefined => {
    if (ctx?.issuer !== undefined) run.issuer = ctx.issuer;
    return ctx?.issuer;
  };
  const suppressInProactiveRun = (): void => {
    if (run.mode === 'proactive') throw new RedirectSuppressed();
  };

  const guarded: OAuthClientProvider = {
    get redirectUrl() {
      return user.redirectUrl;
    },
    get clientMetadataUrl() {
      return user.clientMetadataUrl;
    },
    get clientMetadata() {
      return user.clientMetadata;
    },
    async state() {
      suppressInProactiveRun();
      const state = typeof user.state === 'function' ? await user.state() : globalThis.crypto.randomUUID();
      run.state = state;
      return state;
    },
    async clientInformation(ctx) {
      return await backing.clientInformation(note(ctx));
    },
    async tokens(ctx) {
      return await backing.tokens(note(ctx));
    },
    async saveTokens(tokens, ctx) {
      await backing.saveTokens(tokens, note(ctx));
    },
    async redirectToAuthorization(authorizationUrl) {
      suppressInProactiveRun();
      run.authorizationUrl = authorizationUrl;
      await user.redirectToAuthorization(authorizationUrl);
    },
    async saveCodeVerifier(codeVerifier) {
      suppressInProactiveRun();
      slot.codeVerifier = codeVerifier;
      await user.saveCodeVerifier(codeVerifier);
    },
    async codeVerifier() {
      return slot.codeVerifier ?? (await user.codeVerifier());
    },
    async saveDiscoveryState(state: OAuthDiscoveryState) {
      slot.discovery = state;
      await user.saveDiscoveryState?.(state);
    },
    async discoveryState() {
      if (run.rediscover) return undefined;
      return slot.discovery ?? (await user.discoveryState?.());
    },
    async invalidateCredentials(scope: Scope) {
      switch (scope) {
        case 'tokens':
          run.refreshRejected = true;
          await backing.dropRefreshToken(run.issuer);
          return;
        case 'client':
          await backing.dropClientInformation(run.issuer);
          return;
        case 'verifier':
          slot.codeVerifier = undefined;
          await user.invalidateCredentials?.('verifier');
          return;
        case 'discovery':
          slot.discovery = undefined;
          await user.invalidateCredentials?.('discovery');
          return;
        case 'all':
          slot.codeVerifier = undefined;
          slot.discovery = undefined;
          await backing.forgetAll();
          return;
      }
    },
  };
  if (backing.canSaveClientInformation) {
    guarded.saveClientInformation = async (information, ctx) => {
      await backing.saveClientInformation(information, note(ctx));
    };
  }
  forwardOptional(user, guarded);
  return guarded;
}
