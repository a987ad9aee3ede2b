/**
 * User login with PKCE against a real authorization server (oauth2-mock-server) and a resource that verifies
 * the JWTs it issues: the 401 starts the SDK's auth() (RFC 9728 discovery, RFC 8414 metadata, PKCE S256,
 * RFC 8707 resource), AuthRequiredError carries the URL, finishAuth completes, and the next request passes.
 */
import { statSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { createAuthCoordinator, FileTokenStore } from '../../src/auth/index';
import { AuthRequiredError } from '../../src/errors/tree';
import { type AuthorizationServer, startAuthorizationServer } from './support/authorization-server';
import { approveInBrowser, callResource, InteractiveTestProvider, settle, tempDirectory } from './support/fixtures';
import { type ResourceServer, startResourceServer } from './support/resource-server';

let as: AuthorizationServer;
let rs: ResourceServer;
let tokens: ReturnType<typeof tempDirectory>;

async function start(options: { issParameter?: boolean } = {}): Promise<void> {
  as = await startAuthorizationServer(options);
  rs = await startResourceServer({ issuer: as.issuer, jwksUrl: as.jwksUrl, scope: 'mcp:tools' });
}

beforeEach(() => {
  tokens = tempDirectory();
});

afterEach(async () => {
  await rs?.close();
  await as?.close();
  tokens[Symbol.dispose]();
});

describe('login with PKCE', () => {
  test('the first request gets AuthRequiredError with an S256 authorization URL; finishAuth stores tokens; the next request passes', async () => {
    await start();
    const provider = new InteractiveTestProvider('archon-cli');
    const store = new FileTokenStore({ directory: tokens.path });
    const auth = createAuthCoordinator({ serverUrl: rs.url, authProvider: provider, tokenStore: store });

    const first = await settle(callResource(auth, rs.url));
    expect(first.ok).toBe(false);
    const error = (first as { error: unknown }).error;
    expect(error).toBeInstanceOf(AuthRequiredError);
    const required = error as AuthRequiredError;
    expect({ code: required.code, reason: required.reason, serverUrl: required.serverUrl }).toEqual({ code: 'AUTH_REQUIRED', reason: 'redirect', serverUrl: rs.url });
    const authorizationUrl = new URL(required.authorizationUrl ?? '');
    expect(authorizationUrl.origin + authorizationUrl.pathname).toBe(`${as.issuer}/authorize`);
    expect(authorizationUrl.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorizationUrl.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(authorizationUrl.searchParams.get('resource')).toBe(rs.url);
    expect(authorizationUrl.searchParams.get('scope')).toBe('mcp:tools');
    expect(authorizationUrl.searchParams.get('state')).toMatch(/.{16,}/);
    expect(provider.redirects.map(String)).toEqual([required.authorizationUrl]);
    expect(rs.counts).toMatchObject({ requests: 1, unauthorized: 1, ok: 0 });
    expect(as.tokenRequests).toEqual([]);

    await auth.finishAuth(await approveInBrowser(required.authorizationUrl));
    expect(as.tokenRequests.map((request) => [request.grantType, request.status, request.resource])).toEqual([['authorization_code', 200, rs.url]]);

    const stored = await store.read(rs.url);
    expect(stored?.issuer).toBe(as.issuer);
    expect(stored?.tokens?.refresh_token).toBe(as.tokenRequests[0]?.issuedRefreshToken);
    expect(statSync(store.pathFor(rs.url, as.issuer)).mode & 0o777).toBe(0o600);
    expect(statSync(tokens.path).mode & 0o777).toBe(0o700);

    expect(await callResource(auth, rs.url)).toMatchObject({ ok: true, sub: 'johndoe', scope: 'mcp:tools' });
    expect(rs.counts).toMatchObject({ requests: 2, unauthorized: 1, ok: 1 });
    expect(as.tokenRequests).toHaveLength(1);
  });

  test('concurrent requests that need a login share one authorization URL; none is re-sent', async () => {
    await start();
    const provider = new InteractiveTestProvider('archon-cli');
    const auth = createAuthCoordinator({ serverUrl: rs.url, authProvider: provider });
    const outcomes = await Promise.all(Array.from({ length: 5 }, () => settle(callResource(auth, rs.url))));
    const urls = new Set(outcomes.map((outcome) => (outcome.ok ? 'passed' : (outcome.error as AuthRequiredError).authorizationUrl)));
    expect(urls.size).toBe(1);
    expect(provider.redirects).toHaveLength(1);
    expect(rs.counts).toMatchObject({ requests: 5, unauthorized: 5, ok: 0 });
  });

  test('a callback whose state differs is refused before any token request', async () => {
    await start();
    const auth = createAuthCoordinator({ serverUrl: rs.url, authProvider: new InteractiveTestProvider('archon-cli') });
    const first = await settle(callResource(auth, rs.url));
    const callback = new URL(await approveInBrowser((first as { error: AuthRequiredError }).error.authorizationUrl));
    callback.searchParams.set('state', 'forged');
    const finished = await settle(auth.finishAuth(callback));
    expect(finished.ok).toBe(false);
    expect((finished as { error: AuthRequiredError }).error).toMatchObject({ code: 'AUTH_REQUIRED', reason: 'failed' });
    expect(as.tokenRequests).toEqual([]);
  });

  test('RFC 9207: a matching iss is accepted, a forged one is refused before the code is redeemed', async () => {
    await start({ issParameter: true });
    const auth = createAuthCoordinator({ serverUrl: rs.url, authProvider: new InteractiveTestProvider('archon-cli') });
    const first = await settle(callResource(auth, rs.url));
    const authorizationUrl = (first as { error: AuthRequiredError }).error.authorizationUrl;

    as.forgeIssOnce('https://evil.example.com');
    const forged = await settle(auth.finishAuth(await approveInBrowser(authorizationUrl)));
    expect((forged as { error: AuthRequiredError }).error).toMatchObject({ code: 'AUTH_REQUIRED', reason: 'failed' });
    expect(((forged as { error: AuthRequiredError }).error.cause as Error).name).toBe('IssuerMismatchError');
    expect(as.tokenRequests).toEqual([]);

    const callback = await approveInBrowser(authorizationUrl);
    expect(new URL(callback).searchParams.get('iss')).toBe(as.issuer);
    await auth.finishAuth(callback);
    expect(await callResource(auth, rs.url)).toMatchObject({ ok: true });
    expect(as.tokenRequests.map((request) => request.grantType)).toEqual(['authorization_code']);
  });

  test('an authorization the user refused is AuthRequiredError "rejected" with the OAuth code only', async () => {
    await start();
    const auth = createAuthCoordinator({ serverUrl: rs.url, authProvider: new InteractiveTestProvider('archon-cli') });
    const first = await settle(callResource(auth, rs.url));
    const state = new URL((first as { error: AuthRequiredError }).error.authorizationUrl ?? '').searchParams.get('state') ?? '';
    const refused = await settle(auth.finishAuth(`http://127.0.0.1:9/callback?error=access_denied&error_description=%3Cscript%3E&state=${state}`));
    const error = (refused as { error: AuthRequiredError }).error;
    expect({ code: error.code, reason: error.reason }).toEqual({ code: 'AUTH_REQUIRED', reason: 'rejected' });
    expect(error.message).toContain('access_denied');
    expect(error.message).not.toContain('script');
  });
});
