/**
 * Issue 9 case 2: recovery loops are rate-limited whatever step failed. An initialize that succeeds followed by
 * a stream that fails at once counts as a failure and backs off; more than N re-initializes in a window put the
 * client in a `degraded` state, with an event that reports the reason, where calls fail fast until a recovery
 * holds. The same in the modern era, where the lost thing is the negotiation and the stream is the listen stream.
 */
import { expect, test } from 'vitest';
import { ConnectionError, type DegradedEvent, MCPClient, RetryExhaustedError, SessionExpiredError } from '../../src/index';
import { startHostileServer, startSse } from './support/hostile-server';
import { reportFigures, startLoopMonitor } from './support/loop-monitor';
import { startLostSessionServer } from './support/lost-session-server';
import { refuseVersion, startModernHostileServer } from './support/modern-hostile-server';

const IDLE_MS = 2_000;

test('an idle client whose every session is lost at once re-initializes at a bounded rate and reports degraded', async () => {
  await using server = await startLostSessionServer();
  await using client = new MCPClient({ url: server.url });
  const states: string[] = [];
  client.on('state', ({ to }) => states.push(String(to)));
  await client.connect();
  // After connect: its one-time module loading (undici, ~60-100 ms on a loaded box) is not the loop under test.
  const monitor = startLoopMonitor();
  await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
  const gaps = monitor.stop();
  const initializes = server.calls.get('initialize') ?? 0;
  const gets = server.httpRequests.get('GET') ?? 0;
  reportFigures('case 2 lost-session loop', { initializes, gets, ...gaps });
  // Backoff from the retry defaults (100 ms doubling, jittered) allows at most ~6 cycles in 2 s; 17,731 in 10 s before.
  expect(initializes).toBeLessThanOrEqual(8);
  expect(gets).toBeLessThanOrEqual(initializes + 1);
  expect(states).toContain('degraded');
  expect(gaps.maxBlockedMs).toBeLessThan(100);
});

/** Fast backoff so each case takes well under a second; the loop floor (50 ms) still bounds the rate. */
const FAST = { minDelayMs: 10, maxDelayMs: 50 } as const;

test('while degraded a call fails fast with ConnectionError degraded, and the degraded event says why', async () => {
  await using server = await startLostSessionServer();
  await using client = new MCPClient({ url: server.url, retry: FAST });
  const seen = new Promise<{ event: DegradedEvent; call: Promise<unknown> }>((resolve) => {
    // Started inside the listener, so it runs while the state is still `degraded`.
    client.on('degraded', (event) => resolve({ event, call: client.listTools().catch((error: unknown) => error) }));
  });
  await client.connect();
  const { event, call } = await seen;
  const failure = await call;
  expect(failure).toBeInstanceOf(ConnectionError);
  expect(failure).toMatchObject({ code: 'CONNECTION_ERROR', reason: 'degraded', requestSent: false });
  expect(event.losses).toBe(4);
  expect(event.windowMs).toBe(60_000);
  expect(event.retryInMs).toBeGreaterThan(0);
  expect(event.cause).toBeInstanceOf(SessionExpiredError);
  expect(event.reason).toContain(`the server at ${server.url} lost 4 sessions`);
  expect(server.calls.get('tools/list') ?? 0).toBe(0);
});

test('a recovery that holds ends the degraded state: the stream opens and calls go through', async () => {
  let sessions = 0;
  await using server = await startHostileServer({
    methods: {
      initialize: (request, res) => {
        sessions++;
        const body = JSON.stringify({ jsonrpc: '2.0', id: request.id, result: { protocolVersion: '2025-11-25', capabilities: { tools: {} }, serverInfo: { name: 'flaky', version: '1' } } });
        res.writeHead(200, { 'content-type': 'application/json', 'mcp-session-id': `session-${sessions}` }).end(body);
        return true;
      },
    },
    // The first 5 sessions are lost at once (the GET answers 404); the 6th holds.
    get: (req, res) => {
      if (req.headers['mcp-session-id'] !== 'session-6') {
        res.writeHead(404).end();
        return;
      }
      startSse(res).write(': open\n\n');
    },
  });
  await using client = new MCPClient({ url: server.url, retry: FAST });
  const states: string[] = [];
  client.on('state', ({ to }) => states.push(to));
  const opened = new Promise<void>((resolve) => client.on('stream', (event) => event.type === 'open' && resolve()));
  await client.connect();
  await opened;
  expect(states).toContain('degraded');
  expect(client.state).toBe('ready');
  expect(sessions).toBe(6);
  expect((await client.callTool('probe', {})).content).toEqual([{ type: 'text', text: 'ok' }]);
});

test('with listen off, a call whose every attempt finds its session lost re-initializes at most once per attempt, paced, and gives up typed', async () => {
  await using server = await startHostileServer({
    methods: {
      'tools/call': (_request, res) => {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"jsonrpc":"2.0","id":null,"error":{"code":-32001,"message":"Session not found"}}');
        return true;
      },
    },
  });
  const retries = 6;
  await using client = new MCPClient({ url: server.url, listen: false, retry: { ...FAST, retries } });
  const states: string[] = [];
  client.on('state', ({ to }) => states.push(to));
  const failure = await client.callTool('probe', {}).catch((error: unknown) => error);
  expect(failure).toBeInstanceOf(RetryExhaustedError);
  expect((failure as RetryExhaustedError).cause).toBeInstanceOf(SessionExpiredError);
  expect(server.calls.get('tools/call')).toBe(retries + 1);
  // The first connect, then one re-initialize per lost attempt.
  expect(server.calls.get('initialize')).toBe(retries + 2);
  expect(states).toContain('degraded');
});

test('modern era: a listen stream refused with -32022 after every re-negotiation is paced the same way and degrades', async () => {
  await using server = await startModernHostileServer((request, res) => refuseVersion(res, request));
  await using client = new MCPClient({ url: server.url });
  const states: string[] = [];
  client.on('state', ({ to }) => states.push(to));
  await client.connect();
  expect(client.era).toBe('modern');
  const monitor = startLoopMonitor();
  await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
  const gaps = monitor.stop();
  const discovers = server.calls.get('server/discover') ?? 0;
  const listens = server.calls.get('subscriptions/listen') ?? 0;
  reportFigures('case 2 modern lost-negotiation loop', { discovers, listens, ...gaps });
  expect(discovers).toBeLessThanOrEqual(8);
  expect(listens).toBeLessThanOrEqual(discovers + 1);
  expect(states).toContain('degraded');
  expect(gaps.maxBlockedMs).toBeLessThan(100);
});
