/**
 * Issue 8, from the field: `server-everything` and SDK 1.x example servers answer a request on a session they
 * do not know with 400 "Bad Request: No valid session ID provided", not 404. Before the fix, after such a
 * server restarted MCPClient stayed `ready` on the dead session, every call failed in ~3 ms and the GET stream
 * retried into 400 forever. Here a v1 sessionful server (routed like server-everything) runs as a child
 * process and is restarted on the same port: the client re-initializes once, no call fails, and the GET stream
 * stops hitting the dead session.
 */
import { afterEach, beforeEach, expect, test } from 'vitest';
import { clearEraVerdicts } from '../../src/session/era-cache';
import { createChaosClient } from '../support/chaos-client';
import { failuresOf, realDelay, settle } from '../support/chaos-calls';
import { pollUntil } from '../support/chaos-poll';
import { type FixtureProcess, startFixtureProcess } from '../support/fixture-process';

interface V1Stats {
  byRequest: Record<string, number>;
  initializations: number;
}

let server: FixtureProcess;

beforeEach(async () => {
  clearEraVerdicts();
  server = await startFixtureProcess('v1-sessionful-bin.ts');
}, 60_000);

afterEach(async () => {
  await server.kill();
});

test('after a restart, the stale session costs one shared re-initialize: no call fails, the GET stream does not loop', async () => {
  await using caller = createChaosClient({ url: server.url, retry: { retries: 10_000, maxElapsedMs: 15_000, maxDelayMs: 200 } });
  await caller.client.callTool('echo', { text: 'before' });
  await pollUntil(() => caller.events.stream.some(({ payload }) => payload.type === 'open'), { what: 'the GET stream to open' });
  const sessionBefore = caller.client.mcpSessionId;
  expect(caller.client.era).toBe('legacy');

  await server.restart();
  const restartedAt = Date.now();
  const outcomes = await Promise.all(Array.from({ length: 10 }, (_, index) => settle(caller.client.callTool('echo', { text: `after ${index}` }))));

  expect(failuresOf(outcomes)).toEqual([]);
  expect(caller.client.mcpSessionId).not.toBe(sessionBefore);
  await pollUntil(() => caller.events.stream.some(({ at, payload }) => payload.type === 'open' && at >= restartedAt), {
    what: 'the GET stream to reopen on the new session',
  });
  const settled = await server.get<V1Stats>('/__fixture/stats');
  // One initialize on the new process, shared by the ten calls and the GET stream's own recovery.
  expect(settled.initializations).toBe(1);
  expect(caller.client.stats().reinitializations).toBe(1);
  // The GET stream met the dead session at most once before the recovery; afterwards it stays quiet.
  const dead = settled.byRequest['GET 400'] ?? 0;
  expect(dead).toBeLessThanOrEqual(1);
  await realDelay(1_000);
  const later = await server.get<V1Stats>('/__fixture/stats');
  expect(later.byRequest['GET 400'] ?? 0).toBe(dead);
  expect(later.initializations).toBe(1);
}, 60_000);

test('a call that meets the stale session with no GET stream open recovers the same way', async () => {
  await using caller = createChaosClient({ url: server.url, listen: false, retry: { retries: 10_000, maxElapsedMs: 15_000, maxDelayMs: 200 } });
  await caller.client.callTool('echo', { text: 'before' });
  await server.restart();
  const outcome = await settle(caller.client.callTool('counter', { key: 'after-restart' }));
  expect(failuresOf([outcome])).toEqual([]);
  const stats = await server.get<V1Stats>('/__fixture/stats');
  expect(stats.initializations).toBe(1);
  // The 400 proved the request never reached a tool, so it was resent once: one POST 400, then success.
  expect(stats.byRequest['POST 400']).toBe(2); // the stale call + the era probe the recovery sent first
}, 60_000);
