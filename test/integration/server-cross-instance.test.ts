/**
 * Issue 12: "Change notifications cross instances. With the Redis or PostgreSQL store, mcp.notify and
 * list-changed events reach the listen streams and GET streams of every instance that shares the store."
 * Two session handlers, each with its OWN connection to the same Redis / PostgreSQL (started by the harness),
 * so every event that crosses goes through the broker.
 */
import { describe, expect, test } from 'vitest';
import type { ServerEvent, ServerEventBus } from '@modelcontextprotocol/server';
import { createStores, type StoreSpec } from '../../server/index';
import { startLibraryServer, type LibraryServer } from '../support/server-library';
import { openListen, postModern } from '../support/server-modern-client';
import { createNotesApp, NOTES_URI } from '../support/server-notes-app';
import { RawMcpSession, readEvents } from '../support/server-raw-client';
import { postgresAvailable, startPostgres } from '../support/postgres-harness';
import { redisAvailable, startRedis } from '../support/redis-harness';

/** A database and two handlers on a loaded 2-core box. */
const CROSS_TIMEOUT_MS = 90_000;

function methodsOf(events: { data: string }[]): string[] {
  return events.flatMap((event) => {
    if (event.data.trim() === '') return [];
    const message = JSON.parse(event.data) as { method?: string; params?: { uri?: string } };
    if (message.method === undefined) return [];
    return [message.params?.uri === undefined ? message.method : `${message.method} ${message.params.uri}`];
  });
}

const UPDATED = `notifications/resources/updated ${NOTES_URI}`;

async function expectNotificationsCross(store: StoreSpec): Promise<void> {
  const app = createNotesApp();
  await using a: LibraryServer = await startLibraryServer({ createServer: app.createServer, store });
  await using b: LibraryServer = await startLibraryServer({ createServer: app.createServer, store });
  // On A: a 2025 session subscribed to the notes, its GET stream open.
  const onA = await RawMcpSession.initialize(a.url);
  await onA.request('resources/subscribe', { uri: NOTES_URI });
  const getStream = await onA.get();
  // On B: a 2026-07-28 listen stream for tool-list changes and the notes.
  const controller = new AbortController();
  const listen = await openListen(b.url, { toolsListChanged: true, resourceSubscriptions: [NOTES_URI] }, controller.signal);
  expect(listen.status).toBe(200);
  // Three changes of the notes (one per route, on both instances) and one tool-list change: four each.
  const heardAll = (events: { data: string }[]): boolean => methodsOf(events).filter((method) => !method.includes('acknowledged')).length >= 4;
  const legacySaw = readEvents(getStream, heardAll, 10_000);
  const modernSaw = readEvents(listen, heardAll, 10_000);
  // Give the listen stream its acknowledgment before anything is published.
  await new Promise((resolve) => setTimeout(resolve, 100));

  // From B: a change outside any request, then the SDK's own route from a tool of a session on B.
  b.mcp.notify.resourceUpdated(NOTES_URI);
  const onB = await RawMcpSession.initialize(b.url);
  await onB.callTool('add_note', { text: 'written on B' });
  // From A: a list change, and a modern request's tool.
  a.mcp.notify.toolsChanged();
  await postModern(a.url, 'tools/call', { name: 'add_note', arguments: { text: 'written on A' } });

  const legacy = await legacySaw;
  const modern = await modernSaw;
  controller.abort();
  expect(legacy.timedOut).toBe(false);
  expect(modern.timedOut).toBe(false);
  // Both streams hear every change, wherever it happened, exactly once each (A's GET stream: B's notify, B's
  // tool, A's own list change and modern tool; B's listen stream: the same, the other way round).
  for (const { events } of [legacy, modern]) {
    const heard = methodsOf(events).filter((method) => !method.includes('acknowledged'));
    expect(heard.filter((method) => method === UPDATED)).toHaveLength(3);
    expect(heard.filter((method) => method === 'notifications/tools/list_changed')).toHaveLength(1);
  }
}

/** Two buses over one broker: what one publishes, the other's listeners get once; its own listeners get it once. */
async function expectBusContract(store: StoreSpec): Promise<void> {
  const first = await createStores(store);
  const second = await createStores(store);
  try {
    const [one, two] = [first.bus, second.bus] as [ServerEventBus, ServerEventBus];
    const seen: { one: ServerEvent[]; two: ServerEvent[] } = { one: [], two: [] };
    one.subscribe((event) => seen.one.push(event));
    two.subscribe((event) => seen.two.push(event));
    one.publish({ kind: 'resource_updated', uri: 'notes://1' });
    two.publish({ kind: 'prompts_list_changed' });
    const deadline = Date.now() + 10_000;
    while ((seen.one.length < 2 || seen.two.length < 2) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    // A beat longer: a duplicate (our own event back from the broker) would arrive now.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(seen.one).toEqual([{ kind: 'resource_updated', uri: 'notes://1' }, { kind: 'prompts_list_changed' }]);
    // Each bus delivers its own event at once, the other's when the broker brings it.
    expect(seen.two).toEqual([{ kind: 'prompts_list_changed' }, { kind: 'resource_updated', uri: 'notes://1' }]);
  } finally {
    for (const stores of [first, second]) {
      await stores.bus?.close();
      await Promise.allSettled([stores.sessions.close(), stores.events.close()]);
    }
  }
}

const redis = redisAvailable();
describe.skipIf(!redis.ok)(`two instances behind one Redis${redis.ok ? '' : ` (skipped: ${redis.why})`}`, () => {
  test(
    'mcp.notify and the SDK route reach GET streams and listen streams on the other instance',
    async () => {
      await using instance = await startRedis();
      await expectNotificationsCross(instance.url as StoreSpec);
    },
    CROSS_TIMEOUT_MS,
  );

  test(
    'the bus delivers every event once on each instance, through pub/sub',
    async () => {
      await using instance = await startRedis();
      await expectBusContract(instance.url as StoreSpec);
    },
    CROSS_TIMEOUT_MS,
  );
});

const postgres = postgresAvailable();
describe.skipIf(!postgres.ok)(`two instances behind one PostgreSQL${postgres.ok ? '' : ` (skipped: ${postgres.why})`}`, () => {
  test(
    'mcp.notify and the SDK route reach GET streams and listen streams on the other instance',
    async () => {
      await using instance = await startPostgres();
      await expectNotificationsCross((await instance.createDatabase('cross_notify')) as StoreSpec);
    },
    CROSS_TIMEOUT_MS,
  );

  test(
    'the bus delivers every event once on each instance, through LISTEN/NOTIFY',
    async () => {
      await using instance = await startPostgres();
      await expectBusContract((await instance.createDatabase('cross_bus')) as StoreSpec);
    },
    CROSS_TIMEOUT_MS,
  );
});
