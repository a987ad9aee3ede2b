/**
 * Machine-to-machine: the SDK's ClientCredentialsProvider (client_secret_basic) and PrivateKeyJwtProvider
 * (private_key_jwt, RFC 7523) through the coordinator, against the real authorization server. Tokens are
 * obtained on the first 401, obtained again ahead of expiry (client_credentials has no refresh token), and one
 * token request serves every concurrent caller.
 */
import { ClientCredentialsProvider, PrivateKeyJwtProvider } from '@modelcontextprotocol/client';
import { exportPKCS8, generateKeyPair, jwtVerify } from 'jose';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { createAuthCoordinator, FileTokenStore } from '../../src/auth/index';
import { AuthRequiredError } from '../../src/errors/tree';
import { type AuthorizationServer, startAuthorizationServer } from './support/authorization-server';
import { callResource, movableClock, settle, tempDirectory } from './support/fixtures';
import { type ResourceServer, startResourceServer } from './support/resource-server';

const TTL_SECONDS = 300;

let as: AuthorizationServer;
let rs: ResourceServer;
let clock: ReturnType<typeof movableClock>;

beforeEach(async () => {
  clock = movableClock();
  as = await startAuthorizationServer({ accessTokenTtlSeconds: TTL_SECONDS, now: clock.now, clientSecrets: { 'billing-agent': 's3cret' } });
  rs = await startResourceServer({ issuer: as.issuer, jwksUrl: as.jwksUrl, now: clock.now });
});

afterEach(async () => {
  await rs.close();
  await as.close();
});

describe('client_credentials with a secret (client_secret_basic)', () => {
  const provider = () => new ClientCredentialsProvider({ clientId: 'billing-agent', clientSecret: 's3cret', expectedIssuer: as.issuer });

  test('the first 401 obtains a token with HTTP Basic; the request is re-sent and passes', async () => {
    const auth = createAuthCoordinator({ serverUrl: rs.url, authProvider: provider(), now: clock.now });
    expect(await auth.headers()).toEqual({});
    expect(await callResource(auth, rs.url)).toMatchObject({ ok: true });
    expect(as.tokenRequests.map((request) => [request.grantType, request.status, request.basicAuth?.name, request.resource])).toEqual([
      ['client_credentials', 200, 'billing-agent', rs.url],
    ]);
    expect(rs.counts).toMatchObject({ requests: 2, unauthorized: 1, ok: 1 });
  });

  test('20 concurrent first calls: 1 token request, 0 failures; ahead of expiry one new token for 20 more', async () => {
    const auth = createAuthCoordinator({ serverUrl: rs.url, authProvider: provider(), now: clock.now, refreshJitterMs: 0 });
    const first = await Promise.all(Array.from({ length: 20 }, () => settle(callResource(auth, rs.url))));
    expect(first.filter((outcome) => !outcome.ok)).toEqual([]);
    expect(as.tokenRequests).toHaveLength(1);

    clock.advance((TTL_SECONDS - 30) * 1000);
    const second = await Promise.all(Array.from({ length: 20 }, () => settle(callResource(auth, rs.url))));
    expect(second.filter((outcome) => !outcome.ok)).toEqual([]);
    expect(as.tokenRequests.map((request) => [request.grantType, request.status])).toEqual([
      ['client_credentials', 200],
      ['client_credentials', 200],
    ]);
    expect(rs.counts.unauthorized).toBe(20);
    expect(new Set(rs.accepted.slice(20).map((entry) => entry.token)).size).toBe(1);
  });

  test('an expired token the server rejects is replaced on the 401', async () => {
    const auth = createAuthCoordinator({ serverUrl: rs.url, authProvider: provider(), now: () => Date.now() });
    await callResource(auth, rs.url);
    clock.advance((TTL_SECONDS + 5) * 1000);
    expect(await callResource(auth, rs.url)).toMatchObject({ ok: true });
    expect(as.tokenRequests.map((request) => request.grantType)).toEqual(['client_credentials', 'client_credentials']);
  });

  test('a wrong secret: after the SDK retries once, AuthRequiredError "rejected"', async () => {
    const auth = createAuthCoordinator({
      serverUrl: rs.url,
      authProvider: new ClientCredentialsProvider({ clientId: 'billing-agent', clientSecret: 'wrong', expectedIssuer: as.issuer }),
    });
    const outcome = await settle(callResource(auth, rs.url));
    const error = (outcome as { error: AuthRequiredError }).error;
    expect(error).toBeInstanceOf(AuthRequiredError);
    expect({ reason: error.reason, authorizationUrl: error.authorizationUrl }).toEqual({ reason: 'rejected', authorizationUrl: undefined });
    expect(error.message).toContain('invalid_client');
    expect(as.tokenRequests.map((request) => request.status)).toEqual([401, 401]);
    expect(rs.counts).toMatchObject({ requests: 1, ok: 0 });
  });

  test('tokens in a file store survive the process: a new coordinator sends the stored token at once', async () => {
    using tokens = tempDirectory();
    const first = createAuthCoordinator({ serverUrl: rs.url, authProvider: provider(), tokenStore: new FileTokenStore({ directory: tokens.path }) });
    await callResource(first, rs.url);
    const second = createAuthCoordinator({ serverUrl: rs.url, authProvider: provider(), tokenStore: new FileTokenStore({ directory: tokens.path }) });
    expect(await second.headers()).toEqual({ authorization: `Bearer ${rs.accepted[0]?.token}` });
    expect(await callResource(second, rs.url)).toMatchObject({ ok: true });
    expect(as.tokenRequests).toHaveLength(1);
  });
});

describe('client_credentials with private_key_jwt', () => {
  test('each token request carries a fresh assertion signed by the client key; obtained, then obtained again ahead of expiry', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const auth = createAuthCoordinator({
      serverUrl: rs.url,
      authProvider: new PrivateKeyJwtProvider({ clientId: 'report-agent', privateKey: await exportPKCS8(privateKey), algorithm: 'ES256', expectedIssuer: as.issuer }),
      now: clock.now,
      refreshJitterMs: 0,
    });
    expect(await callResource(auth, rs.url)).toMatchObject({ ok: true });
    clock.advance((TTL_SECONDS - 30) * 1000);
    expect(await callResource(auth, rs.url)).toMatchObject({ ok: true });

    expect(as.tokenRequests.map((request) => [request.grantType, request.status, request.clientAssertionType])).toEqual([
      ['client_credentials', 200, 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'],
      ['client_credentials', 200, 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'],
    ]);
    const claims = await Promise.all(
      as.tokenRequests.map(async (request) => (await jwtVerify(request.clientAssertion ?? '', publicKey, { issuer: 'report-agent', subject: 'report-agent', audience: as.issuer })).payload),
    );
    expect(new Set(claims.map((claim) => claim.jti)).size).toBe(2);
    expect(rs.counts).toMatchObject({ requests: 3, unauthorized: 1, ok: 2 });
  });
});
