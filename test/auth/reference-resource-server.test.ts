/**
 * MCPClient (the auth coordinator through the `fetch` option, as examples/headless-agent.ts plugs it today)
 * against the reference server as the resource server itself: no stand-in, the server verifies the real
 * authorization server's JWTs. Client credentials and a user login with PKCE, concurrent calls at expiry (one
 * token request), a stale token refused by the server itself, a revoked refresh token. Expiry is real expiry: the test moves the process clock (`Date` only, timers stay
 * real), which the authorization server, the server's verifier and the client all read.
 */
import { ClientCredentialsProvider } from '@modelcontextprotocol/client';
import { afterAll, afterEach, beforeAll, expect, test, vi } from 'vitest';
import { authorizedFetch, createAuthCoordinator } from '../../src/auth/index';
import { AuthRequiredError } from '../../src/errors/tree';
import { MCPClient } from '../../src/index';
import { clearEraVerdicts } from '../../src/session/era-cache';
import { startOAuthStack, type OAuthStack } from '../support/oauth-resource-stack';
import { approveInBrowser, InteractiveTestProvider } from './support/fixtures';

const TTL_SECONDS = 300;
let stack: OAuthStack;

beforeAll(async () => {
  stack = await startOAuthStack({
    as: { accessTokenTtlSeconds: TTL_SECONDS, clientSecrets: { agent: 'pw' } },
    oauth: { requiredScopes: ['mcp'] },
  });
});
afterAll(async () => {
  await stack?.[Symbol.asyncDispose]();
});
afterEach(() => {
  vi.useRealTimers();
});

test.each(['legacy', 'modern'] as const)(
  '%s era: 20 concurrent calls on a fresh client cost one token; 20 concurrent calls past expiry one more; the session stays',
  async (era) => {
    vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
    clearEraVerdicts();
    const tokensBefore = stack.as.tokenRequests.length;
    const auth = createAuthCoordinator({
      serverUrl: stack.url,
      authProvider: new ClientCredentialsProvider({ clientId: 'agent', clientSecret: 'pw', expectedIssuer: stack.as.issuer, scope: 'mcp' }),
      now: () => Date.now(),
      refreshJitterMs: 0,
    });
    await using client = new MCPClient({ era, url: stack.url, fetch: authorizedFetch(auth), listen: false });
    const texts = (replies: { structuredContent?: unknown }[]): string[] =>
      replies.map((reply) => (reply.structuredContent as { text: string }).text);
    const calls = (label: string) =>
      Promise.all(Array.from({ length: 20 }, (_, index) => client.callTool('echo', { text: `${label} ${index}` })));

    expect(texts(await calls('fresh'))).toEqual(Array.from({ length: 20 }, (_, index) => `fresh ${index}`));
    expect(stack.as.tokenRequests.slice(tokensBefore).map((request) => [request.grantType, request.status])).toEqual([
      ['client_credentials', 200],
    ]);
    const session = client.mcpSessionId;
    const appSession = client.sessionId;

    vi.setSystemTime(Date.now() + (TTL_SECONDS + 5) * 1000);
    expect(texts(await calls('expired'))).toEqual(Array.from({ length: 20 }, (_, index) => `expired ${index}`));
    expect(stack.as.tokenRequests.slice(tokensBefore)).toHaveLength(2);
    expect(client.mcpSessionId).toBe(session);
    expect(client.sessionId).toBe(appSession);
    expect(client.stats().reinitializations).toBe(0);
  },
);

test('legacy era: the server itself refuses the expired token (401) when a client sends it anyway, and the client recovers with one token', async () => {
  vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
  clearEraVerdicts();
  // The client's clock lags the server's by the token lifetime: it believes the token is fresh, the server does not.
  let lagMs = 0;
  const auth = createAuthCoordinator({
    serverUrl: stack.url,
    authProvider: new ClientCredentialsProvider({ clientId: 'agent', clientSecret: 'pw', expectedIssuer: stack.as.issuer, scope: 'mcp' }),
    now: () => Date.now() - lagMs,
    refreshJitterMs: 0,
  });
  const statuses: number[] = [];
  const wire: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    statuses.push(response.status);
    return response;
  };
  await using client = new MCPClient({ era: 'legacy', url: stack.url, fetch: authorizedFetch(auth, wire), listen: false });
  await client.callTool('echo', { text: 'first' });
  const tokensBefore = stack.as.tokenRequests.length;
  const session = client.mcpSessionId;

  lagMs = (TTL_SECONDS + 5) * 1000;
  vi.setSystemTime(Date.now() + lagMs);
  statuses.length = 0;
  expect(((await client.callTool('echo', { text: 'second' })).structuredContent as { text: string }).text).toBe('second');
  expect(stack.as.tokenRequests.length - tokensBefore).toBe(1);
  expect(client.mcpSessionId).toBe(session);
  expect(client.stats().reinitializations).toBe(0);
  // What crossed the wire for that call: the server's own 401 for the stale token, then the answer.
  expect(statuses).toEqual([401, 200]);
});

test("legacy era: login with PKCE from the server's own challenge, calls continue; a revoked refresh token at expiry is AuthRequiredError and nothing runs", async () => {
  vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
  clearEraVerdicts();
  const provider = new InteractiveTestProvider('archon-cli');
  const auth = createAuthCoordinator({ serverUrl: stack.url, authProvider: provider, now: () => Date.now(), refreshJitterMs: 0 });
  await using client = new MCPClient({ era: 'legacy', url: stack.url, fetch: authorizedFetch(auth), listen: false });
  const echoRuns = (): number => stack.server.stats().toolRuns['echo'] ?? 0;
  const runsBefore = echoRuns();

  const required = await client.callTool('echo', { text: 'before login' }).catch((error: unknown) => error);
  expect(required).toBeInstanceOf(AuthRequiredError);
  const authorizationUrl = new URL((required as AuthRequiredError).authorizationUrl ?? '');
  // The scope and the resource came from the server's 401 and its RFC 9728 metadata.
  expect(
    Object.fromEntries(['scope', 'resource', 'code_challenge_method'].map((name) => [name, authorizationUrl.searchParams.get(name)])),
  ).toEqual({
    scope: 'mcp',
    resource: stack.url,
    code_challenge_method: 'S256',
  });
  expect(echoRuns()).toBe(runsBefore);
  await auth.finishAuth(await approveInBrowser(authorizationUrl.href));
  expect(((await client.callTool('echo', { text: 'after login' })).structuredContent as { text: string }).text).toBe('after login');
  expect(echoRuns()).toBe(runsBefore + 1);

  // Expiry with rotating refresh tokens: 20 concurrent calls, one refresh, every call served.
  vi.setSystemTime(Date.now() + (TTL_SECONDS + 5) * 1000);
  const beforeRefresh = stack.as.tokenRequests.length;
  const replies = await Promise.all(Array.from({ length: 20 }, (_, index) => client.callTool('echo', { text: `at expiry ${index}` })));
  expect(replies).toHaveLength(20);
  expect(stack.as.tokenRequests.slice(beforeRefresh).map((request) => [request.grantType, request.status])).toEqual([
    ['refresh_token', 200],
  ]);
  expect(echoRuns()).toBe(runsBefore + 21);

  const refreshToken = stack.as.tokenRequests.at(-1)?.issuedRefreshToken;
  await stack.as.revoke(String(refreshToken));
  vi.setSystemTime(Date.now() + (TTL_SECONDS + 5) * 1000);
  const tokensBefore = stack.as.tokenRequests.length;
  const revoked = await client.callTool('echo', { text: 'after revocation' }).catch((error: unknown) => error);
  expect(revoked).toBeInstanceOf(AuthRequiredError);
  expect(stack.as.tokenRequests.slice(tokensBefore).map((request) => [request.grantType, request.status])).toEqual([
    ['refresh_token', 400],
  ]);
  expect(echoRuns()).toBe(runsBefore + 21);
});
