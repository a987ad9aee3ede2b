/**
 * Issue 8 leftovers: messages say what actually happened in the modern era. The handshake there is
 * `server/discover`, not `initialize`, so connect retries, their exhaustion and connect timeouts name it; and the
 * errors the notification streams make themselves (the listen stream's SessionExpiredError, the subscription
 * acknowledgement's TimeoutError) name the URL like every other error (they come from the error factory).
 */
import { afterEach, expect, test } from 'vitest';
import { MCPClient, RetryExhaustedError, SessionExpiredError, TimeoutError } from '../../src/index';
import { clearEraVerdicts } from '../../src/session/era-cache';
import { startHostileServer } from '../hostile/support/hostile-server';
import { acknowledge, refuseVersion, startModernHostileServer } from '../hostile/support/modern-hostile-server';

afterEach(() => clearEraVerdicts());

test('modern connect retries name server/discover, and their exhaustion says so', async () => {
  await using server = await startHostileServer({
    methods: {
      'server/discover': (_request, res) => {
        res.writeHead(503, { 'retry-after': '0' }).end();
        return true;
      },
    },
  });
  await using client = new MCPClient({ url: server.url, era: 'modern', retry: { retries: 2, minDelayMs: 1, maxDelayMs: 2 } });
  const retried: string[] = [];
  client.on('retry', ({ method }) => retried.push(method));
  const error = await client.connect().catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(RetryExhaustedError);
  expect((error as Error).message).toMatch(new RegExp(`^Gave up on the handshake \\(server/discover\\) to ${server.url.replaceAll('.', '\\.')} after 3 attempts`));
  expect((error as Error).message).toContain('HTTP 503');
  expect((error as Error).message).not.toContain('initialize');
  expect(retried).toEqual(['server/discover', 'server/discover']);
});

test('a legacy connect still says initialize', async () => {
  await using server = await startHostileServer({
    methods: {
      initialize: (_request, res) => {
        res.writeHead(503, { 'retry-after': '0' }).end();
        return true;
      },
    },
  });
  await using client = new MCPClient({ url: server.url, era: 'legacy', retry: { retries: 1, minDelayMs: 1, maxDelayMs: 2 } });
  const error = await client.connect().catch((caught: unknown) => caught);
  expect((error as Error).message).toMatch(/^Gave up on the handshake \(initialize\) to /);
});

test('a modern handshake that times out names server/discover, the URL and connectTimeoutMs', async () => {
  await using server = await startHostileServer({ methods: { 'server/discover': () => true } }); // never answers
  await using client = new MCPClient({ url: server.url, era: 'modern', connectTimeoutMs: 200, retry: false });
  const error = await client.connect().catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(TimeoutError);
  expect(error).toMatchObject({ kind: 'connect', timeoutMs: 200 });
  expect((error as Error).message).toBe(`The handshake (server/discover) with ${server.url} timed out after 200 ms (\`connectTimeoutMs\`)`);
});

test("the listen stream's own session loss names the URL and what the server answered", async () => {
  await using server = await startModernHostileServer((request, res) => refuseVersion(res, request));
  await using client = new MCPClient({ url: server.url, retry: false });
  const lost = new Promise<unknown>((resolve) => client.on('stream', (event) => event.type === 'session_lost' && resolve(event.error)));
  await client.connect();
  const error = await lost;
  expect(error).toBeInstanceOf(SessionExpiredError);
  expect(error).toMatchObject({ reason: 'era_changed', status: 400 });
  expect((error as Error).message).toContain(`The server at ${server.url} refused subscriptions/listen at the negotiated protocol version`);
  expect((error as Error).message).toContain('-32022');
});

test("a subscription the server never acknowledges times out with a TimeoutError naming the URL and the limit", async () => {
  let listens = 0;
  await using server = await startModernHostileServer((request, res) => {
    listens++;
    // The first listen (at connect) is acknowledged; the re-listen with the resource is left hanging.
    if (listens === 1) acknowledge(res, request);
    else res.writeHead(200, { 'content-type': 'text/event-stream' }).flushHeaders();
    return true;
  });
  await using client = new MCPClient({ url: server.url });
  const opened = new Promise<void>((resolve) => client.on('stream', (event) => event.type === 'open' && resolve()));
  await client.connect();
  await opened;
  const error = await client.subscribeResource('archon://status', { timeoutMs: 200 }).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(TimeoutError);
  expect((error as Error).message).toBe(`subscriptions/listen to ${server.url} was not acknowledged by the server within 200 ms (\`timeoutMs\`)`);
});
