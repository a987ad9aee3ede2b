/**
 * Notifications and the cache in the 2026-07-28 era (issue 8 items 5 and 6), against the official v2 server:
 * the managed `subscriptions/listen` stream delivers list changes and subscribed resource updates through the
 * same `notification` event as the legacy GET stream; `subscribeResource` works by re-sending the stream;
 * fresh results are served from the cache by the server's `ttlMs`, partitioned by the auth headers, and
 * invalidated by the notifications.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { MCPClient } from '../../src/index';
import { clearResponseCache } from '../../src/client/response-cache';
import { clearEraVerdicts } from '../../src/session/era-cache';
import { createChaosClient } from '../support/chaos-client';
import { realDelay } from '../support/chaos-calls';
import { pollUntil } from '../support/chaos-poll';
import { type FixtureProcess, startFixtureProcess } from '../support/fixture-process';

interface FixtureStats {
  byMethod: Record<string, number>;
}

let server: FixtureProcess;

beforeAll(async () => {
  // Tools are cacheable for a minute; reads (private) too.
  server = await startFixtureProcess('v2-fixture-bin.ts', { FIXTURE_LEGACY: 'reject', FIXTURE_TOOLS_TTL_MS: '60000' });
}, 60_000);

afterAll(() => server?.kill());

beforeEach(() => {
  clearEraVerdicts();
  clearResponseCache();
});

const stats = (): Promise<FixtureStats> => server.get<FixtureStats>('/__fixture/stats');
const requests = async (method: string, during: () => Promise<unknown>): Promise<number> => {
  const before = await stats();
  await during();
  const after = await stats();
  return (after.byMethod[method] ?? 0) - (before.byMethod[method] ?? 0);
};

describe('the listen stream', () => {
  test('opens after connecting and delivers one tools/list_changed, which invalidates the tool list', async () => {
    await using caller = createChaosClient({ url: server.url });
    const before = await caller.client.listTools();
    await pollUntil(() => caller.events.stream.some(({ payload }) => payload.type === 'open'), { what: 'the listen stream to be acknowledged' });
    await server.post('/__fixture/change-tools');
    await pollUntil(() => caller.events.notification.some(({ payload }) => payload.method === 'notifications/tools/list_changed'), { what: 'tools/list_changed' });
    const after = await caller.client.listTools();
    await server.post('/__fixture/change-tools'); // back as it was, for the other tests

    expect(caller.events.notification.filter(({ payload }) => payload.method === 'notifications/tools/list_changed')).toHaveLength(1);
    expect(before.tools.map((tool) => tool.name)).not.toContain('extra');
    expect(after.tools.map((tool) => tool.name)).toContain('extra');
    expect(caller.client.era).toBe('modern');
  });

  test('subscribeResource re-sends the stream and resolves on the acknowledgement; updates arrive until unsubscribed', async () => {
    await using caller = createChaosClient({ url: server.url });
    await caller.client.subscribeResource('fixture://status');
    await server.post('/__fixture/touch', { uri: 'fixture://status' });
    const updates = (): number => caller.events.notification.filter(({ payload }) => payload.method === 'notifications/resources/updated').length;
    await pollUntil(() => updates() === 1, { what: 'the resource update' });
    expect(caller.events.notification.find(({ payload }) => payload.method === 'notifications/resources/updated')?.payload.params?.['uri']).toBe('fixture://status');

    await caller.client.unsubscribeResource('fixture://status');
    await server.post('/__fixture/touch', { uri: 'fixture://status' });
    await realDelay(300);
    expect(updates()).toBe(1);
    expect(caller.client.subscriptions.size).toBe(0);
  });

  test('with listen: false a modern client opens no stream until it subscribes', async () => {
    const opened = await requests('subscriptions/listen', async () => {
      await using client = new MCPClient({ url: server.url, listen: false });
      await client.callTool('echo', { text: 'quiet' });
    });
    expect(opened).toBe(0);
  });
});

describe('the response cache', () => {
  test('a fresh tool list is served without a request; refresh and list_changed go to the server', async () => {
    await using client = new MCPClient({ url: server.url, listen: false });
    expect(await requests('tools/list', () => client.listTools())).toBe(1);
    expect(await requests('tools/list', () => client.listTools())).toBe(0);
    expect(await requests('tools/list', () => client.listTools({ refresh: true }))).toBe(1);
    expect(client.stats().cacheHits).toBe(1);
  });

  test('public results are shared across clients; private reads only between clients with the same headers', async () => {
    const make = (token: string): MCPClient => new MCPClient({ url: server.url, listen: false, headers: { authorization: `Bearer ${token}` } });
    await using alice = make('alice');
    await using bob = make('bob');
    await using aliceAgain = make('alice');
    expect(await requests('tools/list', () => alice.listTools())).toBe(1);
    expect(await requests('tools/list', () => bob.listTools())).toBe(0); // the server marked the list public
    expect(await requests('resources/read', () => alice.readResource('fixture://status'))).toBe(1);
    expect(await requests('resources/read', () => bob.readResource('fixture://status'))).toBe(1); // private: not Alice's copy
    expect(await requests('resources/read', () => aliceAgain.readResource('fixture://status'))).toBe(0);
  });

  test('cache: false never serves from the cache', async () => {
    await using client = new MCPClient({ url: server.url, listen: false, cache: false });
    await client.readResource('fixture://status');
    expect(await requests('resources/read', () => client.readResource('fixture://status'))).toBe(1);
  });
});
