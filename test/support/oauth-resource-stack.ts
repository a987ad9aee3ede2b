/**
 * The session layer as an OAuth resource server, for the SERVER tests: the real authorization server
 * (oauth2-mock-server, test/auth/support/authorization-server.ts) in front of the reference server started with
 * `oauth`, and raw token requests to the authorization server (client_credentials; authorization code with PKCE
 * and refresh done by hand, as a browser and a client would). No stand-in: the reference server verifies.
 */
import { createHash, randomBytes } from 'node:crypto';
import { startReferenceServer, type ReferenceServer, type ReferenceServerOptions } from '../../server/index';
import type { OAuthResourceOptions } from '../../server/index';
import { startAuthorizationServer, type AuthorizationServer, type AuthorizationServerOptions } from '../auth/support/authorization-server';

export interface OAuthStack extends AsyncDisposable {
  readonly as: AuthorizationServer;
  readonly server: ReferenceServer;
  /** The MCP endpoint, which is also the resource (the tokens' audience). */
  readonly url: string;
  /** The path-suffixed RFC 9728 metadata URL. */
  readonly metadataUrl: string;
}

export interface OAuthStackOptions {
  readonly as?: AuthorizationServerOptions;
  /** `oauth` beside the issuer (which is the mock's). */
  readonly oauth?: Omit<OAuthResourceOptions, 'issuer'>;
  /** More reference server options (store, eras, port). */
  readonly server?: Omit<ReferenceServerOptions, 'oauth'>;
}

/**
 * @example
 * ```ts
 * await using stack = await startOAuthStack({ oauth: { requiredScopes: ['mcp'] } });
 * const token = await clientCredentialsToken(stack.as, { clientId: 'agent-a', resource: stack.url, scope: 'mcp' });
 * ```
 */
export async function startOAuthStack(options: OAuthStackOptions = {}): Promise<OAuthStack> {
  const as = await startAuthorizationServer(options.as);
  const server = await startReferenceServer({
    port: 0,
    store: 'memory',
    ...options.server,
    oauth: { issuer: as.issuer, ...options.oauth },
  }).catch(async (error: unknown) => {
    await as.close();
    throw error;
  });
  const url = new URL(server.url);
  return {
    as,
    server,
    url: server.url,
    metadataUrl: `${url.origin}/.well-known/oauth-protected-resource${url.pathname}`,
    async [Symbol.asyncDispose]() {
      await server.close();
      await as.close();
    },
  };
}

async function tokenRequest(as: AuthorizationServer, form: Record<string, string>): Promise<Record<string, unknown>> {
  const response = await fetch(`${as.issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
  const body = (await response.json()) as Record<string, unknown>;
  if (response.status !== 200) throw new Error(`token endpoint answered ${response.status}: ${JSON.stringify(body)}`);
  return body;
}

/**
 * An access token from the `client_credentials` grant (no `sub`: the server falls back to `client_id`).
 *
 * @example
 * ```ts
 * const token = await clientCredentialsToken(as, { clientId: 'agent-a', resource: url });
 * ```
 */
export async function clientCredentialsToken(
  as: AuthorizationServer,
  grant: { clientId: string; resource: string; scope?: string },
): Promise<string> {
  const body = await tokenRequest(as, {
    grant_type: 'client_credentials',
    client_id: grant.clientId,
    resource: grant.resource,
    ...(grant.scope === undefined ? {} : { scope: grant.scope }),
  });
  return String(body['access_token']);
}

/**
 * A user's tokens: authorization code with PKCE S256 (the mock approves at once, subject `johndoe`), and
 * `refresh()` for the refresh grant (rotating: each refresh token works once).
 *
 * @example
 * ```ts
 * const user = await userLogin(as, { resource: url, scope: 'mcp' });
 * const next = await user.refresh();
 * ```
 */
export async function userLogin(
  as: AuthorizationServer,
  grant: { resource: string; scope?: string; clientId?: string },
): Promise<{ accessToken: string; refresh(): Promise<string> }> {
  const clientId = grant.clientId ?? 'mcp-user-client';
  const redirectUri = 'http://127.0.0.1:9/callback';
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const authorize = new URL(`${as.issuer}/authorize`);
  for (const [name, value] of Object.entries({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: redirectUri,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state: 'state-1',
    resource: grant.resource,
    ...(grant.scope === undefined ? {} : { scope: grant.scope }),
  })) {
    authorize.searchParams.set(name, value);
  }
  const redirect = await fetch(authorize, { redirect: 'manual' });
  const code = new URL(redirect.headers.get('location') ?? 'http://x/').searchParams.get('code');
  if (redirect.status !== 302 || code === null) throw new Error(`authorization endpoint answered ${redirect.status}`);
  const first = await tokenRequest(as, {
    grant_type: 'authorization_code',
    code,
    code_verifier: verifier,
    redirect_uri: redirectUri,
    client_id: clientId,
    resource: grant.resource,
  });
  let refreshToken = String(first['refresh_token']);
  return {
    accessToken: String(first['access_token']),
    async refresh() {
      const next = await tokenRequest(as, {
        grant_type: 'refresh_token',
        refresh_token: refreshToken,
        client_id: clientId,
        resource: grant.resource,
      });
      refreshToken = String(next['refresh_token']);
      return String(next['access_token']);
    },
  };
}

/**
 * `Authorization: Bearer` for a raw request.
 *
 * @example
 * ```ts
 * await postMcp(url, initializeMessage(), bearer(token));
 * ```
 */
export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

/**
 * The parameters of a `WWW-Authenticate: Bearer ...` challenge.
 *
 * @example
 * ```ts
 * challengeParams(reply.headers.get('www-authenticate')); // { resource_metadata: '...', scope: 'mcp' }
 * ```
 */
export function challengeParams(header: string | null): Record<string, string> {
  if (header === null || !/^Bearer\b/i.test(header)) return {};
  return Object.fromEntries([...header.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((match) => [match[1] ?? '', match[2] ?? '']));
}
