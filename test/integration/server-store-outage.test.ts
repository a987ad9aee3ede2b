/**
 * Issue 4: "A store outage (stop Redis / PostgreSQL) gives 503 health and a clear error to clients;
 * nothing is lost once it is back". A real store from the harness (Redis with persistence, PostgreSQL),
 * the reference server in-process on top of it.
 */
import { describe, expect, test } from 'vitest';
import { HttpError, MCPClient, RetryExhaustedError, isMcpClientError } from '../../src/index';
import { startReferenceServer } from '../../server/index';
import type { StoreSpec } from '../../server/index';
import type { HealthReport } from '../../server/http/health-endpoint';
import { postgresAvailable, startPostgres } from '../support/postgres-harness';
import { redisAvailable, startRedis } from '../support/redis-harness';
import { RawMcpSession } from '../support/server-raw-client';

/** Starting a database, an outage and the recovery polls on a loaded 2-core box. */
const OUTAGE_TIMEOUT_MS = 90_000;
/** How long the store may take to be seen down, and to be seen back (node-redis reconnects every <= 1 s). */
const HEALTH_POLL_MS = 15_000;

interface Outage {
  stop(): Promise<void>;
  restart(): Promise<void>;
}

async function health(url: string): Promise<{ status: number; body: HealthReport }> {
  const response = await fetch(new URL('/health', url));
  return { status: response.status, body: (await response.json()) as HealthReport };
}

/** Bounded poll of `/health` until it answers `status`; returns the last answer either way. */
async function pollHealth(url: string, status: number): Promise<{ status: number; body: HealthReport }> {
  const deadline = Date.now() + HEALTH_POLL_MS;
  let last = await health(url);
  while (last.status !== status && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    last = await health(url);
  }
  return last;
}

/** The harness hands out plain strings; the server's option wants the URL scheme in the type. */
function redisSpec(url: string): `redis://${string}` {
  if (!url.startsWith('redis://')) throw new Error(`not a redis URL: ${url}`);
  return `redis://${url.slice('redis://'.length)}`;
}

function postgresSpec(url: string): `postgres://${string}` {
  if (!url.startsWith('postgres://')) throw new Error(`not a postgres URL: ${url}`);
  return `postgres://${url.slice('postgres://'.length)}`;
}

function structured(result: Record<string, unknown>): Record<string, unknown> {
  return result['structuredContent'] as Record<string, unknown>;
}

/**
 * The whole outage story on one server and one store: before, during, after. The store must keep
 * its data across `restart()` (PostgreSQL does; Redis with AOF does), so the SAME sessions continue.
 */
async function expectOutageSurvived(store: StoreSpec, outage: Outage): Promise<void> {
  await using server = await startReferenceServer({ store });
  const session = await RawMcpSession.initialize(server.url, { appSessionId: 'store-outage-app' });
  expect(structured(await session.callTool('counter', { key: 'outage' }))).toMatchObject({ value: 1 });

  // Two clients, both connected and used before the outage: one fails fast, one retries through it. Both hold
  // 2025-era protocol sessions: the story is that those sessions survive the outage.
  await using failFast = new MCPClient({ era: 'legacy', url: server.url, listen: false, retry: false });
  await using patient = new MCPClient({
    era: 'legacy',
    url: server.url,
    listen: false,
    retry: { retries: 1_000, maxElapsedMs: 45_000, minDelayMs: 50, maxDelayMs: 500, maxRetryAfterMs: 1_000 },
  });
  await failFast.callTool('echo', { text: 'before' });
  await patient.callTool('echo', { text: 'before' });
  const retries: unknown[] = [];
  patient.on('retry', ({ cause }) => retries.push(cause));
  expect((await health(server.url)).status).toBe(200);
  const before = server.stats();

  await outage.stop();

  // /health: 503, the store shown as not connected (bounded poll: the driver notices the drop at once
  // for Redis, at the next query for PostgreSQL).
  const down = await pollHealth(server.url, 503);
  expect(down.status).toBe(503);
  expect(down.body.status).toBe('unavailable');
  expect(down.body.store).toMatchObject({ connected: false });
  expect(down.body.store.error).toEqual(expect.any(String));
  expect(down.body.sessions).toBeNull();

  // A raw MCP request: 503 + Retry-After and a JSON-RPC error that says what is wrong. Not a 500, not a hang.
  const startedAt = Date.now();
  const refused = await session.request('tools/call', { name: 'counter', arguments: { key: 'outage' } });
  expect(Date.now() - startedAt).toBeLessThan(5_000);
  expect(refused.status).toBe(503);
  expect(refused.headers.get('retry-after')).toBe('1');
  expect(refused.messages).toEqual([
    expect.objectContaining({ error: expect.objectContaining({ message: 'Service Unavailable: session store unreachable' }) }),
  ]);

  // Through MCPClient without retries: a typed failure carrying that 503, fast.
  const failedAt = Date.now();
  const failure = await failFast.callTool('echo', { text: 'during' }).then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(Date.now() - failedAt).toBeLessThan(5_000);
  expect(isMcpClientError(failure)).toBe(true);
  const http = failure instanceof RetryExhaustedError ? failure.cause : failure;
  expect(http).toBeInstanceOf(HttpError);
  expect(http).toMatchObject({ status: 503 });

  // A call that retries across the outage: started now, it must see at least one 503 before the store is back.
  const retried = patient.callTool('counter', { key: 'outage' });
  const sawRetry = Date.now() + 10_000;
  while (retries.length === 0 && Date.now() < sawRetry) await new Promise((resolve) => setTimeout(resolve, 20));
  expect(retries.length).toBeGreaterThan(0);
  expect(server.stats().toolRuns['counter']).toBe(1);

  await outage.restart();

  const up = await pollHealth(server.url, 200);
  expect(up.status).toBe(200);
  expect(up.body.store.connected).toBe(true);
  // 0 caller-visible failures: the retrying call succeeds, and ran exactly once (value 2 after the first 1).
  expect(structured(await retried)).toMatchObject({ key: 'outage', value: 2 });
  expect(retries.every((cause) => cause instanceof HttpError && cause.status === 503)).toBe(true);

  // The SAME protocol session continues: its Mcp-Session-Id still works and its state is intact.
  const described = structured(await session.callTool('session_health_check'));
  expect(described).toMatchObject({ mcpSessionId: session.sessionId, appSessionId: 'store-outage-app' });
  expect(await failFast.callTool('echo', { text: 'after' })).toMatchObject({ structuredContent: { text: 'after' } });
  expect(up.body.sessions).toMatchObject({ active: 3 });
  // Nobody had to start over: no new session, none re-initialized, the counter ran twice in all.
  expect(server.stats()).toMatchObject({
    sessionsCreated: before.sessionsCreated,
    initializeCount: before.initializeCount,
    toolRuns: expect.objectContaining({ counter: 2 }),
  });
}

const redis = redisAvailable();
describe.skipIf(!redis.ok)(`store outage: redis${redis.ok ? '' : ` (skipped: ${redis.why})`}`, () => {
  test(
    'redis down: /health 503 (store not connected), MCP requests 503 + Retry-After (raw and typed); back: health 200, the same sessions continue, a retrying call succeeds once',
    async () => {
      // Persistent (AOF): "nothing is lost" needs a Redis that keeps what it acknowledged.
      await using instance = await startRedis({ persistent: true });
      await expectOutageSurvived(redisSpec(instance.url), instance);
    },
    OUTAGE_TIMEOUT_MS,
  );

  test(
    'redis restarted EMPTY (no persistence): the old Mcp-Session-Id gets 404, and MCPClient re-initializes with the same app session without a caller-visible failure',
    async () => {
      await using instance = await startRedis();
      await using server = await startReferenceServer({ store: redisSpec(instance.url) });
      // A 2025-era client: the protocol session is what the empty store forgets.
      await using client = new MCPClient({
        era: 'legacy',
        url: server.url,
        listen: false,
        sessionId: 'forgetful-app',
        retry: { maxElapsedMs: 30_000, maxRetryAfterMs: 1_000 },
      });
      const session = await RawMcpSession.initialize(server.url, { appSessionId: 'forgetful-raw' });
      await client.callTool('echo', { text: 'before' });

      await instance.stop();
      expect((await pollHealth(server.url, 503)).status).toBe(503);
      const retried = client.callTool('echo', { text: 'across' });
      await instance.restart();
      expect((await pollHealth(server.url, 200)).status).toBe(200);

      expect(await retried).toMatchObject({ structuredContent: { text: 'across' } });
      // The client's new protocol session is linked to the same application session.
      const described = (await client.callTool('session_health_check', {})).structuredContent;
      expect(described).toMatchObject({ appSessionId: 'forgetful-app' });
      expect(client.sessionId).toBe('forgetful-app');
      // The data is gone, so the raw protocol session is too: a clear 404 (clients re-initialize), never a 500.
      expect((await session.request('ping')).status).toBe(404);
      expect(server.stats().sessionsCreated).toBe(3);
    },
    OUTAGE_TIMEOUT_MS,
  );
});

const postgres = postgresAvailable();
describe.skipIf(!postgres.ok)(`store outage: postgres${postgres.ok ? '' : ` (skipped: ${postgres.why})`}`, () => {
  test(
    'postgres down: /health 503 (store not connected), MCP requests 503 + Retry-After (raw and typed); back: health 200, the same sessions continue, a retrying call succeeds once',
    async () => {
      await using instance = await startPostgres();
      await expectOutageSurvived(postgresSpec(await instance.createDatabase('store_outage')), instance);
    },
    OUTAGE_TIMEOUT_MS,
  );
});
