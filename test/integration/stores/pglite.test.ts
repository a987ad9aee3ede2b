import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgliteStores, PgliteSqlClient } from '../../../server/stores/pglite-store';
import { runSqlMigrations, SQL_MIGRATIONS } from '../../../server/stores/sql-migrations';
import { notification, PRIMING, replaySink, sessionRecord } from './fixtures';
import { defineStoreContract } from './store-contract';
import type { TargetOptions } from './store-contract';

/** One PGlite per file: starting one costs 2-3.5 s here, wiping its tables a few ms. */
let db: PGlite;
beforeAll(async () => {
  db = await PGlite.create('memory://');
});
afterAll(async () => {
  await db.close();
});

async function open(options: TargetOptions = {}) {
  const stores = await createPgliteStores(db, options.limits, {
    ...(options.now !== undefined && { now: options.now }),
    ...(options.maxRequestsPerSession !== undefined && { maxRequestsPerSession: options.maxRequestsPerSession }),
  });
  return { ...stores, requestCap: options.maxRequestsPerSession ?? 1_000 };
}

describe('pglite store', () => {
  defineStoreContract({
    name: 'pglite',
    openEmpty: async (options) => {
      const stores = await open(options);
      await db.exec('TRUNCATE mcp_sessions, mcp_requests, mcp_events, mcp_locks');
      return stores;
    },
    openPeer: open,
  });

  describe('migrations', () => {
    it('apply only the versions a database has not seen, in order, and record each', async () => {
      const sql = new PgliteSqlClient(db, false);
      await open();
      const next = [
        ...SQL_MIGRATIONS,
        { version: 101, name: 'probe-b', sql: 'ALTER TABLE mcp_migration_probe ADD COLUMN note text' },
        { version: 100, name: 'probe-a', sql: 'CREATE TABLE mcp_migration_probe (id integer);\nINSERT INTO mcp_migration_probe VALUES (1);' },
      ];
      expect(await runSqlMigrations(sql, next)).toEqual([100, 101]);
      expect(await runSqlMigrations(sql, next)).toEqual([]);
      const { rows } = await sql.query<{ version: number; name: string }>('SELECT version, name FROM schema_migrations ORDER BY version');
      expect(rows).toEqual([
        ...SQL_MIGRATIONS.map(({ version, name }) => ({ version, name })),
        { version: 100, name: 'probe-a' },
        { version: 101, name: 'probe-b' },
      ]);
      expect((await sql.query('SELECT id, note FROM mcp_migration_probe')).rows).toEqual([{ id: 1, note: null }]);
    });

    it('roll back a failing migration completely, leaving the version unrecorded', async () => {
      const sql = new PgliteSqlClient(db, false);
      await open();
      const broken = [...SQL_MIGRATIONS, { version: 109, name: 'broken', sql: 'CREATE TABLE mcp_half (id integer);\nSELECT no_such_column FROM mcp_half;' }];
      await expect(runSqlMigrations(sql, broken)).rejects.toThrow(/no_such_column/);
      expect((await sql.query('SELECT 1 FROM schema_migrations WHERE version = 109')).rows).toEqual([]);
      expect((await sql.query("SELECT 1 FROM pg_tables WHERE tablename = 'mcp_half'")).rows).toEqual([]);
    });
  });

  describe('on disk', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'mcp-pglite-'));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('keeps sessions and events across close and reopen of the directory, migrating once', async () => {
      const record = sessionRecord();
      const dataDir = path.join(dir, 'nested', 'data');
      const first = await createPgliteStores(dataDir);
      await first.sessions.create(record);
      const start = await first.events.forSession(record.sessionId).storeEvent('_GET_stream', PRIMING);
      await first.events.forSession(record.sessionId).storeEvent('_GET_stream', notification(record.sessionId, 1));
      await first.events.close();
      await first.sessions.close();

      // Reopen through an instance of our own, to look at schema_migrations on the same connection.
      const reopened = await PGlite.create(dataDir);
      try {
        const second = await createPgliteStores(reopened);
        expect(await second.sessions.get(record.sessionId)).toEqual(record);
        const sink = replaySink();
        await second.events.forSession(record.sessionId).replayEventsAfter(start, sink);
        expect(sink.sent.map((event) => event.message)).toEqual([notification(record.sessionId, 1)]);
        const { rows } = await reopened.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
        expect(rows).toEqual(SQL_MIGRATIONS.map(({ version }) => ({ version })));
        await second.events.close();
        await second.sessions.close();
        expect(reopened.closed).toBe(false);
      } finally {
        await reopened.close();
      }
      // Two PGlite starts on disk, one of them an initdb: ~7 s idle, 15 s measured at load average 17.
    }, 60_000);
  });
});
