/**
 * `403 insufficient_scope` (RFC 6750 3.1, SEP-2350): a bounded step-up for the union of the scopes asked so
 * far, never a blind retry; and the minimal `{ token(), onUnauthorized() }` provider.
 */
import { ClientCredentialsProvider } from '@modelcontextprotocol/client';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { createAuthCoordinator } from '../../src/auth/index';
import { AuthRequiredError } from '../../src/errors/tree';
import { type AuthorizationServer, startAuthorizationServer } from './support/authorization-server';
import { approveInBrowser, callResource, InteractiveTestProvider, logIn, settle } from './support/fixtures';
import { type ResourceServer, startResourceServer } from './support/resource-server';

let as: AuthorizationServer;
let rs: ResourceServer;

beforeEach(async () => {
  as = await startAuthorizationServer({ clientSecrets: { agent: 'pw' } });
  rs = await startResourceServer({ issuer: as.issuer, jwksUrl: as.jwksUrl, scope: 'mcp:read', stepUp: true });
});

afterEach(async () => {
  await rs.close();
  await as.close();
});

describe('403 insufficient_scope', () => {
  test('interactive: a new authorization for read+write (forced past the refresh grant), then the call passes', async () => {
    const auth = createAuthCoordinator({ serverUrl: rs.url, authProvider: new InteractiveTestProvider('archon-cli') });
    await logIn(auth, rs.url);
    expect(await callResource(auth, rs.url)).toMatchObject({ scope: 'mcp:read' });

    const outcome = await settle(callResource(auth, rs.url, { 'x-needs-scope': 'mcp:write' }));
    const error = (outcome as { error: AuthRequiredError }).error;
    expect({ code: error.code, reason: error.reason }).toEqual({ code: 'AUTH_REQUIRED', reason: 'redirect' });
    expect(new URL(error.authorizationUrl ?? '').searchParams.get('scope')).toBe('mcp:read mcp:write');
    expect(as.tokenRequests.map((request) => request.grantType)).toEqual(['authorization_code']);

    await auth.finishAuth(await approveInBrowser(error.authorizationUrl));
    expect(await callResource(auth, rs.url, { 'x-needs-scope': 'mcp:write' })).toMatchObject({ ok: true, scope: 'mcp:read mcp:write' });
    expect(rs.counts.forbidden).toBe(1);
  });

  test('client_credentials: the step-up asks for the union at the token endpoint and the call is re-sent once', async () => {
    const auth = createAuthCoordinator({ serverUrl: rs.url, authProvider: new ClientCredentialsProvider({ clientId: 'agent', clientSecret: 'pw', expectedIssuer: as.issuer }) });
    expect(await callResource(auth, rs.url, { 'x-needs-scope': 'mcp:write' })).toMatchObject({ ok: true });
    expect(as.tokenRequests.map((request) => request.scope)).toEqual(['mcp:read', 'mcp:read mcp:write']);
    expect(rs.counts).toMatchObject({ unauthorized: 1, forbidden: 1, ok: 1 });
  });

  test('bounded: past maxStepUps the 403 is AuthRequiredError "insufficient_scope" and nothing is requested', async () => {
    const auth = createAuthCoordinator({ serverUrl: rs.url, authProvider: new InteractiveTestProvider('archon-cli'), maxStepUps: 1 });
    const challenge = `Bearer error="insufficient_scope", scope="mcp:admin", resource_metadata="${rs.metadataUrl}"`;
    const outcome = await settle(auth.handleUnauthorized({ status: 403, wwwAuthenticate: challenge, url: rs.url, attempt: 1 }));
    expect((outcome as { error: AuthRequiredError }).error).toMatchObject({ code: 'AUTH_REQUIRED', reason: 'insufficient_scope' });
    expect(as.tokenRequests).toEqual([]);
    expect(as.hits.size).toBe(0);
  });
});

describe('the minimal provider { token(), onUnauthorized() }', () => {
  test('concurrent 401s call onUnauthorized once; each request is re-sent once', async () => {
    const provider = new ClientCredentialsProvider({ clientId: 'agent', clientSecret: 'pw', expectedIssuer: as.issuer });
    let token: string | undefined;
    let renewals = 0;
    const auth = createAuthCoordinator({
      serverUrl: rs.url,
      authProvider: {
        token: async () => token,
        onUnauthorized: async ({ fetchFn, serverUrl }) => {
          renewals++;
          const { auth: runAuth } = await import('@modelcontextprotocol/client');
          await runAuth(provider, { serverUrl, fetchFn });
          token = provider.tokens()?.access_token;
        },
      },
    });
    const outcomes = await Promise.all(Array.from({ length: 10 }, () => settle(callResource(auth, rs.url))));
    expect(outcomes.filter((outcome) => !outcome.ok)).toEqual([]);
    expect(renewals).toBe(1);
    expect(as.tokenRequests).toHaveLength(1);
    expect(rs.counts).toMatchObject({ requests: 20, unauthorized: 10, ok: 10 });
  });

  test('without onUnauthorized a 401 is AuthRequiredError "rejected"; a 403 is "insufficient_scope"', async () => {
    const auth = createAuthCoordinator({ serverUrl: rs.url, authProvider: { token: async () => 'not-a-jwt' } });
    expect(await auth.headers()).toEqual({ authorization: 'Bearer not-a-jwt' });
    const outcome = await settle(callResource(auth, rs.url));
    expect((outcome as { error: AuthRequiredError }).error).toMatchObject({ code: 'AUTH_REQUIRED', reason: 'rejected' });
    expect(rs.counts.requests).toBe(1);
    const forbidden = await settle(auth.handleUnauthorized({ status: 403, wwwAuthenticate: 'Bearer error="insufficient_scope"', url: rs.url }));
    expect((forbidden as { error: AuthRequiredError }).error).toMatchObject({ reason: 'insufficient_scope' });
    await expect(auth.finishAuth('http://127.0.0.1/callback?code=x')).rejects.toThrow(TypeError);
  });
});
