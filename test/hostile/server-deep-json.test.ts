/**
 * Issue 9, case 10: deep JSON is refused the same way on every store, before anything reaches a store, with a clean
 * 400 that leaks no internal text. Measured before the fix: a 5,000-deep `initialize` was served on the memory
 * store but refused on pglite with a 400 whose message leaked `RangeError: Maximum call stack size exceeded`.
 * Every backend: memory, file, pglite, and PostgreSQL and Redis started by the test harnesses.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createMemoryStores, createSessionHandler, createStores, SESSION_HANDLER_DEFAULTS, startReferenceServer, type Stores } from '../../server/index';
import { postgresAvailable, startPostgres, type PostgresInstance } from '../support/postgres-harness';
import { redisAvailable, startRedis, type RedisInstance } from '../support/redis-harness';
import { MODERN_VERSION, postModern } from '../support/server-modern-client';
import { createNotesApp } from '../support/server-notes-app';
import { initializeMessage, postMcp, RawMcpSession, type RawReply } from '../support/server-raw-client';

const BACKEND_TIMEOUT_MS = 120_000;
const MAX_DEPTH = SESSION_HANDLER_DEFAULTS.maxJsonDepth;
const INTERNAL_TEXT = /RangeError|TypeError|Maximum call stack|Error:|\bat \w|node:internal/;

/** Arrays nested `levels` deep: `[[[]]]` is 3. */
function nested(levels: number): unknown {
  let value: unknown = [];
  for (let level = 1; level < levels; level++) value = [value];
  return value;
}

/** An `initialize` whose whole body nests `depth` levels (the body object and `params` are two of them). */
function deepInitialize(depth: number): string {
  const message = initializeMessage(1);
  const params = message['params'] as Record<string, unknown>;
  // Built as text: JSON.stringify would overflow its own stack long before 5,000 levels in some engines' settings.
  return JSON.stringify({ ...message, params: { ...params, deep: '__DEEP__' } }).replace('"__DEEP__"', `${'['.repeat(depth - 2)}${']'.repeat(depth - 2)}`);
}

function expectCleanRefusal(reply: RawReply, code: number): void {
  expect(reply.status).toBe(400);
  const error = (reply.messages[0] as { error?: { code?: number; message?: string } } | undefined)?.error;
  expect(error?.code).toBe(code);
  expect(error?.message).toMatch(new RegExp(`nested deeper than ${MAX_DEPTH} levels`));
  expect(reply.text).not.toMatch(INTERNAL_TEXT);
}

interface Backend {
  name: string;
  skip: string | undefined;
  open(): Promise<Stores>;
  dispose(): Promise<void>;
}

function backends(): Backend[] {
  const dirs: string[] = [];
  const freshDir = async (prefix: string): Promise<string> => {
    const dir = await mkdtemp(join(tmpdir(), prefix));
    dirs.push(dir);
    return dir;
  };
  const removeDirs = async (): Promise<void> => {
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  };
  let postgres: PostgresInstance | undefined;
  let redis: RedisInstance | undefined;
  const pg = postgresAvailable();
  const rd = redisAvailable();
  return [
    { name: 'memory', skip: undefined, open: () => createStores('memory'), dispose: async () => undefined },
    { name: 'file', skip: undefined, open: async () => createStores(`file:${await freshDir('archon-deep-file-')}`), dispose: removeDirs },
    { name: 'pglite', skip: undefined, open: async () => createStores(`pglite:${await freshDir('archon-deep-pglite-')}`), dispose: removeDirs },
    {
      name: 'postgres',
      skip: pg.ok ? undefined : pg.why,
      open: async () => {
        postgres = await startPostgres();
        return createStores(await postgres.createDatabase('deep_json'));
      },
      dispose: async () => postgres?.[Symbol.asyncDispose](),
    },
    {
      name: 'redis',
      skip: rd.ok ? undefined : rd.why,
      open: async () => {
        redis = await startRedis();
        return createStores(redis.url);
      },
      dispose: async () => redis?.[Symbol.asyncDispose](),
    },
  ];
}

describe.each(backends())('deep JSON on the $name store', (backend) => {
  let stores: Stores;
  beforeAll(async () => {
    if (backend.skip === undefined) stores = await backend.open();
  }, BACKEND_TIMEOUT_MS);
  afterAll(async () => {
    if (backend.skip !== undefined) return;
    await Promise.allSettled([stores.sessions.close(), stores.events.close(), stores.bus?.close()]);
    await backend.dispose();
  }, BACKEND_TIMEOUT_MS);

  test.skipIf(backend.skip !== undefined)('a 5,000-deep initialize gets a clean 400 -32700 and creates nothing', async () => {
    await using server = await startReferenceServer({ store: stores, testLayer: false });
    const reply = await postMcp(server.url, deepInitialize(5_000));
    expectCleanRefusal(reply, -32700);
    expect(server.liveSessions()).toBe(0);
  });

  test.skipIf(backend.skip !== undefined)(`an initialize exactly ${MAX_DEPTH} deep is served and stored; one level more is refused`, async () => {
    await using server = await startReferenceServer({ store: stores, testLayer: false });
    const atLimit = await postMcp(server.url, deepInitialize(MAX_DEPTH), { 'x-archon-session-id': `deep-${randomUUID()}` });
    expect(atLimit.status).toBe(200);
    const sessionId = atLimit.headers.get('mcp-session-id') ?? '';
    expect(JSON.stringify((await stores.sessions.get(sessionId))?.initializeParams)).toContain('[[[');
    expectCleanRefusal(await postMcp(server.url, deepInitialize(MAX_DEPTH + 1)), -32700);
  });

  test.skipIf(backend.skip !== undefined)('deep tool arguments are refused in both eras, and the session goes on', async () => {
    await using server = await startReferenceServer({ store: stores, testLayer: false });
    const session = await RawMcpSession.initialize(server.url);
    expectCleanRefusal(await session.request('tools/call', { name: 'echo', arguments: { text: nested(1_000) } }), -32700);
    const modern = await postModern(server.url, 'tools/call', { name: 'echo', arguments: { text: nested(1_000) } }, { appSessionId: `deep-${randomUUID()}` });
    expectCleanRefusal(modern, -32700);
    expect(JSON.stringify(await session.callTool('echo', { text: 'after' }))).toContain('after');
  });
});

describe('deep JSON a framework already parsed', () => {
  test('a parsed body nested deeper than maxJsonDepth gets 400 -32600, checked without recursion', async () => {
    await using mcp = await createSessionHandler({ createServer: createNotesApp().createServer, maxJsonDepth: 16 });
    const body = { ...initializeMessage(1), params: { ...(initializeMessage(1)['params'] as object), deep: nested(100_000) } };
    const request = new Request('http://127.0.0.1/mcp', {
      method: 'POST',
      headers: { host: '127.0.0.1', 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': MODERN_VERSION },
    });
    const response = await mcp.fetch(request, { parsedBody: body });
    const text = await response.text();
    expect(response.status).toBe(400);
    expect(JSON.parse(text)).toMatchObject({ error: { code: -32600, message: 'Invalid Request: JSON nested deeper than 16 levels' } });
  });
});

describe('no internal text in an answer', () => {
  test('an exception inside the SDK transport (its catch-all 400 "Parse error" + exception text) becomes a generic 500, detail in the log', async () => {
    const stores = await createMemoryStores();
    const forSession = stores.events.forSession.bind(stores.events);
    stores.events.forSession = (sessionId) => ({
      ...forSession(sessionId),
      storeEvent: async () => {
        throw new RangeError('Maximum call stack size exceeded');
      },
    });
    const logged: string[] = [];
    const logger = { error: (entry: { msg: string; error?: unknown }) => void logged.push(`${entry.msg}: ${String(entry.error)}`) };
    await using server = await startReferenceServer({ store: stores, testLayer: false, logger });
    const reply = await postMcp(server.url, initializeMessage(1));
    expect(reply.status).toBe(500);
    expect(reply.text).not.toMatch(INTERNAL_TEXT);
    expect(JSON.parse(reply.text)).toMatchObject({ error: { code: -32000, message: 'Internal server error' }, id: 1 });
    expect(logged.some((line) => line.includes('Maximum call stack size exceeded'))).toBe(true);
  });
});
