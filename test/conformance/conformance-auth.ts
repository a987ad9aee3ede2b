/**
 * The `auth/*` conformance scenarios through MCPClient's public API (issue #11): an `authProvider` per
 * scenario, as the conformance repo's examples/clients/typescript/everything-client.ts builds them, with one
 * difference that is the point: the SDK's `auth()` runs inside MCPClient, not in a fetch wrapper of the test.
 * - Interactive scenarios: an `OAuthClientProvider` whose "browser" follows the authorization URL at once (the
 *   mock authorization server approves without a user) and keeps the callback URL; the call rejects with
 *   `AuthRequiredError` (`redirect`), `client.finishAuth(callback)` completes the flow, and the same operation
 *   runs again (`authorized`). Credentials are kept per issuer, so a server that moves to another authorization
 *   server gets a new registration there (SEP-2352, auth/authorization-server-migration).
 * - auth/client-credentials-basic and -jwt: the SDK's `ClientCredentialsProvider` and `PrivateKeyJwtProvider`
 *   from the context the harness passes in MCP_CONFORMANCE_CONTEXT; auth/enterprise-managed-authorization: the
 *   SDK's `CrossAppAccessProvider`; auth/wif-jwt-bearer: a provider whose grant is the workload's JWT.
 * - auth/dpop and auth/dpop-nonce: the interactive provider with a DPoP key (`dpop()`, the SDK's `DpopSession`).
 */
import {
  ClientCredentialsProvider,
  CrossAppAccessProvider,
  DpopSession,
  type OAuthClientInformation,
  type OAuthClientInformationContext,
  type OAuthClientMetadata,
  type OAuthClientProvider,
  PrivateKeyJwtProvider,
  requestJwtAuthorizationGrant,
  type StoredOAuthClientInformation,
  type StoredOAuthTokens,
} from '@modelcontextprotocol/client';
import { AuthRequiredError, type MCPClient, type MCPClientOptions } from '../../src/index';

/** The client id metadata document URL the examples use; the mock AS accepts it when it supports CIMD (SEP-991). */
const CIMD_CLIENT_METADATA_URL = 'https://conformance-test.local/client-metadata.json';
const REDIRECT_URL = 'http://localhost:3000/callback';
/** Logins (finishAuth) one operation may go through: a first login, then one step-up. */
const MAX_LOGINS = 2;

interface ConformanceContext {
  readonly name?: string;
  readonly client_id?: string;
  readonly client_secret?: string;
  readonly private_key_pem?: string;
  readonly signing_algorithm?: string;
  readonly valid_jwt?: string;
  readonly idp_client_id?: string;
  readonly idp_id_token?: string;
  readonly idp_token_endpoint?: string;
}

const JWT_BEARER_GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/**
 * Workload identity federation (auth/wif-jwt-bearer): the platform's JWT is the grant (RFC 7523 2.1), sent once;
 * no redirect, no refresh. The SDK has no provider for it; `prepareTokenRequest` is the SDK's hook for grants.
 */
class WorkloadJwtProvider implements OAuthClientProvider {
  readonly #assertion: string;
  readonly #client: OAuthClientInformation;
  #tokens: StoredOAuthTokens | undefined;
  #attempted = false;

  constructor(assertion: string, clientId: string) {
    this.#assertion = assertion;
    this.#client = { client_id: clientId };
  }
  get redirectUrl(): undefined {
    return undefined;
  }
  get clientMetadata(): OAuthClientMetadata {
    return { client_name: 'archon-mcp-client-conformance', redirect_uris: [], grant_types: [JWT_BEARER_GRANT_TYPE], token_endpoint_auth_method: 'none' };
  }
  clientInformation(): OAuthClientInformation {
    return this.#client;
  }
  tokens(): StoredOAuthTokens | undefined {
    return this.#tokens;
  }
  saveTokens(tokens: StoredOAuthTokens): void {
    this.#tokens = tokens;
  }
  redirectToAuthorization(): void {
    throw new Error('A workload identity has no browser');
  }
  saveCodeVerifier(): void {}
  codeVerifier(): string {
    throw new Error('A JWT-bearer grant has no PKCE verifier');
  }
  prepareTokenRequest(scope?: string): URLSearchParams {
    // A rejected assertion will be rejected again: never send it twice.
    if (this.#attempted) throw new Error('The JWT-bearer grant was already tried');
    this.#attempted = true;
    const params = new URLSearchParams({ grant_type: JWT_BEARER_GRANT_TYPE, assertion: this.#assertion });
    if (scope !== undefined) params.set('scope', scope);
    return params;
  }
}

function context(): ConformanceContext {
  return JSON.parse(process.env.MCP_CONFORMANCE_CONTEXT ?? '{}') as ConformanceContext;
}

/**
 * A native (CLI) client whose browser step is a fetch of the authorization URL. Registrations and tokens are
 * stored per authorization-server issuer, as the SDK's context asks providers to.
 */
class ConformanceProvider implements OAuthClientProvider {
  readonly #clientMetadataUrl: string | undefined;
  readonly #clients = new Map<string, StoredOAuthClientInformation>();
  readonly #tokens = new Map<string, StoredOAuthTokens>();
  #latestTokens: StoredOAuthTokens | undefined;
  #verifier: string | undefined;
  #callback: string | undefined;
  readonly #dpop: Promise<DpopSession> | undefined;

  constructor(options: { clientMetadataUrl?: string; preRegistered?: StoredOAuthClientInformation; dpop?: boolean } = {}) {
    this.#clientMetadataUrl = options.clientMetadataUrl;
    if (options.preRegistered !== undefined) this.#clients.set('', options.preRegistered);
    // One key for the client's life (RFC 9449 11.1): the SDK binds the token to it, MCPClient proves possession.
    this.#dpop = options.dpop === true ? DpopSession.create() : undefined;
  }

  /** Only for the DPoP scenarios: an instance property, so providers without a key have no dpop() at all. */
  get dpop(): (() => Promise<DpopSession>) | undefined {
    const session = this.#dpop;
    return session === undefined ? undefined : () => session;
  }

  get redirectUrl(): string {
    return REDIRECT_URL;
  }

  get clientMetadataUrl(): string | undefined {
    return this.#clientMetadataUrl;
  }

  get clientMetadata(): OAuthClientMetadata & { application_type: 'native' } {
    return { client_name: 'archon-mcp-client-conformance', redirect_uris: [REDIRECT_URL], application_type: 'native' };
  }

  clientInformation(ctx?: OAuthClientInformationContext): StoredOAuthClientInformation | undefined {
    return this.#clients.get(ctx?.issuer ?? '') ?? this.#clients.get('');
  }

  saveClientInformation(information: StoredOAuthClientInformation, ctx?: OAuthClientInformationContext): void {
    this.#clients.set(ctx?.issuer ?? '', information);
  }

  tokens(ctx?: OAuthClientInformationContext): StoredOAuthTokens | undefined {
    return ctx === undefined ? this.#latestTokens : this.#tokens.get(ctx.issuer);
  }

  saveTokens(tokens: StoredOAuthTokens, ctx?: OAuthClientInformationContext): void {
    if (ctx !== undefined) this.#tokens.set(ctx.issuer, tokens);
    this.#latestTokens = tokens;
  }

  async redirectToAuthorization(authorizationUrl: URL): Promise<void> {
    const response = await fetch(authorizationUrl, { redirect: 'manual' });
    const location = response.headers.get('location');
    if (location === null) throw new Error(`The authorization endpoint answered ${response.status} without a redirect`);
    this.#callback = new URL(location, authorizationUrl).href;
  }

  saveCodeVerifier(verifier: string): void {
    this.#verifier = verifier;
  }

  codeVerifier(): string {
    if (this.#verifier === undefined) throw new Error('No PKCE verifier saved');
    return this.#verifier;
  }

  invalidateCredentials(scope: 'all' | 'client' | 'tokens' | 'verifier' | 'discovery'): void {
    if (scope === 'all' || scope === 'tokens') {
      this.#tokens.clear();
      this.#latestTokens = undefined;
    }
    if (scope === 'all' || scope === 'client') this.#clients.clear();
    if (scope === 'all' || scope === 'verifier') this.#verifier = undefined;
  }

  /** The callback URL of the last approved authorization, once. */
  takeCallback(): string | undefined {
    const callback = this.#callback;
    this.#callback = undefined;
    return callback;
  }
}

let interactive: ConformanceProvider | undefined;

/**
 * True for the scenarios this module drives.
 *
 * @example
 * ```ts
 * if (isAuthScenario(process.env.MCP_CONFORMANCE_SCENARIO ?? '')) options = { ...options, ...authOptionsFor(scenario) };
 * ```
 */
export function isAuthScenario(scenario: string): boolean {
  return scenario.startsWith('auth/');
}

/**
 * The `authProvider` (and nothing else) a scenario needs.
 *
 * @example
 * ```ts
 * const client = new MCPClient({ url, ...authOptionsFor('auth/basic-cimd') });
 * ```
 */
export function authOptionsFor(scenario: string): MCPClientOptions {
  const ctx = context();
  if (scenario === 'auth/client-credentials-basic') {
    return { authProvider: new ClientCredentialsProvider({ clientId: ctx.client_id ?? '', clientSecret: ctx.client_secret ?? '' }) };
  }
  if (scenario === 'auth/client-credentials-jwt') {
    const provider = new PrivateKeyJwtProvider({ clientId: ctx.client_id ?? '', privateKey: ctx.private_key_pem ?? '', algorithm: ctx.signing_algorithm ?? 'ES256' });
    return { authProvider: provider };
  }
  if (scenario === 'auth/wif-jwt-bearer') {
    return { authProvider: new WorkloadJwtProvider(ctx.valid_jwt ?? '', ctx.client_id ?? '') };
  }
  if (scenario === 'auth/enterprise-managed-authorization') {
    // SEP-990: the IdP's ID token is exchanged for an ID-JAG (RFC 8693), which the SDK's provider presents as a
    // JWT-bearer grant to the MCP server's authorization server.
    const authProvider = new CrossAppAccessProvider({
      clientId: ctx.client_id ?? '',
      clientSecret: ctx.client_secret ?? '',
      assertion: async ({ authorizationServerUrl, resourceUrl, scope, fetchFn }) =>
        (
          await requestJwtAuthorizationGrant({
            tokenEndpoint: ctx.idp_token_endpoint ?? '',
            audience: authorizationServerUrl,
            resource: resourceUrl,
            idToken: ctx.idp_id_token ?? '',
            clientId: ctx.idp_client_id ?? '',
            ...(scope === undefined ? {} : { scope }),
            fetchFn,
          })
        ).jwtAuthGrant,
    });
    return { authProvider };
  }
  if (scenario === 'auth/pre-registration') {
    const preRegistered = { client_id: ctx.client_id ?? '', client_secret: ctx.client_secret, redirect_uris: [REDIRECT_URL] };
    interactive = new ConformanceProvider({ preRegistered });
  } else if (scenario === 'auth/authorization-server-migration') {
    interactive = new ConformanceProvider();
  } else if (scenario === 'auth/dpop' || scenario === 'auth/dpop-nonce') {
    interactive = new ConformanceProvider({ dpop: true });
  } else {
    interactive = new ConformanceProvider({ clientMetadataUrl: CIMD_CLIENT_METADATA_URL });
  }
  return { authProvider: interactive };
}

/**
 * Runs `operation`; when it needs a login the provider already approved, finishes it and runs it again.
 *
 * @example
 * ```ts
 * const { tools } = await authorized(client, () => client.listTools());
 * ```
 */
export async function authorized<T>(client: MCPClient, operation: () => Promise<T>): Promise<T> {
  for (let logins = 0; ; logins++) {
    try {
      return await operation();
    } catch (error) {
      const callback = error instanceof AuthRequiredError && error.reason === 'redirect' && logins < MAX_LOGINS ? interactive?.takeCallback() : undefined;
      if (callback === undefined) throw error;
      await client.finishAuth(callback);
    }
  }
}
