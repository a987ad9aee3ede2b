/**
 * Token lifecycles after login, against the real authorization server (rotating refresh tokens: each works
 * once) and a resource that checks expiry with its own clock. Every test counts token-endpoint requests.
 */
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { createAuthCoordinator, FileTokenStore, type AuthCoordinator } from '../../src/auth/index';
import { AuthRequiredError, ConnectionError, HttpError } from '../../src/errors/tree';
import { type AuthorizationServer, startAuthorizationServer } from './support/authorization-server';
import { callResource, InteractiveTestProvider, logIn, movableClock, settle, tempDirectory } from './support/fixtures';
import { type ResourceServer, startResourceServer } from './support/resource-server';

const TTL_SECONDS = 600;

let as: AuthorizationServer;
let rs: ResourceServer;
let tokens: ReturnType<typeof tempDirectory>;
/** The servers' clock (authorization and resource) and the client's: moved together for early refresh, apart for the 401 path. */
let serverClock: ReturnType<typeof movableClock>;
let clientClock: ReturnType<typeof movableClock>;
let store: FileTokenStore;

beforeEach(async () => {
  tokens = tempDirectory();
  serverClock = movableClock();
  clientClock = movableClock();
  as = await startAuthorizationServer({ accessTokenTtlSeconds: TTL_SECONDS, now: serverClock.now });
  rs = await startResourceServer({ issuer: as.issuer, jwksUrl: as.jwksUrl, now: serverClock.now });
  store = new FileTokenStore({ directory: tokens.path });
});

afterEach(async () => {
  await rs.close();
  await as.close();
  tokens[Symbol.dispose]();
});

/** A logged-in coordinator; the login's authorization_code request is dropped from the record. */
async function loggedIn(options: { refreshAheadMs?: number; refreshJitterMs?: number } = {}): Promise<AuthCoordinator> {
  const auth = createAuthCoordinator({
    serverUrl: rs.url,
    authProvider: new InteractiveTestProvider('archon-cli'),
    tokenStore: store,
    now: clientClock.now,
    refreshAheadMs: options.refreshAheadMs ?? 60_000,
    refreshJitterMs: options.refreshJitterMs ?? 0,
  });
  await logIn(auth, rs.url);
  expect(as.tokenRequests.map((request) => request.grantType)).toEqual(['authorization_code']);
  as.tokenRequests.length = 0;
  as.hits.clear();
  rs.counts.requests = rs.counts.unauthorized = rs.counts.ok = 0;
  return auth;
}

const expired = (): void => serverClock.advance((TTL_SECONDS + 5) * 1000);
const dueForRefresh = (): void => {
  // Inside the 60 s refresh window, still valid for the resource.
  clientClock.advance((TTL_SECONDS - 30) * 1000);
  serverClock.advance((TTL_SECONDS - 30) * 1000);
};

describe('expiry mid-session', () => {
  test('a token the server calls expired (401): the request refreshes once and succeeds, without spending a retry', async () => {
    const auth = await loggedIn();
    const before = await store.read(rs.url);
    expired();
    expect(await callResource(auth, rs.url)).toMatchObject({ ok: true });
    expect(as.tokenRequests.map((request) => [request.grantType, request.status])).toEqual([['refresh_token', 200]]);
    expect(as.tokenRequests[0]?.refreshToken).toBe(before?.tokens?.refresh_token);
    expect(rs.counts).toMatchObject({ requests: 2, unauthorized: 1, ok: 1 });
    const after = await store.read(rs.url);
    expect(after?.tokens?.refresh_token).toBe(as.tokenRequests[0]?.issuedRefreshToken);
    expect(after?.tokens?.access_token).not.toBe(before?.tokens?.access_token);
  });

  test('a token inside the refresh window is replaced before the request: no 401 at all', async () => {
    const auth = await loggedIn();
    dueForRefresh();
    expect(await callResource(auth, rs.url)).toMatchObject({ ok: true });
    expect(as.tokenRequests.map((request) => request.grantType)).toEqual(['refresh_token']);
    expect(rs.counts).toMatchObject({ requests: 1, unauthorized: 0, ok: 1 });
    // The new token is not due: the next request refreshes nothing.
    expect(await callResource(auth, rs.url)).toMatchObject({ ok: true });
    expect(as.tokenRequests).toHaveLength(1);
  });
});

describe('20 concurrent requests at expiry, rotating refresh tokens', () => {
  test('via 401: exactly 1 token request, 0 failures', async () => {
    const auth = await loggedIn();
    expired();
    const outcomes = await Promise.all(Array.from({ length: 20 }, () => settle(callResource(auth, rs.url))));
    expect(outcomes.filter((outcome) => !outcome.ok)).toEqual([]);
    expect(as.tokenRequests.map((request) => [request.grantType, request.status])).toEqual([['refresh_token', 200]]);
    expect(rs.counts.ok).toBe(20);
    expect(new Set(rs.accepted.map((entry) => entry.token)).size).toBe(1);
  });

  test('ahead of expiry: exactly 1 token request, 0 failures, 0 401s', async () => {
    const auth = await loggedIn();
    dueForRefresh();
    const outcomes = await Promise.all(Array.from({ length: 20 }, () => settle(callResource(auth, rs.url))));
    expect(outcomes.filter((outcome) => !outcome.ok)).toEqual([]);
    expect(as.tokenRequests.map((request) => [request.grantType, request.status])).toEqual([['refresh_token', 200]]);
    expect(rs.counts).toMatchObject({ requests: 20, unauthorized: 0, ok: 20 });
  });

  test('two clients of one process sharing the store: still 1 token request', async () => {
    const first = await loggedIn();
    const second = createAuthCoordinator({ serverUrl: rs.url, authProvider: new InteractiveTestProvider('archon-cli'), tokenStore: new FileTokenStore({ directory: tokens.path }), now: clientClock.now });
    expired();
    const outcomes = await Promise.all(Array.from({ length: 20 }, (_, index) => settle(callResource(index % 2 === 0 ? first : second, rs.url))));
    expect(outcomes.filter((outcome) => !outcome.ok)).toEqual([]);
    expect(as.tokenRequests.map((request) => request.grantType)).toEqual(['refresh_token']);
  });
});

describe('a refused refresh token', () => {
  test('revoked: AuthRequiredError with a new authorization URL, 1 token request, nothing re-sent', async () => {
    const auth = await loggedIn();
    const before = await store.read(rs.url);
    await as.revoke(before?.tokens?.refresh_token ?? '');
    expired();
    const outcome = await settle(callResource(auth, rs.url));
    const error = (outcome as { error: AuthRequiredError }).error;
    expect(error).toBeInstanceOf(AuthRequiredError);
    expect({ reason: error.reason, url: new URL(error.authorizationUrl ?? 'x:').pathname }).toEqual({ reason: 'redirect', url: '/authorize' });
    expect(error.message).toContain('refresh token was rejected');
    expect(as.tokenRequests.map((request) => [request.grantType, request.status])).toEqual([['refresh_token', 400]]);
    expect(rs.counts).toMatchObject({ requests: 1, unauthorized: 1, ok: 0 });
    // Only the refresh token is gone: the access token stays until it is replaced.
    const after = await store.read(rs.url);
    expect(after?.tokens?.refresh_token).toBeUndefined();
    expect(after?.tokens?.access_token).toBe(before?.tokens?.access_token);

    // The next call waits for the same login: no token request, one 401.
    const again = await settle(callResource(auth, rs.url));
    expect((again as { error: AuthRequiredError }).error.authorizationUrl).toBe(error.authorizationUrl);
    expect(as.tokenRequests).toHaveLength(1);
  });

  test('refused ahead of expiry: the request still goes out with the valid token, and no more early attempts', async () => {
    const auth = await loggedIn();
    await as.revoke((await store.read(rs.url))?.tokens?.refresh_token ?? '');
    dueForRefresh();
    expect(await callResource(auth, rs.url)).toMatchObject({ ok: true });
    expect(await callResource(auth, rs.url)).toMatchObject({ ok: true });
    expect(as.tokenRequests.map((request) => [request.grantType, request.status])).toEqual([['refresh_token', 400]]);
    expect(rs.counts).toMatchObject({ requests: 2, ok: 2 });
  });
});

describe('the authorization server fails during a refresh', () => {
  test.each([['network', ConnectionError], [503, HttpError]] as const)('%s: the call fails typed, credentials are kept, the next call refreshes', async (how, errorClass) => {
    const auth = await loggedIn();
    const before = await store.read(rs.url);
    expired();
    as.failTokenRequests(1, how);
    const outcome = await settle(callResource(auth, rs.url));
    expect((outcome as { error: unknown }).error).toBeInstanceOf(errorClass);
    expect((outcome as { error: ConnectionError }).error).toMatchObject(how === 'network' ? { requestSent: false } : { status: 503 });
    expect(await store.read(rs.url)).toEqual(before);
    expect(as.hits.get('/token')).toBe(1);

    expect(await callResource(auth, rs.url)).toMatchObject({ ok: true });
    expect(as.tokenRequests.map((request) => [request.grantType, request.status, request.refreshToken])).toEqual([['refresh_token', 200, before?.tokens?.refresh_token]]);
  });

  test('ahead of expiry: the request goes out with the current token; no second attempt within refreshRetryDelayMs', async () => {
    const auth = await loggedIn();
    const before = await store.read(rs.url);
    dueForRefresh();
    as.failTokenRequests(1, 'network');
    expect(await callResource(auth, rs.url)).toMatchObject({ ok: true });
    expect(await callResource(auth, rs.url)).toMatchObject({ ok: true });
    expect(as.hits.get('/token')).toBe(1);
    expect(rs.accepted.map((entry) => entry.token)).toEqual([before?.tokens?.access_token, before?.tokens?.access_token]);
    expect(await store.read(rs.url)).toEqual(before);

    clientClock.advance(5_000);
    expect(await callResource(auth, rs.url)).toMatchObject({ ok: true });
    expect(as.tokenRequests.map((request) => [request.grantType, request.status])).toEqual([['refresh_token', 200]]);
  });
});
