/**
 * The reference server as an OAuth 2.1 resource server, in front of the real authorization server
 * (oauth2-mock-server): RFC 9728 metadata, 401 challenges, JWT verification (audience, expiry), sessions bound to
 * the token's subject in both eras, refreshed tokens keeping their session, scopes (403 insufficient_scope).
 * Driven with raw HTTP carrying tokens from the mock's token endpoint, so every answer is the server's own.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { APP_HEADER, initializeMessage, postMcp, RawMcpSession } from '../support/server-raw-client';
import { postModern, resultOf } from '../support/server-modern-client';
import {
  bearer,
  challengeParams,
  clientCredentialsToken,
  startOAuthStack,
  userLogin,
  type OAuthStack,
} from '../support/oauth-resource-stack';

let stack: OAuthStack;
const token = (clientId: string, scope = 'mcp', resource = stack.url): Promise<string> =>
  clientCredentialsToken(stack.as, { clientId, resource, scope });

beforeAll(async () => {
  stack = await startOAuthStack({
    oauth: { requiredScopes: ['mcp'], toolScopes: { counter: ['counter:write'] }, resourceName: 'Archon MCP' },
  });
});
afterAll(async () => {
  await stack?.[Symbol.asyncDispose]();
});

describe('protected-resource metadata (RFC 9728)', () => {
  test('served at the path-suffixed and the root well-known URL, naming the issuer, the resource and the scopes', async () => {
    const origin = new URL(stack.url).origin;
    for (const url of [stack.metadataUrl, `${origin}/.well-known/oauth-protected-resource`]) {
      const response = await fetch(url);
      expect(response.status).toBe(200);
      expect(response.headers.get('access-control-allow-origin')).toBe('*');
      expect(await response.json()).toEqual({
        resource: stack.url,
        authorization_servers: [stack.as.issuer],
        bearer_methods_supported: ['header'],
        scopes_supported: ['mcp', 'counter:write'],
        resource_name: 'Archon MCP',
      });
    }
  });

  test('HEAD has no body, OPTIONS is a CORS preflight, POST is 405', async () => {
    const head = await fetch(stack.metadataUrl, { method: 'HEAD' });
    expect([head.status, await head.text()]).toEqual([200, '']);
    expect((await fetch(stack.metadataUrl, { method: 'OPTIONS' })).status).toBe(204);
    const post = await fetch(stack.metadataUrl, { method: 'POST' });
    expect([post.status, post.headers.get('allow')]).toEqual([405, 'GET, HEAD, OPTIONS']);
  });
});

describe('401 challenges', () => {
  test.each(['legacy', 'modern'] as const)('%s: no token -> 401 naming the metadata and the scope, without an error code', async (era) => {
    const reply = era === 'legacy' ? await postMcp(stack.url, initializeMessage()) : await postModern(stack.url, 'tools/list');
    expect(reply.status).toBe(401);
    const header = reply.headers.get('www-authenticate');
    expect(challengeParams(header)).toEqual({ resource_metadata: stack.metadataUrl, scope: 'mcp' });
    expect(header).not.toContain('error=');
  });

  test.each(['legacy', 'modern'] as const)('%s: a token for another audience -> 401 invalid_token', async (era) => {
    const other = await token('agent-a', 'mcp', 'http://127.0.0.1:1/other-mcp');
    const reply =
      era === 'legacy'
        ? await postMcp(stack.url, initializeMessage(), bearer(other))
        : await postModern(stack.url, 'tools/list', {}, { headers: bearer(other) });
    expect(reply.status).toBe(401);
    expect(challengeParams(reply.headers.get('www-authenticate'))).toMatchObject({
      error: 'invalid_token',
      error_description: 'Token was not issued for this resource',
      resource_metadata: stack.metadataUrl,
    });
  });

  test.each(['legacy', 'modern'] as const)('%s: an expired token -> 401 invalid_token', async (era) => {
    stack.as.setAccessTokenTtl(-120);
    const expired = await token('agent-a').finally(() => stack.as.setAccessTokenTtl(3600));
    const reply =
      era === 'legacy'
        ? await postMcp(stack.url, initializeMessage(), bearer(expired))
        : await postModern(stack.url, 'tools/list', {}, { headers: bearer(expired) });
    expect(reply.status).toBe(401);
    expect(challengeParams(reply.headers.get('www-authenticate'))).toMatchObject({
      error: 'invalid_token',
      error_description: 'Token has expired',
    });
  });

  test('a token from another issuer, a forged signature and garbage -> 401 invalid_token', async () => {
    const valid = await token('agent-a');
    const [header, payload] = valid.split('.');
    const forgedPayload = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()), sub: 'admin' }),
    ).toString('base64url');
    const otherIssuer = await stack.as.mintToken({ iss: 'https://evil.example', aud: stack.url, sub: 'x', scope: 'mcp' });
    for (const [bad, description] of [
      [`${header}.${forgedPayload}.${valid.split('.')[2]}`, 'Token signature is invalid'],
      [otherIssuer, 'Token was not issued by the trusted issuer'],
      ['not-a-jwt', 'Token is not a valid JWT'],
    ] as const) {
      const reply = await postMcp(stack.url, initializeMessage(), bearer(bad));
      expect([reply.status, challengeParams(reply.headers.get('www-authenticate'))['error_description']]).toEqual([401, description]);
    }
  });
});

describe('sessions bound to the token subject', () => {
  test('legacy: a valid token is served; the session record holds a hash of issuer and subject, not of the token', async () => {
    const agentToken = await token('agent-a');
    const session = await RawMcpSession.initialize(stack.url, { headers: bearer(agentToken) });
    const result = await session.callTool('echo', { text: 'hi' });
    expect(JSON.stringify(result)).toContain('hi');
    const record = await stack.server.handler.stores.sessions.get(session.sessionId);
    const hash = (text: string): string => createHash('sha256').update(text).digest('hex');
    expect(record?.principalHash).toBe(hash(`${stack.as.issuer}\nclient_id:agent-a`));
    expect(record?.principalHash).not.toBe(hash(agentToken));
  });

  test('legacy: a new token of the same subject keeps the session; another subject gets the 404 of an unknown session', async () => {
    const session = await RawMcpSession.initialize(stack.url, { headers: bearer(await token('agent-a')) });
    const sameSubject = await session.request('tools/list', {}, bearer(await token('agent-a')));
    expect(sameSubject.status).toBe(200);
    const intruder = await session.request('tools/list', {}, bearer(await token('agent-b')));
    const unknown = await postMcp(
      stack.url,
      { jsonrpc: '2.0', id: 9, method: 'tools/list' },
      {
        ...bearer(await token('agent-b')),
        'mcp-session-id': 'no-such-session',
        'mcp-protocol-version': '2025-11-25',
      },
    );
    expect([intruder.status, intruder.text.replace(/"id":\d+/, '')]).toEqual([404, unknown.text.replace(/"id":\d+/, '')]);
    // The session still works for its owner.
    expect((await session.request('tools/list', {}, bearer(await token('agent-a')))).status).toBe(200);
  });

  test('legacy: a refreshed user token (same sub, new token) keeps the session and its app session', async () => {
    const user = await userLogin(stack.as, { resource: stack.url, scope: 'mcp' });
    const session = await RawMcpSession.initialize(stack.url, { headers: bearer(user.accessToken), appSessionId: 'user-app-session-1' });
    // Another lifetime, so the new token differs even within the same second (the mock's tokens carry no jti).
    stack.as.setAccessTokenTtl(1800);
    const refreshed = await user.refresh().finally(() => stack.as.setAccessTokenTtl(3600));
    expect(refreshed).not.toBe(user.accessToken);
    const reply = await session.request('tools/call', { name: 'echo', arguments: { text: 'after refresh' } }, bearer(refreshed));
    expect([reply.status, reply.headers.get(APP_HEADER)]).toEqual([200, 'user-app-session-1']);
  });

  test('modern: the app session follows the subject across tokens; another subject presenting it gets a new one', async () => {
    const first = await postModern(stack.url, 'tools/list', {}, { appSessionId: 'modern-app-1', headers: bearer(await token('agent-a')) });
    expect([first.status, first.headers.get(APP_HEADER)]).toEqual([200, 'modern-app-1']);
    const again = await postModern(
      stack.url,
      'tools/call',
      { name: 'echo', arguments: { text: 'x' } },
      { appSessionId: 'modern-app-1', headers: bearer(await token('agent-a')) },
    );
    expect(resultOf(again)).toBeDefined();
    expect(again.headers.get(APP_HEADER)).toBe('modern-app-1');
    const intruder = await postModern(
      stack.url,
      'tools/list',
      {},
      { appSessionId: 'modern-app-1', headers: bearer(await token('agent-b')) },
    );
    expect(intruder.status).toBe(200);
    expect(intruder.headers.get(APP_HEADER)).not.toBe('modern-app-1');
  });
});

describe('scopes', () => {
  test.each(['legacy', 'modern'] as const)('%s: a token without the required scope -> 403 insufficient_scope naming it', async (era) => {
    const narrow = await token('agent-a', 'other');
    const reply =
      era === 'legacy'
        ? await postMcp(stack.url, initializeMessage(), bearer(narrow))
        : await postModern(stack.url, 'tools/list', {}, { headers: bearer(narrow) });
    expect(reply.status).toBe(403);
    expect(challengeParams(reply.headers.get('www-authenticate'))).toMatchObject({
      error: 'insufficient_scope',
      scope: 'mcp',
      resource_metadata: stack.metadataUrl,
    });
  });

  test('legacy: a tool with its own scope -> 403 naming every scope it needs, and nothing ran; with the scope it runs', async () => {
    const session = await RawMcpSession.initialize(stack.url, { headers: bearer(await token('agent-a')) });
    const before = stack.server.stats().toolRuns['counter'] ?? 0;
    const refused = await session.request('tools/call', { name: 'counter', arguments: {} });
    expect(refused.status).toBe(403);
    expect(challengeParams(refused.headers.get('www-authenticate'))).toMatchObject({
      error: 'insufficient_scope',
      scope: 'mcp counter:write',
    });
    expect(stack.server.stats().toolRuns['counter'] ?? 0).toBe(before);
    const allowed = await session.request(
      'tools/call',
      { name: 'counter', arguments: {} },
      bearer(await token('agent-a', 'mcp counter:write')),
    );
    expect(allowed.status).toBe(200);
    expect(stack.server.stats().toolRuns['counter']).toBe(before + 1);
  });

  test('modern: the same tool scope check', async () => {
    const refused = await postModern(
      stack.url,
      'tools/call',
      { name: 'counter', arguments: {} },
      { headers: bearer(await token('agent-a')) },
    );
    expect([refused.status, challengeParams(refused.headers.get('www-authenticate'))['scope']]).toEqual([403, 'mcp counter:write']);
    const allowed = await postModern(
      stack.url,
      'tools/call',
      { name: 'counter', arguments: {} },
      { headers: bearer(await token('agent-a', 'mcp counter:write')) },
    );
    expect(resultOf(allowed)).toBeDefined();
  });
});
