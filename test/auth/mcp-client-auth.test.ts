/**
 * MCPClient's `authProvider` end to end (issue #11): a real authorization server (oauth2-mock-server) in front
 * of an MCP server of each era (the reference server for 2025-11-25, the official v2 server for 2026-07-28),
 * behind the JWT-verifying resource stand-in. Counts are what the servers saw: token requests at the
 * authorization server, requests and 401s at the resource.
 */
import type { OAuthClientProvider } from '@modelcontextprotocol/client';
import { beforeEach, describe, expect, test } from 'vitest';
import { AuthRequiredError, MCPClient, type MCPClientOptions } from '../../src/index';
import { clearEraVerdicts } from '../../src/session/era-cache';
import { approveInBrowser, InteractiveTestProvider, settle } from './support/fixtures';
import { type McpAuthStack, startMcpAuthStack } from './support/mcp-auth-stack';

const TTL_SECONDS = 300;

beforeEach(() => clearEraVerdicts());

function openClient(stack: McpAuthStack, authProvider: OAuthClientProvider, options: MCPClientOptions = {}): MCPClient {
  return new MCPClient({ url: stack.url, authProvider, listen: false, auth: { refreshJitterMs: 0 }, ...options });
}

/** The first call needs a login: the browser step done programmatically, then `finishAuth`. */
async function logIn(client: MCPClient): Promise<AuthRequiredError> {
  const first = await settle(client.listTools());
  const error = first.ok ? undefined : first.error;
  if (!(error instanceof AuthRequiredError)) throw new Error(`expected AuthRequiredError, got ${String(error)}`);
  await client.finishAuth(await approveInBrowser(error.authorizationUrl));
  return error;
}

const echoed = async (client: MCPClient, text: string): Promise<string> =>
  ((await client.callTool('echo', { text })).content as Array<{ text?: string }>)[0]?.text ?? '';

describe.each(['legacy', 'modern'] as const)('MCPClient with an OAuth authProvider, %s server', (era) => {
  test('login with PKCE: the first call rejects with the authorization URL, finishAuth completes it, calls continue', async () => {
    await using stack = await startMcpAuthStack({ era, as: { accessTokenTtlSeconds: TTL_SECONDS } });
    const provider = new InteractiveTestProvider('public-client');
    await using client = openClient(stack, provider);

    const error = await logIn(client);
    expect({ code: error.code, reason: error.reason, serverUrl: error.serverUrl }).toEqual({ code: 'AUTH_REQUIRED', reason: 'redirect', serverUrl: stack.url });
    const authorization = new URL(error.authorizationUrl ?? '');
    expect(authorization.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorization.searchParams.get('resource')).toBe(stack.url);
    expect(provider.redirects).toHaveLength(1);
    // The 401 was never taken for an era or a lost session: nothing was negotiated before the login.
    expect(stack.rs.counts).toMatchObject({ requests: 1, unauthorized: 1, ok: 0 });

    expect(await echoed(client, 'after login')).toContain('after login');
    expect(client.era).toBe(era);
    expect(stack.as.tokenRequests.map((request) => [request.grantType, request.status])).toEqual([['authorization_code', 200]]);
    expect(stack.rs.counts.unauthorized).toBe(1);
    expect(client.stats()).toMatchObject({ retries: 0, reinitializations: 0 });
  });

  test('expiry the client knows of: the next call refreshes once, before it is sent, and succeeds', async () => {
    await using stack = await startMcpAuthStack({ era, as: { accessTokenTtlSeconds: TTL_SECONDS } });
    await using client = openClient(stack, new InteractiveTestProvider('public-client'), { now: stack.clock.now });
    await logIn(client);
    await echoed(client, 'warm');
    const session = client.mcpSessionId;
    const before = { ...stack.rs.counts };

    stack.clock.advance((TTL_SECONDS + 5) * 1000);
    expect(await echoed(client, 'after expiry')).toContain('after expiry');
    expect(stack.as.tokenRequests.map((request) => request.grantType)).toEqual(['authorization_code', 'refresh_token']);
    expect(stack.rs.counts.requests - before.requests).toBe(1);
    expect(stack.rs.counts.unauthorized).toBe(before.unauthorized);
    expect(client.mcpSessionId).toBe(session);
    expect(client.stats()).toMatchObject({ retries: 0, reinitializations: 0 });
  });

  test('expiry only the server knows of: the 401 refreshes once and the same request is re-sent, spending no retry', async () => {
    await using stack = await startMcpAuthStack({ era, as: { accessTokenTtlSeconds: TTL_SECONDS } });
    // retry: false - the resend after a 401 is not a retry, so it happens all the same.
    await using client = openClient(stack, new InteractiveTestProvider('public-client'), { retry: false });
    await logIn(client);
    await echoed(client, 'warm');
    const session = client.mcpSessionId;
    const before = { ...stack.rs.counts };

    stack.clock.advance((TTL_SECONDS + 5) * 1000);
    expect(await echoed(client, 'after expiry')).toContain('after expiry');
    expect(stack.as.tokenRequests.map((request) => request.grantType)).toEqual(['authorization_code', 'refresh_token']);
    expect({ requests: stack.rs.counts.requests - before.requests, unauthorized: stack.rs.counts.unauthorized - before.unauthorized }).toEqual({ requests: 2, unauthorized: 1 });
    expect(client.mcpSessionId).toBe(session);
    expect(client.stats()).toMatchObject({ retries: 0, reinitializations: 0, breakerTrips: 0 });
  });

  test('20 concurrent calls at expiry: exactly 1 token request, 0 failures, and the rotated refresh token is kept', async () => {
    // Every token request takes 200 ms, so the 20 challenges overlap the one refresh.
    await using stack = await startMcpAuthStack({ era, as: { accessTokenTtlSeconds: TTL_SECONDS, tokenDelayMs: 200 } });
    const provider = new InteractiveTestProvider('public-client');
    await using client = openClient(stack, provider);
    await logIn(client);
    await echoed(client, 'warm');
    const loginRefreshToken = provider.tokens()?.refresh_token;

    stack.clock.advance((TTL_SECONDS + 5) * 1000);
    const outcomes = await Promise.all(Array.from({ length: 20 }, (_, index) => settle(echoed(client, `call ${index}`))));
    expect(outcomes.filter((outcome) => !outcome.ok)).toEqual([]);
    const refreshes = stack.as.tokenRequests.filter((request) => request.grantType === 'refresh_token');
    expect(refreshes.map((request) => [request.status, request.refreshToken])).toEqual([[200, loginRefreshToken]]);
    // Rotation: the AS issued a new refresh token (the old one is now spent) and that is what the client keeps.
    expect(refreshes[0]?.issuedRefreshToken).not.toBe(loginRefreshToken);
    expect(provider.tokens()?.refresh_token).toBe(refreshes[0]?.issuedRefreshToken);
    expect(client.stats()).toMatchObject({ retries: 0, reinitializations: 0 });
  });

  test('a revoked refresh token: AuthRequiredError with a new authorization URL, nothing retried', async () => {
    await using stack = await startMcpAuthStack({ era, as: { accessTokenTtlSeconds: TTL_SECONDS } });
    const provider = new InteractiveTestProvider('public-client');
    await using client = openClient(stack, provider);
    await logIn(client);
    await echoed(client, 'warm');
    await stack.as.revoke(provider.tokens()?.refresh_token ?? '');
    const before = { ...stack.rs.counts };

    stack.clock.advance((TTL_SECONDS + 5) * 1000);
    const outcome = await settle(echoed(client, 'after revocation'));
    const error = outcome.ok ? undefined : outcome.error;
    expect(error).toBeInstanceOf(AuthRequiredError);
    expect(error).toMatchObject({ reason: 'redirect', message: expect.stringContaining('refresh token was rejected') });
    expect(stack.as.tokenRequests.map((request) => [request.grantType, request.status])).toEqual([
      ['authorization_code', 200],
      ['refresh_token', 400],
    ]);
    // One request reached the resource and was refused; the client did not send it again.
    expect({ requests: stack.rs.counts.requests - before.requests, ok: stack.rs.counts.ok - before.ok }).toEqual({ requests: 1, ok: 0 });
    expect(client.stats().retries).toBe(0);

    // Until the user acts, later calls fail the same way without another token request.
    expect((await settle(echoed(client, 'again'))).ok).toBe(false);
    expect(stack.as.tokenRequests).toHaveLength(2);
  });
});
