import { describe, expect, test } from 'vitest';
import { postgresAvailable, startPostgres } from '../support/postgres-harness';
import { redisAvailable, startRedis } from '../support/redis-harness';
import { startServerProcess } from '../support/server-process';
import { RawMcpSession } from '../support/server-raw-client';

/** Starting a database and two server processes on a loaded 2-core box. */
const SHARED_STORE_TIMEOUT_MS = 120_000;

/** A session created on A continues on B after A is SIGKILLed: the failover the shared store exists for. */
async function expectFailover(store: string): Promise<void> {
  await using a = await startServerProcess({ store });
  await using b = await startServerProcess({ store });
  const session = await RawMcpSession.initialize(a.url, { appSessionId: 'shared-store-app' });
  await session.callTool('counter', { key: 'shared' });

  await a.kill();
  const onB = session.on(b.url);
  const reply = await onB.request('tools/call', { name: 'echo', arguments: { text: 'on b' } });

  expect(reply.status).toBe(200);
  expect(reply.headers.get('x-archon-session-id')).toBe('shared-store-app');
  expect(await b.stats()).toMatchObject({ sessionsRecovered: 1, sessionsCreated: 0 });
  // B's restart on the same store adopts it again.
  await b.restart();
  expect((await onB.request('ping')).status).toBe(200);
  expect((await b.stats()).sessionsRecovered).toBe(1);
}

const postgres = postgresAvailable();
describe.skipIf(!postgres.ok)(`two servers sharing postgres${postgres.ok ? '' : ` (skipped: ${postgres.why})`}`, () => {
  test(
    'a session created on A continues on B after A is killed',
    async () => {
      await using instance = await startPostgres();
      await expectFailover(await instance.createDatabase('server_failover'));
    },
    SHARED_STORE_TIMEOUT_MS,
  );
});

const redis = redisAvailable();
describe.skipIf(!redis.ok)(`two servers sharing redis${redis.ok ? '' : ` (skipped: ${redis.why})`}`, () => {
  test(
    'a session created on A continues on B after A is killed',
    async () => {
      await using instance = await startRedis();
      await expectFailover(instance.url);
    },
    SHARED_STORE_TIMEOUT_MS,
  );
});
