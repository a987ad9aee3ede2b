import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresStores } from '../../../server/stores/postgres-store';
import { SQL_MIGRATIONS } from '../../../server/stores/sql-migrations';
import type { PostgresStoreOptions } from '../../../server/stores/postgres-store';
import { postgresAvailable, startPostgres } from '../../support/postgres-harness';
import type { PostgresInstance } from '../../support/postgres-harness';
import { sessionRecord } from './fixtures';
import { defineStoreContract } from './store-contract';
import type { TargetOptions } from './store-contract';

const postgres = postgresAvailable();

describe.skipIf(!postgres.ok)(`postgres store${postgres.ok ? '' : ` (skipped: ${postgres.why})`}`, () => {
  /**
   * One server and one migrated database per file (~0.7 s); every `openEmpty()` truncates its
   * tables (a few ms; a fresh database per test cost 85-235 ms here). Fresh-database migrations have
   * their own test below.
   */
  let server: PostgresInstance;
  let contractUrl = '';
  beforeAll(async () => {
    server = await startPostgres();
    contractUrl = await server.createDatabase('contract');
  });
  afterAll(async () => {
    await server?.[Symbol.asyncDispose]();
  });

  const open = async (url: string, options: TargetOptions = {}) => {
    const pgOptions: PostgresStoreOptions = { maxConnections: 4 };
    if (options.now !== undefined) pgOptions.now = options.now;
    if (options.maxRequestsPerSession !== undefined) pgOptions.maxRequestsPerSession = options.maxRequestsPerSession;
    const stores = await createPostgresStores(url, options.limits, pgOptions);
    return { ...stores, requestCap: options.maxRequestsPerSession ?? 1_000 };
  };

  defineStoreContract({
    name: 'postgres',
    openEmpty: async (options) => {
      const stores = await open(contractUrl, options);
      const admin = new pg.Client({ connectionString: contractUrl });
      await admin.connect();
      try {
        await admin.query('TRUNCATE mcp_sessions, mcp_requests, mcp_events, mcp_locks');
      } finally {
        await admin.end();
      }
      return stores;
    },
    openPeer: (options) => open(contractUrl, options),
  });

  describe('migrations', () => {
    it('run once when several instances start on an empty database at the same moment', async () => {
      const url = await server.createDatabase('migrate');
      const instances = await Promise.all(Array.from({ length: 4 }, () => open(url)));
      try {
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
        await client.end();
        expect(rows).toEqual(SQL_MIGRATIONS.map(({ version }) => ({ version })));
        const record = sessionRecord();
        await instances[0]?.sessions.create(record);
        expect((await instances[3]?.sessions.get(record.sessionId))?.sessionId).toBe(record.sessionId);
      } finally {
        for (const stores of instances) await Promise.all([stores.sessions.close(), stores.events.close()]);
      }
    });
  });

  describe('outage', () => {
    it('reports the outage from ping and recovers on the same port with the data intact', async () => {
      const stores = await open(await server.createDatabase('outage'));
      try {
        const record = sessionRecord();
        await stores.sessions.create(record);
        await server.stop();
        await expect(stores.sessions.ping()).rejects.toThrow();
        await server.restart();
        const deadline = Date.now() + 5_000;
        let back = false;
        while (!back && Date.now() < deadline) {
          back = await stores.sessions.ping().then(() => true, () => false);
          if (!back) await new Promise((resolve) => setTimeout(resolve, 25));
        }
        expect(back).toBe(true);
        expect(await stores.sessions.get(record.sessionId)).toEqual(record);
      } finally {
        await Promise.all([stores.sessions.close(), stores.events.close()]);
      }
    });
  });
});
