/**
 * `authorizedFetch` (archon-mcp-client/auth), the coordinator as a `fetch` for code outside MCPClient, here
 * plugged into MCPClient's `fetch` option (the `authProvider` option does the same below the retry loop, see
 * mcp-client-auth.test.ts), against the reference server behind the OAuth resource stand-in.
 * The 401 on the first request (`initialize`, or the 2026-07-28 `server/discover` probe) is answered by one token
 * request, the session is established once, and an expiry mid-session costs one refresh and no re-initialize. In
 * both eras: the legacy session is the protocol session, the modern one the app session (`X-Archon-Session-Id`).
 */
import { ClientCredentialsProvider } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { clearEraVerdicts } from '../../src/session/era-cache';
import { authorizedFetch, createAuthCoordinator } from '../../src/auth/index';
import { MCPClient } from '../../src/index';
import { startReferenceServer, type ReferenceServer } from '../../server/index';
import { type AuthorizationServer, startAuthorizationServer } from './support/authorization-server';
import { movableClock } from './support/fixtures';
import { type ResourceServer, startResourceServer } from './support/resource-server';

const TTL_SECONDS = 300;

let upstream: ReferenceServer;
let as: AuthorizationServer;
let rs: ResourceServer;
let clock: ReturnType<typeof movableClock>;

beforeAll(async () => {
  clock = movableClock();
  upstream = await startReferenceServer({ port: 0, store: 'memory' });
  as = await startAuthorizationServer({ accessTokenTtlSeconds: TTL_SECONDS, now: clock.now, clientSecrets: { agent: 'pw' } });
  rs = await startResourceServer({ issuer: as.issuer, jwksUrl: as.jwksUrl, now: clock.now, upstream: upstream.url });
});

afterAll(async () => {
  await rs.close();
  await as.close();
  await upstream.close();
});

test.each(['legacy', 'modern'] as const)(
  '%s era: 20 concurrent tool calls on a fresh client: one token, one session, 0 failures; expiry mid-session: one refresh, no re-initialize',
  async (era) => {
    clearEraVerdicts();
    const tokensBefore = as.tokenRequests.length;
    const auth = createAuthCoordinator({
      serverUrl: rs.url,
      authProvider: new ClientCredentialsProvider({ clientId: 'agent', clientSecret: 'pw', expectedIssuer: as.issuer }),
      now: clock.now,
      refreshJitterMs: 0,
    });
    await using client = new MCPClient({ era, url: rs.url, fetch: authorizedFetch(auth), listen: false });
    const replies = await Promise.all(Array.from({ length: 20 }, (_, index) => client.callTool('echo', { text: `call ${index}` })));
    expect(replies.map((reply) => (reply.structuredContent as { text: string }).text)).toEqual(
      Array.from({ length: 20 }, (_, index) => `call ${index}`),
    );
    expect(as.tokenRequests.slice(tokensBefore).map((request) => [request.grantType, request.status])).toEqual([
      ['client_credentials', 200],
    ]);
    expect(client.era).toBe(era);
    const session = client.mcpSessionId;
    const appSession = client.sessionId;
    if (era === 'legacy') expect(session).toBeDefined();
    else expect(session).toBeUndefined();

    clock.advance((TTL_SECONDS + 5) * 1000);
    expect(((await client.callTool('echo', { text: 'after expiry' })).structuredContent as { text: string }).text).toBe('after expiry');
    expect(as.tokenRequests).toHaveLength(tokensBefore + 2);
    expect(client.mcpSessionId).toBe(session);
    expect(client.sessionId).toBe(appSession);
    expect(client.stats().reinitializations).toBe(0);
  },
);
