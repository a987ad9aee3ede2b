/**
 * Fault matrix row of issue #11: the server restarts and the access token expires at the same moment. The
 * reference server runs as a child process (memory store: the restart loses the session) behind the OAuth
 * resource stand-in and a real authorization server (oauth2-mock-server, rotating refresh tokens). Calls fired
 * into the outage first meet the expired token (401: one shared refresh), then the dead upstream (503: not
 * delivered, resent with backoff), then the forgotten session (404: one shared re-initialize). Every call must
 * succeed, the non-idempotent `counter` must run exactly once per key, and each recovery must happen once.
 */
import { describe, expect, test } from 'vitest';
import { startMcpAuthStackFor } from '../auth/support/mcp-auth-stack';
import { approveInBrowser, InteractiveTestProvider } from '../auth/support/fixtures';
import { AuthRequiredError, MCPClient } from '../../src/index';
import { failuresOf, settle } from '../support/chaos-calls';
import { pollUntil } from '../support/chaos-poll';
import { startChaosServer } from '../support/chaos-server';

const TTL_SECONDS = 300;
const RETRY = { retries: 10_000, maxElapsedMs: 20_000, maxDelayMs: 500 };
const CALLS = 10;

describe('server restart and token expiry at the same moment', () => {
  test('one refresh, one re-initialize, 0 failed calls, 0 duplicate executions', async ({ annotate }) => {
    await using chaos = await startChaosServer();
    await using stack = await startMcpAuthStackFor(chaos.url, { as: { accessTokenTtlSeconds: TTL_SECONDS } });
    const provider = new InteractiveTestProvider('public-client');
    await using client = new MCPClient({ url: stack.url, authProvider: provider, era: 'legacy', listen: false, retry: RETRY });

    const login = await settle(client.listTools());
    const redirect = login.ok ? undefined : login.error;
    if (!(redirect instanceof AuthRequiredError)) throw new Error(`expected a login, got ${String(redirect)}`);
    await client.finishAuth(await approveInBrowser(redirect.authorizationUrl));
    await client.callTool('counter', { key: 'warm-up' });
    const sessionBefore = client.mcpSessionId;

    // The moment: the server dies and, for the resource, every token issued so far is past its expiry.
    await chaos.server.kill();
    stack.clock.advance((TTL_SECONDS + 5) * 1000);
    const keys = Array.from({ length: CALLS }, (_, index) => `at-the-moment-${index}`);
    const calls = Promise.all([
      ...keys.map((key) => settle(client.callTool('counter', { key }))),
      ...keys.map((_, index) => settle(client.callTool('echo', { text: `echo ${index}` }))),
    ]);
    // The calls have refreshed and reached the dead upstream before the server comes back.
    await pollUntil(() => stack.rs.counts.unavailable > 0, { what: 'a call to meet the dead upstream with a fresh token', timeoutMs: 10_000 });
    await chaos.server.start();
    const outcomes = await calls;
    await annotate(`client ${JSON.stringify(client.stats())}; resource ${JSON.stringify(stack.rs.counts)}`);

    expect(failuresOf(outcomes)).toEqual([]);
    const refreshes = stack.as.tokenRequests.filter((request) => request.grantType === 'refresh_token');
    expect(refreshes.map((request) => request.status)).toEqual([200]);
    expect(client.stats().reinitializations).toBe(1);
    expect(client.mcpSessionId).not.toBe(sessionBefore);
    expect((await chaos.stats()).initializeCount).toBe(1);
    const runs = await chaos.counterRunsByKey();
    expect(keys.map((key) => runs.get(key) ?? 0)).toEqual(keys.map(() => 1));
    expect(runs.get('warm-up')).toBe(1);
  });
});
