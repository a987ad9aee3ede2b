/**
 * Issue 9 case 7: redirects are never followed, on either stack, so session ids and credentials never reach
 * another origin. Measured before the fix: on the `fetch` stack a 307 to another origin was followed, with
 * `Mcp-Session-Id` and `X-Archon-Session-Id`; the undici stack refused (HttpError 307). Same-origin redirects
 * are refused too, the same on both stacks: one rule, and an MCP endpoint has no reason to move mid-session.
 */
import { describe, expect, test } from 'vitest';
import { HttpError, MCPClient } from '../../src/index';
import { startHostileServer } from './support/hostile-server';
import { STACKS } from './support/loop-monitor';

describe.each(STACKS)('on the %s stack', (_name, stack) => {
  test.each([307, 308, 302, 301])('a %i to another origin is an HttpError and the other origin sees nothing', async (status) => {
    await using elsewhere = await startHostileServer();
    await using server = await startHostileServer({
      intercept: (_req, res) => {
        res.writeHead(status, { location: `${elsewhere.origin}/mcp` }).end();
        return true;
      },
    });
    await using client = new MCPClient({ url: server.url, listen: false, retry: false, headers: { authorization: 'Bearer secret' }, ...stack });
    const error = await client.connect().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).code).toBe('HTTP_ERROR');
    expect((error as HttpError).status).toBe(status);
    expect(server.httpRequests.get('POST')).toBe(1);
    expect(elsewhere.seenHeaders).toEqual([]);
  });

  test('a redirect after initialize does not carry the session ids or the token anywhere', async () => {
    await using elsewhere = await startHostileServer();
    let initialized = false;
    await using server = await startHostileServer({
      intercept: (_req, res) => {
        if (!initialized) return false;
        res.writeHead(307, { location: `${elsewhere.origin}/mcp` }).end();
        return true;
      },
      methods: {
        ping: () => {
          throw new Error('unreachable: the intercept answers first');
        },
      },
    });
    await using client = new MCPClient({ url: server.url, listen: false, retry: false, headers: { authorization: 'Bearer secret' }, ...stack });
    await client.connect();
    initialized = true;
    const error = await client.ping().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).status).toBe(307);
    expect(elsewhere.seenHeaders).toEqual([]);
  });

  test('a same-origin redirect is refused the same way, not followed', async () => {
    let redirected = 0;
    await using server = await startHostileServer({
      intercept: (req, res) => {
        if (req.url !== '/mcp') return false;
        redirected++;
        res.writeHead(307, { location: '/elsewhere' }).end();
        return true;
      },
    });
    await using client = new MCPClient({ url: server.url, listen: false, retry: false, ...stack });
    const error = await client.connect().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).status).toBe(307);
    expect(redirected).toBe(1);
    expect(server.calls.get('initialize')).toBeUndefined(); // /elsewhere was never requested
  });
});
