/**
 * `createSessionHandler({ oauth })` as a user mounts it, with the real authorization server: the metadata through
 * `handle` on a catch-all node:http server, through Express routes and through `fetch`; the verified token in the
 * user's tools (`ctx.http.authInfo`) and the SDK's own per-tool `scopeChallenge`; and the subject binding across a
 * restart on the file store (a new process, a new token, the same subject: the session is adopted).
 */
import { createServer, type Server } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { McpServer, requireScopes } from '@modelcontextprotocol/server';
import express from 'express';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createSessionHandler, type SessionHandler, type SessionHandlerOptions } from '../../server/index';
import { startAuthorizationServer, type AuthorizationServer } from '../auth/support/authorization-server';
import { bearer, challengeParams, clientCredentialsToken, userLogin } from '../support/oauth-resource-stack';
import { initializeMessage, postMcp, RawMcpSession } from '../support/server-raw-client';

/** The resource is an identifier: tokens name it, whatever address the handler is reached at. */
const RESOURCE = 'https://notes.example/mcp';

let as: AuthorizationServer;
beforeAll(async () => {
  as = await startAuthorizationServer();
});
afterAll(async () => {
  await as?.close();
});

function notesServer(): McpServer {
  const server = new McpServer({ name: 'notes', version: '1.0.0' });
  server.registerTool('whoami', { description: 'The verified caller.' }, (ctx) => {
    const auth = ctx.http?.authInfo;
    const who = {
      clientId: auth?.clientId ?? null,
      scopes: auth?.scopes ?? [],
      subject: (auth?.extra as { subject?: string } | undefined)?.subject ?? null,
    };
    return { content: [{ type: 'text', text: JSON.stringify(who) }], structuredContent: who };
  });
  server.registerTool('purge', { description: 'Needs notes:admin.', scopeChallenge: requireScopes('notes:admin') }, () => ({
    content: [{ type: 'text', text: 'purged' }],
  }));
  return server;
}

function options(extra: Partial<SessionHandlerOptions> = {}): SessionHandlerOptions {
  return { createServer: notesServer, store: 'memory', oauth: { issuer: as.issuer, resource: RESOURCE }, ...extra };
}

/** `mcp.handle` for every path, as the README's node:http one-liner mounts it. */
async function catchAll(
  mcp: SessionHandler,
  port = 0,
): Promise<{ url: string; origin: string; http: Server; [Symbol.asyncDispose](): Promise<void> }> {
  const http = createServer((req, res) => void mcp.handle(req, res));
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(port, '127.0.0.1', () => resolve());
  });
  const origin = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  return {
    url: `${origin}/mcp`,
    origin,
    http,
    async [Symbol.asyncDispose]() {
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      await mcp.close();
    },
  };
}

const token = (clientId: string, scope?: string): Promise<string> =>
  clientCredentialsToken(as, { clientId, resource: RESOURCE, ...(scope === undefined ? {} : { scope }) });

describe('mounting the metadata', () => {
  test('node:http catch-all: handle answers both metadata paths itself', async () => {
    await using host = await catchAll(await createSessionHandler(options()));
    for (const path of ['/.well-known/oauth-protected-resource/mcp', '/.well-known/oauth-protected-resource']) {
      const response = await fetch(`${host.origin}${path}`);
      expect([response.status, ((await response.json()) as { resource: string }).resource]).toEqual([200, RESOURCE]);
    }
    const challenge = challengeParams((await postMcp(host.url, initializeMessage())).headers.get('www-authenticate'));
    expect(challenge).toEqual({ resource_metadata: 'https://notes.example/.well-known/oauth-protected-resource/mcp' });
  });

  test('Express: app.get(mcp.protectedResourceMetadataPaths, mcp.protectedResourceMetadata) beside app.all(path, mcp.handle)', async () => {
    const mcp = await createSessionHandler(options());
    const app = express();
    app.get(mcp.protectedResourceMetadataPaths, mcp.protectedResourceMetadata);
    app.all('/mcp', mcp.handle);
    const http = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => http.once('listening', resolve));
    try {
      const origin = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
      expect(await (await fetch(`${origin}/.well-known/oauth-protected-resource/mcp`)).json()).toMatchObject({
        authorization_servers: [as.issuer],
      });
      const session = await RawMcpSession.initialize(`${origin}/mcp`, { headers: bearer(await token('express-agent')) });
      expect((await session.callTool('whoami'))['structuredContent']).toMatchObject({ subject: 'express-agent' });
    } finally {
      http.closeAllConnections();
      await new Promise((resolve) => http.close(resolve));
      await mcp.close();
    }
  });

  test('web-standard: fetch and protectedResourceMetadataResponse; without oauth there is no metadata', async () => {
    await using mcp = await createSessionHandler(options());
    const viaFetch = await mcp.fetch(new Request('http://any.host/.well-known/oauth-protected-resource/mcp'));
    expect(((await viaFetch.json()) as { resource: string }).resource).toBe(RESOURCE);
    expect(mcp.protectedResourceMetadataResponse().status).toBe(200);
    await using plain = await createSessionHandler({ createServer: notesServer });
    expect(plain.protectedResourceMetadataPaths).toEqual([]);
    expect(plain.protectedResourceMetadataResponse().status).toBe(404);
  });

  test('createSessionHandler needs oauth.resource, and refuses oauth together with authToken', async () => {
    await expect(createSessionHandler({ createServer: notesServer, oauth: { issuer: as.issuer } })).rejects.toThrow(/`oauth.resource`/);
    await expect(createSessionHandler({ ...options(), authToken: 'x' })).rejects.toThrow(/either `authToken`.*or `oauth`/);
  });
});

describe('the verified token in your tools', () => {
  test('ctx.http.authInfo carries the subject, client and scopes; the SDK scopeChallenge answers 403 with the metadata URL', async () => {
    await using host = await catchAll(await createSessionHandler(options()));
    const session = await RawMcpSession.initialize(host.url, { headers: bearer(await token('agent-7', 'notes:read')) });
    expect((await session.callTool('whoami'))['structuredContent']).toEqual({
      clientId: 'agent-7',
      scopes: ['notes:read'],
      subject: 'agent-7',
    });
    const refused = await session.request('tools/call', { name: 'purge', arguments: {} });
    expect(refused.status).toBe(403);
    expect(challengeParams(refused.headers.get('www-authenticate'))).toMatchObject({
      error: 'insufficient_scope',
      scope: 'notes:admin',
      resource_metadata: 'https://notes.example/.well-known/oauth-protected-resource/mcp',
    });
    const allowed = await session.request('tools/call', { name: 'purge', arguments: {} }, bearer(await token('agent-7', 'notes:admin')));
    expect(allowed.status).toBe(200);
  });
});

describe('the subject binding survives a restart', () => {
  test('file store: the session is adopted by the next process for a new token of the same subject, and refused to another', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'archon-oauth-restart-'));
    try {
      const user = await userLogin(as, { resource: RESOURCE });
      let session: RawMcpSession;
      let port: number;
      {
        await using host = await catchAll(await createSessionHandler(options({ store: `file:${dir}` })));
        port = (host.http.address() as AddressInfo).port;
        session = await RawMcpSession.initialize(host.url, { headers: bearer(user.accessToken), appSessionId: 'restart-app-1' });
        expect((await session.callTool('whoami'))['structuredContent']).toMatchObject({ subject: 'johndoe' });
      }
      const mcp = await createSessionHandler(options({ store: `file:${dir}` }));
      await using host = await catchAll(mcp, port);
      as.setAccessTokenTtl(1800); // a token that differs from the first even within the same second
      const refreshed = await user.refresh().finally(() => as.setAccessTokenTtl(3600));
      const intruder = await session.request('tools/call', { name: 'whoami', arguments: {} }, bearer(await token('agent-x')));
      expect(intruder.status).toBe(404);
      const reply = await session.request('tools/call', { name: 'whoami', arguments: {} }, bearer(refreshed));
      expect([reply.status, reply.headers.get('x-archon-session-id')]).toEqual([200, 'restart-app-1']);
      expect(mcp.stats().sessionsAdopted).toBe(1);
      expect(host.url).toBe(session.url);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
