/**
 * The issuer's signing keys as the session layer fetches them: once at start, again for a rotated key (a token
 * with a new `kid`), never more than once per cooldown for unknown `kid`s however many arrive, and bounded when
 * the authorization server misbehaves (down, slow, huge, huge once decompressed, redirecting, lying about its
 * issuer): those requests get 503 + Retry-After (try again), not 401 (which would send clients to re-authorize).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { describe, expect, test } from 'vitest';
import { startReferenceServer, type ServerLogEntry } from '../../server/index';
import { initializeMessage, postMcp } from '../support/server-raw-client';
import { bearer, challengeParams, clientCredentialsToken, startOAuthStack } from '../support/oauth-resource-stack';

let forgingKey: Promise<CryptoKey> | undefined;

/** A token signed with a key the issuer never published, under `kid`. */
async function forgedToken(issuer: string, audience: string, kid: string): Promise<string> {
  forgingKey ??= generateKeyPair('RS256').then(({ privateKey }) => privateKey);
  const privateKey = await forgingKey;
  return new SignJWT({ sub: 'mallory', scope: 'mcp' })
    .setProtectedHeader({ alg: 'RS256', kid })
    .setIssuer(issuer)
    .setAudience(audience)
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(privateKey);
}

/** A stand-in authorization server that misbehaves as `answer` says, counting requests per path. */
async function startHostileIssuer(answer: (req: IncomingMessage, res: ServerResponse, issuer: string) => void) {
  const hits = new Map<string, number>();
  let issuer = '';
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    answer(req, res, issuer);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    hits,
    async [Symbol.asyncDispose]() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A reference server trusting `issuer`, with a logger the test reads. */
async function serverTrusting(issuer: string, oauth: Record<string, unknown> = {}) {
  const logs: ServerLogEntry[] = [];
  const log = (entry: ServerLogEntry): void => void logs.push(entry);
  const server = await startReferenceServer({ port: 0, store: 'memory', oauth: { issuer, ...oauth }, logger: { warn: log, debug: log } });
  return { server, logs, url: server.url, [Symbol.asyncDispose]: () => server.close() };
}

describe('key rotation', () => {
  test('a token signed with a new key is accepted after one refetch; later tokens with it cost nothing', async () => {
    await using stack = await startOAuthStack();
    const first = await postMcp(
      stack.url,
      initializeMessage(),
      bearer(await clientCredentialsToken(stack.as, { clientId: 'agent-a', resource: stack.url })),
    );
    expect(first.status).toBe(200);
    expect(stack.as.hits.get('/jwks')).toBe(1);
    expect(stack.as.hits.get('/.well-known/oauth-authorization-server')).toBe(1);

    const kid = await stack.as.addSigningKey();
    const claims = { aud: stack.url, sub: 'rotated-user', scope: 'mcp' };
    const rotated = await postMcp(stack.url, initializeMessage(), bearer(await stack.as.mintToken(claims, { kid })));
    expect(rotated.status).toBe(200);
    expect(stack.as.hits.get('/jwks')).toBe(2);
    const again = await postMcp(stack.url, initializeMessage(), bearer(await stack.as.mintToken(claims, { kid })));
    expect(again.status).toBe(200);
    expect(stack.as.hits.get('/jwks')).toBe(2);
  });

  test('20 concurrent tokens with unknown kids cause one refetch, and the next 20 none (cooldown); all are 401', async () => {
    await using stack = await startOAuthStack();
    expect(
      (
        await postMcp(
          stack.url,
          initializeMessage(),
          bearer(await clientCredentialsToken(stack.as, { clientId: 'a', resource: stack.url })),
        )
      ).status,
    ).toBe(200);
    const jwksBefore = stack.as.hits.get('/jwks') ?? 0;
    const flood = async (round: number): Promise<number[]> => {
      const tokens = await Promise.all(
        Array.from({ length: 20 }, (_, index) => forgedToken(stack.as.issuer, stack.url, `forged-${round}-${index}`)),
      );
      const replies = await Promise.all(tokens.map((token) => postMcp(stack.url, initializeMessage(), bearer(token))));
      for (const reply of replies)
        expect(challengeParams(reply.headers.get('www-authenticate'))['error_description']).toBe('Token signing key is unknown');
      return replies.map((reply) => reply.status);
    };
    expect(new Set(await flood(1))).toEqual(new Set([401]));
    expect(stack.as.hits.get('/jwks')).toBe(jwksBefore + 1);
    expect(new Set(await flood(2))).toEqual(new Set([401]));
    expect(stack.as.hits.get('/jwks')).toBe(jwksBefore + 1);
  });
});

describe('discovery', () => {
  test('an issuer that publishes only OpenID discovery (RFC 8414 path: 404) is found there, in the spec order', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256');
    const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: 'oidc-1', alg: 'ES256', use: 'sig' }] };
    await using issuer = await startHostileIssuer((req, res, self) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      const json = (body: unknown): void => void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (path === '/.well-known/openid-configuration') return json({ issuer: self, jwks_uri: `${self}/keys` });
      if (path === '/keys') return json(jwks);
      res.writeHead(404).end();
    });
    await using rs = await serverTrusting(issuer.issuer);
    const token = await new SignJWT({ sub: 'oidc-user', scope: 'mcp' })
      .setProtectedHeader({ alg: 'ES256', kid: 'oidc-1' })
      .setIssuer(issuer.issuer)
      .setAudience(rs.url)
      .setExpirationTime('5m')
      .sign(privateKey);
    expect((await postMcp(rs.url, initializeMessage(), bearer(token))).status).toBe(200);
    expect(Object.fromEntries(issuer.hits)).toEqual({
      '/.well-known/oauth-authorization-server': 1,
      '/.well-known/openid-configuration': 1,
      '/keys': 1,
    });
  });
});

describe('an authorization server that misbehaves', () => {
  test('keys unavailable: 503 + Retry-After for every concurrent request, and at most two fetches', async () => {
    await using issuer = await startHostileIssuer((_req, res) => res.writeHead(500).end('down'));
    await using rs = await serverTrusting(issuer.issuer, { jwksUri: `${issuer.issuer}/jwks` });
    const token = await forgedToken(issuer.issuer, rs.url, 'k1');
    const replies = await Promise.all(Array.from({ length: 10 }, () => postMcp(rs.url, initializeMessage(), bearer(token))));
    expect(replies.map((reply) => [reply.status, reply.headers.get('retry-after')])).toEqual(Array.from({ length: 10 }, () => [503, '1']));
    // The warm-up fetch at start, and at most one more after its failure backoff (1 s) on a slow machine.
    expect(issuer.hits.get('/jwks')).toBeLessThanOrEqual(2);
    expect(rs.logs.some((entry) => entry.msg === 'oauth signing keys fetch failed' && String(entry['error']).includes('HTTP 500'))).toBe(
      true,
    );
  });

  test('a key set larger than maxFetchBytes is refused (503), its stream dropped before the end', async () => {
    let finished: boolean | undefined;
    await using issuer = await startHostileIssuer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"keys":[');
      res.once('close', () => (finished = res.writableFinished));
      const filler = `${JSON.stringify({ kty: 'oct', k: 'x'.repeat(16 * 1024) })},`;
      let written = 0;
      const pump = (): void => {
        while (written < 64 * 1024 * 1024 && !res.destroyed) {
          written += filler.length;
          if (!res.write(filler)) return void res.once('drain', pump);
        }
        res.end('{}]}');
      };
      pump();
    });
    await using rs = await serverTrusting(issuer.issuer, { jwksUri: `${issuer.issuer}/jwks`, maxFetchBytes: 64 * 1024 });
    const reply = await postMcp(rs.url, initializeMessage(), bearer(await forgedToken(issuer.issuer, rs.url, 'k1')));
    expect(reply.status).toBe(503);
    expect(rs.logs.find((entry) => entry.msg === 'oauth signing keys fetch failed')?.['error']).toMatch(/more than 65536 bytes/);
    await expect.poll(() => finished, { timeout: 5_000 }).toBe(false);
  });

  test('a key set compressed under maxFetchBytes but larger decoded is refused (the limit counts decoded bytes)', async () => {
    const body = gzipSync(JSON.stringify({ keys: [{ kty: 'oct', k: 'x'.repeat(1024 * 1024) }] }));
    expect(body.length).toBeLessThan(64 * 1024);
    await using issuer = await startHostileIssuer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': body.length }).end(body);
    });
    await using rs = await serverTrusting(issuer.issuer, { jwksUri: `${issuer.issuer}/jwks`, maxFetchBytes: 64 * 1024 });
    const reply = await postMcp(rs.url, initializeMessage(), bearer(await forgedToken(issuer.issuer, rs.url, 'k1')));
    expect(reply.status).toBe(503);
    expect(rs.logs.find((entry) => entry.msg === 'oauth signing keys fetch failed')?.['error']).toMatch(/more than 65536 bytes/);
  });

  test('a redirect is not followed, for metadata or keys: the target is never asked', async () => {
    await using target = await startHostileIssuer((_req, res) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"keys":[]}'),
    );
    await using issuer = await startHostileIssuer((_req, res) => res.writeHead(302, { location: `${target.issuer}/jwks` }).end());
    await using rs = await serverTrusting(issuer.issuer, { jwksUri: `${issuer.issuer}/jwks` });
    const reply = await postMcp(rs.url, initializeMessage(), bearer(await forgedToken(issuer.issuer, rs.url, 'k1')));
    expect(reply.status).toBe(503);
    await using discovering = await serverTrusting(issuer.issuer);
    const discovered = await postMcp(discovering.url, initializeMessage(), bearer(await forgedToken(issuer.issuer, discovering.url, 'k1')));
    expect(discovered.status).toBe(503);
    // A 3xx is neither a document nor "not published here": discovery stops at the first location.
    expect(issuer.hits.get('/.well-known/oauth-authorization-server')).toBeGreaterThanOrEqual(1);
    expect(issuer.hits.get('/.well-known/openid-configuration')).toBeUndefined();
    expect(target.hits.size).toBe(0);
  });

  test('a key set that never comes is given up after fetchTimeoutMs (503)', async () => {
    await using issuer = await startHostileIssuer(() => undefined);
    await using rs = await serverTrusting(issuer.issuer, { jwksUri: `${issuer.issuer}/jwks`, fetchTimeoutMs: 200 });
    const started = Date.now();
    const reply = await postMcp(rs.url, initializeMessage(), bearer(await forgedToken(issuer.issuer, rs.url, 'k1')));
    expect(reply.status).toBe(503);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(rs.logs.find((entry) => entry.msg === 'oauth signing keys fetch failed')?.['error']).toMatch(/no answer within 200 ms/);
  });

  test('metadata naming another issuer is not used (RFC 8414 §3.3): no key set is fetched', async () => {
    await using issuer = await startHostileIssuer((req, res, self) => {
      const body = JSON.stringify({ issuer: 'https://honest.example', jwks_uri: `${self}/jwks` });
      res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    });
    await using rs = await serverTrusting(issuer.issuer);
    const reply = await postMcp(rs.url, initializeMessage(), bearer(await forgedToken(issuer.issuer, rs.url, 'k1')));
    expect(reply.status).toBe(503);
    expect(issuer.hits.get('/jwks')).toBeUndefined();
    expect(rs.logs.find((entry) => entry.msg === 'oauth signing keys fetch failed')?.['error']).toMatch(
      /names issuer "https:\/\/honest.example"/,
    );
  });
});
