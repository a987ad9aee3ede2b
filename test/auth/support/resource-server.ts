/**
 * A tiny protected resource, the stand-in for the MCP server until the reference server is a resource server
 * (the #11 follow-up): it serves RFC 9728 metadata, verifies JWT access tokens with jose against the
 * authorization server's JWKS (issuer, audience = this resource, expiry by the test's clock), answers 401 with
 * `WWW-Authenticate: Bearer resource_metadata=...` and, for requests that need a scope the token lacks,
 * 403 `insufficient_scope`. It counts what it answered. With `upstream`, an accepted request is passed on to
 * that MCP endpoint (the reference server) and its answer streamed back: an MCP server behind OAuth.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, jwtVerify } from 'jose';

export interface ResourceServerOptions {
  readonly issuer: string;
  readonly jwksUrl: string;
  /** The resource server's clock, epoch ms (tests move it past token expiry). @default Date.now */
  readonly now?: () => number;
  /** Scopes named in the 401 challenge and in the metadata's `scopes_supported`. */
  readonly scope?: string;
  /** A request whose `x-needs-scope` header names a scope the token lacks is answered 403 insufficient_scope. */
  readonly stepUp?: boolean;
  /** Pass accepted requests (POST, GET, DELETE) on to this MCP endpoint. */
  readonly upstream?: string;
}

/** Hop-by-hop and recomputed headers, plus the credential the upstream must not see. */
const NOT_FORWARDED = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'authorization', 'content-encoding', 'keep-alive']);

/** Whether `error` (from fetch) says nothing was listening upstream: the request never reached it. */
function upstreamRefused(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth++) {
    const code = (current as { code?: unknown }).code;
    if (code === 'ECONNREFUSED') return true;
    if (current instanceof AggregateError && current.errors.some((inner) => (inner as { code?: unknown }).code === 'ECONNREFUSED')) return true;
  }
  return false;
}

async function forward(upstream: string, req: IncomingMessage, body: Buffer, res: ServerResponse, counts: { unavailable: number }): Promise<void> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string' && !NOT_FORWARDED.has(name)) headers[name] = value;
  // The client hanging up (a closed GET stream) ends the upstream request too, as a real proxy does.
  const hangUp = new AbortController();
  res.on('close', () => hangUp.abort());
  let answer: Response;
  try {
    answer = await fetch(upstream, {
      method: req.method ?? 'POST',
      headers,
      signal: hangUp.signal,
      ...(req.method === 'POST' ? { body: body.toString('utf8') } : {}),
    });
  } catch (error) {
    // What a gateway answers when its upstream is down (a restart): 503, the request was not delivered.
    if (!upstreamRefused(error)) throw error;
    counts.unavailable++;
    res.writeHead(503, { 'content-type': 'text/plain' }).end('upstream unavailable');
    return;
  }
  const back: Record<string, string> = {};
  answer.headers.forEach((value, name) => {
    if (!NOT_FORWARDED.has(name)) back[name] = value;
  });
  res.writeHead(answer.status, back);
  res.flushHeaders(); // an SSE stream's headers now, not with its first event (which may be a heartbeat away)
  const reader = answer.body?.getReader();
  for (let next = await reader?.read(); next !== undefined && !next.done; next = await reader?.read()) res.write(next.value);
  res.end();
}

export interface ResourceServer {
  /** The protected endpoint (POST). */
  readonly url: string;
  readonly metadataUrl: string;
  /** `ok` counts accepted tokens; `unavailable` the accepted requests answered 503 because the upstream was down. */
  readonly counts: { requests: number; ok: number; unauthorized: number; forbidden: number; unavailable: number };
  /** Subject and token of every accepted request, in order. */
  readonly accepted: Array<{ readonly sub: string | undefined; readonly token: string }>;
  close(): Promise<void>;
}

export async function startResourceServer(options: ResourceServerOptions): Promise<ResourceServer> {
  const jwks = createRemoteJWKSet(new URL(options.jwksUrl));
  const counts = { requests: 0, ok: 0, unauthorized: 0, forbidden: 0, unavailable: 0 };
  const accepted: Array<{ sub: string | undefined; token: string }> = [];
  let origin = '';
  const resource = (): string => `${origin}/mcp`;
  const metadataUrl = (): string => `${origin}/.well-known/oauth-protected-resource/mcp`;

  const challenge = (extra: string): string =>
    [`Bearer resource_metadata="${metadataUrl()}"`, options.scope === undefined ? '' : `scope="${options.scope}"`, extra].filter(Boolean).join(', ');

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (req.method === 'GET' && path === '/.well-known/oauth-protected-resource/mcp') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          resource: resource(),
          authorization_servers: [options.issuer],
          bearer_methods_supported: ['header'],
          ...(options.scope === undefined ? {} : { scopes_supported: options.scope.split(' ') }),
        }),
      );
      return;
    }
    const methods = options.upstream === undefined ? ['POST'] : ['POST', 'GET', 'DELETE'];
    if (!methods.includes(req.method ?? '') || path !== '/mcp') {
      res.writeHead(404).end();
      return;
    }
    counts.requests++;
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const token = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (token === undefined) {
      counts.unauthorized++;
      res.writeHead(401, { 'www-authenticate': challenge('') }).end();
      return;
    }
    let claims: Record<string, unknown>;
    try {
      ({ payload: claims } = await jwtVerify(token, jwks, {
        issuer: options.issuer,
        audience: resource(),
        currentDate: new Date((options.now ?? Date.now)()),
      }));
    } catch (error) {
      counts.unauthorized++;
      const description = error instanceof Error ? error.message.replace(/"/g, "'") : 'invalid token';
      res.writeHead(401, { 'www-authenticate': challenge(`error="invalid_token", error_description="${description}"`) }).end();
      return;
    }
    const needed = req.headers['x-needs-scope'];
    const granted = new Set(String(claims.scope ?? '').split(' '));
    if (options.stepUp === true && typeof needed === 'string' && !needed.split(' ').every((scope) => granted.has(scope))) {
      counts.forbidden++;
      res
        .writeHead(403, { 'www-authenticate': `Bearer error="insufficient_scope", scope="${needed}", resource_metadata="${metadataUrl()}"` })
        .end();
      return;
    }
    counts.ok++;
    accepted.push({ sub: typeof claims.sub === 'string' ? claims.sub : undefined, token });
    if (options.upstream !== undefined) return await forward(options.upstream, req, Buffer.concat(chunks), res, counts);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, sub: claims.sub, scope: claims.scope }));
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500).end(String(error));
      else res.destroy(); // the upstream stream broke mid-answer: so does ours, as a real proxy's would
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: resource(),
    metadataUrl: metadataUrl(),
    counts,
    accepted,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
