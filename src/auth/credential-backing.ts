/**
 * Where the coordinator's credentials live: in the user's `OAuthClientProvider` (the SDK's model), or in a
 * `TokenStore` (one record per issuer and resource, shared between processes). The guarded provider handed
 * to `auth()` reads and writes through this, so the rest of the coordinator does not care which.
 */
import type { OAuthClientProvider, StoredOAuthClientInformation, StoredOAuthTokens } from '@modelcontextprotocol/client';
import { tokenExpiresAt } from './refresh-schedule';
import { type SlotState, slotState } from './slot-registry';
import type { StoredCredentials, TokenStore, TokenStoreLock } from './token-store';

/** The token requests are sent with, and what the schedule needs to know about it. */
export interface CurrentToken {
  readonly accessToken: string;
  /** The `token_type` the authorization server issued (`Bearer`, or `DPoP` for a sender-constrained token). */
  readonly tokenType: string | undefined;
  readonly scope: string | undefined;
  readonly refreshable: boolean;
  readonly obtainedAtMs: number | undefined;
  readonly expiresAtMs: number | undefined;
}

/** One credential slot, as the coordinator and the guarded provider see it. */
export interface CredentialBacking {
  readonly slot: SlotState;
  /** The current token; `fresh` re-reads shared storage (another process may have refreshed). */
  current(fresh: boolean): Promise<CurrentToken | undefined>;
  /** Exclusive across processes when the store supports it; `undefined` otherwise. */
  lock(): Promise<TokenStoreLock | undefined>;
  tokens(issuer: string | undefined): Promise<StoredOAuthTokens | undefined>;
  saveTokens(tokens: StoredOAuthTokens, issuer: string | undefined): Promise<void>;
  clientInformation(issuer: string | undefined): Promise<StoredOAuthClientInformation | undefined>;
  /** Whether `auth()` may register a client (DCR or a metadata document) and save it. */
  readonly canSaveClientInformation: boolean;
  saveClientInformation(information: StoredOAuthClientInformation, issuer: string | undefined): Promise<void>;
  /** `invalid_grant`: the refresh token is dead; the access token stays until it expires or is rejected. */
  dropRefreshToken(issuer: string | undefined): Promise<void>;
  /** `invalid_client`: forget a saved registration so `auth()` registers again. */
  dropClientInformation(issuer: string | undefined): Promise<void>;
  /** Everything: tokens, registrations (`logout`). */
  forgetAll(): Promise<void>;
}

function contextOf(issuer: string | undefined): { issuer: string } | undefined {
  return issuer === undefined ? undefined : { issuer };
}

/** The refresh token and granted scope of stored tokens, for the checks that only need those. */
function tokenSummary(tokens: StoredOAuthTokens | undefined): { refreshable: boolean; scope: string | undefined; tokenType: string | undefined } {
  return { refreshable: typeof tokens?.refresh_token === 'string' && tokens.refresh_token !== '', scope: tokens?.scope, tokenType: tokens?.token_type };
}

function withoutRefreshToken(tokens: StoredOAuthTokens): StoredOAuthTokens {
  const { refresh_token: _dropped, ...rest } = tokens;
  return rest;
}

/**
 * Credentials kept by the user's provider. Expiry is known only for tokens saved through this process (the
 * SDK's `OAuthTokens` carry a relative `expires_in`); others are refreshed when the server answers 401.
 */
export function providerBacking(provider: OAuthClientProvider, now: () => number): CredentialBacking {
  const slot = slotState(provider);
  return {
    slot,
    async current() {
      const tokens = await provider.tokens();
      if (typeof tokens?.access_token !== 'string' || tokens.access_token === '') return undefined;
      const timing = slot.timing?.accessToken === tokens.access_token ? slot.timing : undefined;
      return { accessToken: tokens.access_token, ...tokenSummary(tokens), obtainedAtMs: timing?.obtainedAtMs, expiresAtMs: timing?.expiresAtMs };
    },
    async lock() {
      return undefined;
    },
    async tokens(issuer) {
      return await provider.tokens(contextOf(issuer));
    },
    async saveTokens(tokens, issuer) {
      await provider.saveTokens(tokens, contextOf(issuer));
      const obtainedAtMs = now();
      slot.timing = { accessToken: tokens.access_token, obtainedAtMs, expiresAtMs: tokenExpiresAt(tokens.expires_in, obtainedAtMs) };
    },
    async clientInformation(issuer) {
      return await provider.clientInformation(contextOf(issuer));
    },
    canSaveClientInformation: typeof provider.saveClientInformation === 'function',
    async saveClientInformation(information, issuer) {
      await provider.saveClientInformation?.(information, contextOf(issuer));
    },
    async dropRefreshToken(issuer) {
      const tokens = await provider.tokens(contextOf(issuer));
      if (tokens?.refresh_token !== undefined) await provider.saveTokens(withoutRefreshToken(tokens), contextOf(issuer));
    },
    async dropClientInformation() {
      await provider.invalidateCredentials?.('client');
    },
    async forgetAll() {
      await provider.invalidateCredentials?.('all');
      slot.timing = undefined;
    },
  };
}

/**
 * Credentials kept in a `TokenStore` under the resource URL. Reads are served from memory until the token is
 * due for refresh or rejected; then the store is read again, since another process may have refreshed it.
 * Each new coordinator reads the store once first (another process may have logged in or refreshed since).
 * Static client information (pre-registered, `client_credentials`) still comes from the provider.
 */
export function storeBacking(store: TokenStore, resource: string, provider: OAuthClientProvider, now: () => number): CredentialBacking {
  const slot = slotState(`${store.id}\n${resource}`);
  let readOnce = false;

  async function latest(fresh: boolean): Promise<StoredCredentials | undefined> {
    if (fresh || slot.record === undefined) slot.record = (await store.read(resource)) ?? null;
    return slot.record ?? undefined;
  }
  async function recordFor(issuer: string | undefined): Promise<StoredCredentials | undefined> {
    return issuer === undefined ? await latest(true) : await store.read(resource, issuer);
  }
  async function update(issuer: string, change: (record: StoredCredentials | undefined) => Partial<StoredCredentials> | undefined): Promise<void> {
    const existing = await store.read(resource, issuer);
    const patch = change(existing);
    if (patch === undefined) return;
    const record: StoredCredentials = { ...existing, ...patch, resource, issuer, savedAt: now() };
    await store.write(record);
    slot.record = record;
  }
  function issuerOf(issuer: string | undefined, fallback: { issuer?: string | undefined } | undefined): string {
    const resolved = issuer ?? fallback?.issuer ?? (slot.record ?? undefined)?.issuer;
    // auth() always passes the issuer it discovered; reaching this means a caller outside auth() saved credentials.
    if (resolved === undefined) throw new TypeError('Expected an issuer to store OAuth credentials under, got none');
    return resolved;
  }

  return {
    slot,
    async current(fresh) {
      const record = await latest(fresh || !readOnce);
      readOnce = true;
      const tokens = record?.tokens;
      if (typeof tokens?.access_token !== 'string' || tokens.access_token === '') return undefined;
      return { accessToken: tokens.access_token, ...tokenSummary(tokens), obtainedAtMs: record?.obtainedAt, expiresAtMs: record?.expiresAt };
    },
    async lock() {
      return await store.lock?.(resource);
    },
    async tokens(issuer) {
      return (await recordFor(issuer))?.tokens;
    },
    async saveTokens(tokens, issuer) {
      const obtainedAt = now();
      await update(issuerOf(issuer, tokens), () => ({ tokens, obtainedAt, expiresAt: tokenExpiresAt(tokens.expires_in, obtainedAt) }));
    },
    async clientInformation(issuer) {
      return (await recordFor(issuer))?.clientInformation ?? (await provider.clientInformation(contextOf(issuer)));
    },
    canSaveClientInformation: typeof provider.saveClientInformation === 'function',
    async saveClientInformation(information, issuer) {
      await update(issuerOf(issuer, information), () => ({ clientInformation: information }));
    },
    async dropRefreshToken(issuer) {
      const target = issuer ?? (await latest(true))?.issuer;
      if (target === undefined) return;
      await update(target, (record) => (record?.tokens?.refresh_token === undefined ? undefined : { tokens: withoutRefreshToken(record.tokens) }));
    },
    async dropClientInformation(issuer) {
      const target = issuer ?? (await latest(true))?.issuer;
      if (target !== undefined) {
        await update(target, (record) => (record?.clientInformation === undefined ? undefined : { clientInformation: undefined }));
      }
      await provider.invalidateCredentials?.('client');
    },
    async forgetAll() {
      await store.remove(resource);
      slot.record = null;
      await provider.invalidateCredentials?.('all');
    },
  };
}
