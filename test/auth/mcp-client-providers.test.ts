/**
 * MCPClient's `authProvider` with each kind of provider and the faults around it (issue #11), against the
 * reference server behind the real authorization server and the resource stand-in: client_credentials
 * (headless), the minimal `{ token(), onUnauthorized() }`, `403 insufficient_scope` step-up, an authorization
 * server that fails, the notification stream, and two clients sharing a token store.
 */
import { type AuthProvider, ClientCredentialsProvider } from '@modelcontextprotocol/client';
import { beforeEach, describe, expect, test } from 'vitest';
import { MemoryTokenStore } from '../../src/auth/index';
import { MCPClient, type MCPClientOptions } from '../../src/index';
import { clearEraVerdicts } from '../../src/session/era-cache';
import { settle } from './support/fixtures';
import { type McpAuthStack, startMcpAuthStack } from './support/mcp-auth-stack';

const TTL_SECONDS = 300;

beforeEach(() => clearEraVerdicts());

function agent(stack: McpAuthStack): ClientCredentialsProvider {
  return new ClientCredentialsProvider({ clientId: 'agent', clientSecret: 'pw', expectedIssuer: stack.as.issuer });
}

function openClient(stack: McpAuthStack, options: MCPClientOptions): MCPClient {
  return new MCPClient({ url: stack.url, listen: false, auth: { refreshJitterMs: 0 }, ...options });
}

const echo = async (client: MCPClient, text: string): Promise<unknown> => (await client.callTool('echo', { text })).structuredContent;

describe('client_credentials (a headless agent)', () => {
  test('20 concurrent calls on a fresh client: one token, one session, 0 failures; expiry mid-session: one new token, no re-initialize', async () => {
    await using stack = await startMcpAuthStack({ era: 'legacy', as: { accessTokenTtlSeconds: TTL_SECONDS, clientSecrets: { agent: 'pw' } } });
    await using client = openClient(stack, { authProvider: agent(stack), now: stack.clock.now });
    const replies = await Promise.all(Array.from({ length: 20 }, (_, index) => echo(client, `call ${index}`)));
    expect(replies).toEqual(Array.from({ length: 20 }, (_, index) => ({ text: `call ${index}` })));
    expect(stack.as.tokenRequests.map((request) => [request.grantType, request.status])).toEqual([['client_credentials', 200]]);
    const session = client.mcpSessionId;

    stack.clock.advance((TTL_SECONDS + 5) * 1000);
    expect(await echo(client, 'after expiry')).toEqual({ text: 'after expiry' });
    expect(stack.as.tokenRequests.map((request) => request.grantType)).toEqual(['client_credentials', 'client_credentials']);
    expect(client.mcpSessionId).toBe(session);
    expect(client.stats()).toMatchObject({ retries: 0, reinitializations: 0 });
  });

  test('refused credentials: AuthRequiredError rejected at once, nothing retried, the breaker untouched', async () => {
    await using stack = await startMcpAuthStack({ era: 'legacy', as: { clientSecrets: { agent: 'pw' } } });
    const wrong = new ClientCredentialsProvider({ clientId: 'agent', clientSecret: 'wrong', expectedIssuer: stack.as.issuer });
    await using client = openClient(stack, { authProvider: wrong, breaker: { failureThreshold: 1, coolDownMs: 60_000 } });
    for (let call = 0; call < 2; call++) {
      const outcome = await settle(client.listTools());
      expect(outcome.ok ? 'resolved' : outcome.error).toMatchObject({ code: 'AUTH_REQUIRED', reason: 'rejected' });
    }
    // Per call, the SDK's auth() tries once more after invalid_client (a stale dynamic registration would be
    // registered again); then the refusal is final.
    expect(stack.as.tokenRequests.map((request) => request.status)).toEqual([401, 401, 401, 401]);
    expect(stack.rs.counts).toMatchObject({ requests: 2, unauthorized: 2, ok: 0 });
    expect(client.stats()).toMatchObject({ retries: 0, breakerTrips: 0 });
  });

  test.each([
    ['answers 503', 503],
    ['drops the connection', 'network'],
  ] as const)('an authorization server that %s once: the call is not delivered, waited for and sent again', async (_label, how) => {
    await using stack = await startMcpAuthStack({ era: 'legacy', as: { clientSecrets: { agent: 'pw' } } });
    stack.as.failTokenRequests(1, how);
    await using client = openClient(stack, { authProvider: agent(stack), retry: { minDelayMs: 10, maxDelayMs: 50 } });
    expect(await echo(client, 'through an AS hiccup')).toEqual({ text: 'through an AS hiccup' });
    expect(stack.as.hits.get('/token')).toBe(2);
    expect(client.stats().retries).toBe(1);
  });
});

describe('403 insufficient_scope through MCPClient', () => {
  test('one step-up for the union of scopes, then the same request again', async () => {
    await using stack = await startMcpAuthStack({ era: 'legacy', as: { clientSecrets: { agent: 'pw' } }, rs: { scope: 'mcp:read', stepUp: true } });
    // Every request names a scope the first token lacks (the stand-in answers 403 insufficient_scope).
    await using client = openClient(stack, { authProvider: agent(stack), headers: { 'x-needs-scope': 'mcp:write' } });
    expect(await echo(client, 'with more scope')).toEqual({ text: 'with more scope' });
    expect(stack.as.tokenRequests.map((request) => request.scope)).toEqual(['mcp:read', 'mcp:read mcp:write']);
    expect(stack.rs.counts.forbidden).toBe(1);
    expect(client.stats().retries).toBe(0);
  });
});

describe('the minimal provider { token(), onUnauthorized() }', () => {
  test('concurrent 401s renew once, each request is re-sent once', async () => {
    await using stack = await startMcpAuthStack({ era: 'legacy', as: { clientSecrets: { agent: 'pw' } } });
    const source = agent(stack);
    let token: string | undefined;
    let renewals = 0;
    const authProvider = {
      token: async () => token,
      onUnauthorized: async ({ serverUrl, fetchFn }: Parameters<NonNullable<AuthProvider['onUnauthorized']>>[0]) => {
        renewals++;
        const { auth } = await import('@modelcontextprotocol/client');
        await auth(source, { serverUrl, fetchFn });
        token = source.tokens()?.access_token;
      },
    };
    await using client = openClient(stack, { authProvider });
    const outcomes = await Promise.all(Array.from({ length: 10 }, (_, index) => settle(echo(client, `call ${index}`))));
    expect(outcomes.filter((outcome) => !outcome.ok)).toEqual([]);
    expect(renewals).toBe(1);
    expect(stack.as.tokenRequests).toHaveLength(1);
  });
});

describe('every request carries the token', () => {
  test('the GET notification stream opens with it: no 401 after the first', async () => {
    await using stack = await startMcpAuthStack({ era: 'legacy', as: { clientSecrets: { agent: 'pw' } } });
    await using client = openClient(stack, { authProvider: agent(stack), listen: true });
    const opened = new Promise<void>((resolve) => client.on('stream', (event) => event.type === 'open' && resolve()));
    await client.connect();
    await opened;
    expect(stack.rs.counts.unauthorized).toBe(1);
    // discover, initialize, initialized and the GET stream, all accepted with the one token.
    expect(new Set(stack.rs.accepted.map((request) => request.token)).size).toBe(1);
    expect(stack.rs.accepted.length).toBeGreaterThanOrEqual(4);
  });

  test('two clients sharing a token store: one token for both, and each keeps its own session', async () => {
    await using stack = await startMcpAuthStack({ era: 'legacy', as: { clientSecrets: { agent: 'pw' } } });
    const tokenStore = new MemoryTokenStore();
    await using first = openClient(stack, { authProvider: agent(stack), tokenStore });
    await using second = openClient(stack, { authProvider: agent(stack), tokenStore });
    await Promise.all([echo(first, 'one'), echo(second, 'two')]);
    expect(stack.as.tokenRequests).toHaveLength(1);
    expect(first.mcpSessionId).not.toBe(second.mcpSessionId);
    expect((await tokenStore.read(stack.url))?.issuer).toBe(stack.as.issuer);
  });
});
