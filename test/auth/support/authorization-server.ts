/**
 * A real authorization server for the auth tests: oauth2-mock-server (issues RS256 JWTs from its JWKS,
 * authorization code with PKCE S256, refresh and client_credentials grants), extended only through its own
 * event hooks where it has no feature of its own:
 * - refresh-token rotation with reuse detection and revocation (a token is valid once; `/revoke` kills it);
 * - the RFC 8707 resource indicator becomes the access token's `aud`, and a configurable lifetime;
 * - client authentication: `client_secret_basic` checked, `private_key_jwt` assertions recorded for the test
 *   to verify with jose;
 * - the scope asked for at the authorization endpoint is the scope granted (and kept across refreshes);
 * - optional RFC 9207 `iss` on the authorization redirect;
 * - optional RFC 7591 registration that assigns a client id (the mock accepts any client id, so that is all).
 * It serves its own OIDC discovery document unchanged, plus the same document at the RFC 8414 path with the
 * extensions above advertised. Every token request is recorded, so tests count them.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OAuth2Issuer, OAuth2Service } from 'oauth2-mock-server';

/** One request to the token endpoint, as the server saw and answered it. */
export interface TokenRequestRecord {
  readonly grantType: string;
  readonly status: number;
  readonly refreshToken: string | undefined;
  readonly issuedRefreshToken: string | undefined;
  readonly clientId: string | undefined;
  readonly basicAuth: { readonly name: string; readonly secret: string } | undefined;
  readonly clientAssertion: string | undefined;
  readonly clientAssertionType: string | undefined;
  readonly resource: string | undefined;
  readonly scope: string | undefined;
}

export interface AuthorizationServerOptions {
  /** Access token lifetime (`exp` and `expires_in`). @default 3600 */
  accessTokenTtlSeconds?: number;
  /** Confidential clients: the secret `client_secret_basic` must present. */
  clientSecrets?: Record<string, string>;
  /** Add `iss` to the authorization redirect and advertise RFC 9207 support. */
  issParameter?: boolean;
  /** Serve RFC 7591 dynamic client registration at `/register` (the mock has none; it accepts any client id). */
  registration?: boolean;
  /** Hold every token request this long before answering, so concurrent refreshes overlap. @default 0 */
  tokenDelayMs?: number;
  /** The server's clock for `iat`/`nbf`/`exp`, epoch ms (tests move it with the resource server's). @default Date.now */
  now?: () => number;
}

export interface AuthorizationServer {
  readonly issuer: string;
  /** The client metadata of every dynamic registration, in order. */
  readonly registrations: Array<Record<string, unknown>>;
  readonly jwksUrl: string;
  readonly tokenRequests: TokenRequestRecord[];
  /** How many requests each path received. */
  readonly hits: Map<string, number>;
  setAccessTokenTtl(seconds: number): void;
  /** Revokes a refresh token through the server's own `/revoke` endpoint. */
  revoke(refreshToken: string): Promise<void>;
  /** The next `count` token requests fail: `network` drops the connection, a number answers that status. */
  failTokenRequests(count: number, how: 'network' | number): void;
  /** Overrides `iss` on the next authorization redirect (a mix-up attack). */
  forgeIssOnce(iss: string): void;
  /** Signs an access token with the issuer's own keys (`kid`, else the next key of its round robin), `claims` merged in. */
  mintToken(claims: Record<string, unknown>, options?: { kid?: string; expiresInSeconds?: number }): Promise<string>;
  /** Key rotation: a new RS256 key joins the published set; returns its `kid`. */
  addSigningKey(): Promise<string>;
  close(): Promise<void>;
}

function basicCredentials(header: string | undefined): { name: string; secret: string } | undefined {
  const match = /^Basic\s+(\S+)$/i.exec(header ?? '');
  if (match?.[1] === undefined) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1) return undefined;
  return { name: decodeURIComponent(decoded.slice(0, colon)), secret: decodeURIComponent(decoded.slice(colon + 1)) };
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export async function startAuthorizationServer(options: AuthorizationServerOptions = {}): Promise<AuthorizationServer> {
  const issuer = new OAuth2Issuer();
  await issuer.keys.generate('RS256');
  const service = new OAuth2Service(issuer);
  let ttlSeconds = options.accessTokenTtlSeconds ?? 3600;
  const liveRefreshTokens = new Set<string>();
  const tokenRequests: TokenRequestRecord[] = [];
  const hits = new Map<string, number>();
  const faults: Array<'network' | number> = [];
  let forgedIss: string | undefined;
  const registrations: Array<Record<string, unknown>> = [];
  /** Authorization code or refresh token -> the scope it grants. */
  const grantedScope = new Map<string, string | undefined>();
  const grantOf = (body: Record<string, unknown>): string | undefined =>
    body.grant_type === 'authorization_code' ? text(body.code) : body.grant_type === 'refresh_token' ? text(body.refresh_token) : undefined;

  service.on('beforeTokenSigning', (token: { payload: Record<string, unknown> }, req: IncomingMessage & { body: Record<string, unknown> }) => {
    // RFC 8707: the token is for the resource the client named; the resource server checks `aud`.
    if (token.payload.aud === undefined && typeof req.body.resource === 'string') token.payload.aud = req.body.resource;
    const issuedAt = Math.floor((options.now ?? Date.now)() / 1000);
    Object.assign(token.payload, { iat: issuedAt, nbf: issuedAt - 10, exp: issuedAt + ttlSeconds });
    const grant = grantOf(req.body);
    if (grant !== undefined && grantedScope.has(grant)) token.payload.scope = grantedScope.get(grant);
    const clientId = basicCredentials(req.headers.authorization)?.name ?? text(req.body.client_id);
    if (clientId !== undefined && token.payload.client_id === undefined) token.payload.client_id = clientId;
  });

  service.on('beforeResponse', (response: { statusCode: number; body: Record<string, unknown> | '' }, req: IncomingMessage & { body: Record<string, unknown> }) => {
    const body = req.body;
    const basicAuth = basicCredentials(req.headers.authorization);
    const clientId = basicAuth?.name ?? text(body.client_id);
    const expectedSecret = clientId === undefined ? undefined : options.clientSecrets?.[clientId];
    const refuse = (status: number, error: string, description: string): void => {
      response.statusCode = status;
      response.body = { error, error_description: description };
    };
    if (expectedSecret !== undefined && basicAuth?.secret !== expectedSecret) {
      refuse(401, 'invalid_client', 'client authentication failed');
    } else if (body.grant_type === 'refresh_token' && !liveRefreshTokens.delete(String(body.refresh_token))) {
      // Rotation with reuse detection: a refresh token works once; a revoked or spent one is invalid_grant.
      refuse(400, 'invalid_grant', 'refresh token unknown, already used or revoked');
    }
    let issued: string | undefined;
    if (response.statusCode === 200 && typeof response.body === 'object') {
      response.body.expires_in = ttlSeconds;
      const grant = grantOf(body);
      if (grant !== undefined && grantedScope.has(grant)) response.body.scope = grantedScope.get(grant);
      issued = text(response.body.refresh_token);
      if (issued !== undefined) {
        liveRefreshTokens.add(issued);
        grantedScope.set(issued, text(response.body.scope));
      }
    }
    tokenRequests.push({
      grantType: String(body.grant_type),
      status: response.statusCode,
      refreshToken: text(body.refresh_token),
      issuedRefreshToken: issued,
      clientId,
      basicAuth,
      clientAssertion: text(body.client_assertion),
      clientAssertionType: text(body.client_assertion_type),
      resource: text(body.resource),
      scope: text(body.scope),
    });
  });

  service.on('beforeRevoke', (_response: unknown, req: IncomingMessage & { body?: Record<string, unknown> }) => {
    const token = req.body?.token;
    if (typeof token === 'string') liveRefreshTokens.delete(token);
  });

  service.on('beforeAuthorizeRedirect', (redirect: { url: URL }, req: IncomingMessage) => {
    const code = redirect.url.searchParams.get('code');
    if (code !== null) grantedScope.set(code, new URL(req.url ?? '/', 'http://x').searchParams.get('scope') ?? undefined);
    if (forgedIss !== undefined) {
      redirect.url.searchParams.set('iss', forgedIss);
      forgedIss = undefined;
    } else if (options.issParameter === true && issuer.url !== undefined) {
      redirect.url.searchParams.set('iss', issuer.url);
    }
  });

  let rfc8414: string | undefined;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    if (path === '/token' && req.method === 'POST' && faults.length > 0) {
      const fault = faults.shift();
      if (fault === 'network') {
        req.socket.destroy();
        return;
      }
      res.writeHead(fault ?? 503, { 'content-type': 'text/plain' }).end('unavailable');
      return;
    }
    if (path === '/token' && (options.tokenDelayMs ?? 0) > 0) {
      setTimeout(() => service.requestHandler(req, res), options.tokenDelayMs);
      return;
    }
    if (path === '/register' && req.method === 'POST' && options.registration === true) {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        const metadata = JSON.parse(body) as Record<string, unknown>;
        registrations.push(metadata);
        const client = { ...metadata, client_id: `dcr-${registrations.length}`, client_id_issued_at: Math.floor(Date.now() / 1000) };
        res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify(client));
      });
      return;
    }
    if (path === '/.well-known/oauth-authorization-server' && rfc8414 !== undefined) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(rfc8414);
      return;
    }
    service.requestHandler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  issuer.url = `http://127.0.0.1:${port}`;
  const url = issuer.url;

  // The mock's own discovery document, with what the hooks above add (and nothing it does not do).
  const oidc = (await (await fetch(`${url}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
  hits.clear();
  rfc8414 = JSON.stringify({
    ...oidc,
    grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
    token_endpoint_auth_methods_supported: ['none', 'client_secret_basic', 'private_key_jwt'],
    token_endpoint_auth_signing_alg_values_supported: ['RS256', 'ES256'],
    authorization_response_iss_parameter_supported: options.issParameter === true,
    ...(options.registration === true ? { registration_endpoint: `${url}/register` } : {}),
  });

  return {
    issuer: url,
    registrations,
    jwksUrl: `${url}/jwks`,
    tokenRequests,
    hits,
    setAccessTokenTtl(seconds) {
      ttlSeconds = seconds;
    },
    async revoke(refreshToken) {
      const response = await fetch(`${url}/revoke`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token: refreshToken, token_type_hint: 'refresh_token' }),
      });
      if (!response.ok) throw new Error(`revoke answered ${response.status}`);
    },
    failTokenRequests(count, how) {
      for (let index = 0; index < count; index++) faults.push(how);
    },
    forgeIssOnce(iss) {
      forgedIss = iss;
    },
    mintToken(claims, mint = {}) {
      return issuer.buildToken({
        ...(mint.kid === undefined ? {} : { kid: mint.kid }),
        expiresIn: mint.expiresInSeconds ?? ttlSeconds,
        scopesOrTransform: (_header: unknown, payload: Record<string, unknown>) => Object.assign(payload, claims),
      });
    },
    async addSigningKey() {
      const key = await issuer.keys.generate('RS256');
      return String(key.kid);
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
