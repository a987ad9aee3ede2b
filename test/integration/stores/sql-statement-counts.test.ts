import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PgliteSqlClient } from '../../../server/stores/pglite-store';
import type { SqlClient, SqlExecutor, SqlResult } from '../../../server/stores/sql-client';
import { SqlEventStore } from '../../../server/stores/sql-event-store';
import { runSqlMigrations } from '../../../server/stores/sql-migrations';
import { SqlSessionCloses } from '../../../server/stores/sql-session-closes';
import { SqlSessionStore } from '../../../server/stores/sql-session-store';
import { notification, PRIMING, replaySink, sessionRecord, T0 } from './fixtures';

/**
 * How many statements the SQL stores send for a given load: the figure their speed rests on (PGlite runs
 * one statement at a time, and every PostgreSQL statement is a round trip and a commit). Counted on a real
 * PGlite through a client that records each statement's first words.
 */
class CountingSqlClient implements SqlClient {
  readonly kind = 'pglite' as const;
  readonly statements: string[] = [];
  readonly #inner: SqlClient;

  constructor(inner: SqlClient) {
    this.#inner = inner;
  }

  query<Row extends Record<string, unknown>>(text: string, params?: unknown[]): Promise<SqlResult<Row>> {
    this.statements.push(firstWords(text));
    return this.#inner.query<Row>(text, params);
  }

  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    this.statements.push('BEGIN');
    return this.#inner.transaction((tx) => fn({ query: (text, params) => (this.statements.push(firstWords(text)), tx.query(text, params)) }));
  }

  async close(): Promise<void> {}

  count(prefix: string): number {
    return this.statements.filter((statement) => statement.startsWith(prefix)).length;
  }
}

function firstWords(text: string): string {
  return text.replace(/\s+/g, ' ').trim().split(' ').slice(0, 3).join(' ');
}

let db: PGlite;
let sql: CountingSqlClient;
beforeAll(async () => {
  db = await PGlite.create('memory://');
  await runSqlMigrations(new PgliteSqlClient(db, false));
});
afterAll(async () => {
  await db.close();
});
beforeEach(async () => {
  await db.exec('TRUNCATE mcp_sessions, mcp_requests, mcp_events, mcp_app_sessions');
  sql = new CountingSqlClient(new PgliteSqlClient(db, false));
});

function eventStore(maxEventsPerStream: number): SqlEventStore {
  return new SqlEventStore(sql, { limits: { ttlMs: 60_000, maxEventsPerStream }, compressAboveBytes: 4_096, now: Date.now });
}

async function rowsOf(sessionId: string, streamId: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM mcp_events WHERE session_id = $1 AND stream_id = $2', [sessionId, streamId]);
  return rows[0]?.n ?? -1;
}

describe('SQL event store statements', () => {
  it('stores the events of one tick, one per stream as a POST answer has, with one INSERT and no trim', async () => {
    const events = eventStore(1_000);
    await Promise.all(Array.from({ length: 40 }, (_, n) => events.forSession(`s${n % 8}`).storeEvent(`post-${n}`, notification('s', n))));
    expect(sql.statements).toEqual(['INSERT INTO mcp_events']);
  });

  it('answers a POST stream’s priming event before any statement, and leaves its row out when the next event of its stream shares the INSERT', async () => {
    const store = eventStore(1_000).forSession('s1');
    const start = await store.storeEvent('post-1', PRIMING);
    expect(start).toBe('s1:post-1:0');
    expect(sql.statements).toEqual([]);
    const answerId = await store.storeEvent('post-1', notification('s1', 1));
    expect(sql.statements).toEqual(['INSERT INTO mcp_events']);
    expect(await rowsOf('s1', 'post-1')).toBe(1);
    const sink = replaySink();
    await store.replayEventsAfter(start, sink);
    expect(sink.sent).toEqual([{ eventId: answerId, message: notification('s1', 1) }]);
  });

  it('lets a resume from a queued priming event wait for it rather than call the stream unknown', async () => {
    const store = eventStore(1_000).forSession('s1');
    const start = await store.storeEvent('post-1', PRIMING);
    expect(await store.getStreamIdForEventId?.(start)).toBe('post-1');
    expect(await rowsOf('s1', 'post-1')).toBe(1);
    const sink = replaySink();
    await expect(store.replayEventsAfter(start, sink)).resolves.toBe('post-1');
    expect(sink.sent).toEqual([]);
  });

  it('waits for a priming event on the GET stream, whose id every GET of the session shares', async () => {
    const store = eventStore(1_000).forSession('s1');
    await store.storeEvent('_GET_stream', notification('s1', 1));
    const start = await store.storeEvent('_GET_stream', PRIMING);
    expect(start).not.toBe('s1:_GET_stream:0');
    expect(sql.statements).toEqual(['INSERT INTO mcp_events', 'INSERT INTO mcp_events']);
    const sink = replaySink();
    await store.replayEventsAfter(start, sink);
    expect(sink.sent).toEqual([]);
  });

  it('trims a stream once every 32 of its inserts under the default cap', async () => {
    const events = eventStore(1_000);
    const store = events.forSession('s1');
    for (let n = 1; n <= 64; n += 1) await store.storeEvent('_GET_stream', notification('s1', n));
    expect(sql.count('INSERT INTO mcp_events')).toBe(64);
    expect(sql.count('DELETE FROM mcp_events')).toBe(2);
  });

  it('trims every cap inserts when the cap is smaller, so a stream never holds twice its cap', async () => {
    const events = eventStore(5);
    const store = events.forSession('s1');
    const ids: string[] = [];
    let most = 0;
    for (let n = 1; n <= 23; n += 1) {
      ids.push(await store.storeEvent('_GET_stream', notification('s1', n)));
      most = Math.max(most, await rowsOf('s1', '_GET_stream'));
    }
    expect(sql.count('DELETE FROM mcp_events')).toBe(4);
    expect(most).toBeLessThanOrEqual(5 + 5 - 1);
    expect(await rowsOf('s1', '_GET_stream')).toBe(3 + 5);
    const sink = replaySink();
    await store.replayEventsAfter(ids[0] ?? '', sink);
    expect(sink.sent.map((event) => event.eventId)).toEqual(ids.slice(-5));
  });
});

describe('SQL session store statements', () => {
  it('creates the sessions of one tick with one INSERT', async () => {
    const sessions = new SqlSessionStore(sql, { maxRequestsPerSession: 1_000 });
    const records = Array.from({ length: 8 }, () => sessionRecord({ state: { subscriptions: ['file:///a'], loggingLevel: 'info' } }));
    await Promise.all(records.map((record) => sessions.create(record)));
    expect(sql.statements).toEqual(['INSERT INTO mcp_sessions']);
    for (const record of records) expect(await sessions.get(record.sessionId)).toEqual(record);
  });

  it('fails only the create whose row the database refuses, and retries the others alone', async () => {
    const sessions = new SqlSessionStore(sql, { maxRequestsPerSession: 1_000 });
    const taken = sessionRecord();
    await sessions.create(taken);
    const fresh = [sessionRecord(), sessionRecord()];
    const outcomes = await Promise.allSettled([sessions.create(fresh[0]!), sessions.create({ ...taken }), sessions.create(fresh[1]!)]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    // The first INSERT, the shared one the duplicate key refused, then one alone per call.
    expect(sql.count('INSERT INTO mcp_sessions')).toBe(1 + 1 + 3);
    for (const record of fresh) expect((await sessions.get(record.sessionId))?.sessionId).toBe(record.sessionId);
  });

  it('sets the statuses of one tick with one UPDATE, the last call for a session winning', async () => {
    const sessions = new SqlSessionStore(sql, { maxRequestsPerSession: 1_000 });
    const records = Array.from({ length: 6 }, () => sessionRecord());
    await Promise.all(records.map((record) => sessions.create(record)));
    const [first, ...rest] = records;
    await Promise.all([
      sessions.setStatus(first!.sessionId, 'draining', 'shutdown'),
      ...rest.map((record) => sessions.setStatus(record.sessionId, 'closed', 'client-delete')),
      sessions.setStatus(first!.sessionId, 'expired', 'ttl'),
    ]);
    expect(sql.count('UPDATE mcp_sessions')).toBe(1);
    expect(await sessions.get(first!.sessionId)).toMatchObject({ status: 'expired', disconnectReason: 'ttl' });
    for (const record of rest) expect(await sessions.get(record.sessionId)).toMatchObject({ status: 'closed', disconnectReason: 'client-delete' });
  });

  it('claims the app sessions of one tick with one INSERT, and a contested id in a second one', async () => {
    const sessions = new SqlSessionStore(sql, { maxRequestsPerSession: 1_000 });
    const claim = (appSessionId: string, principalHash: string | null) =>
      sessions.claimAppSession({ appSessionId, principalHash, now: T0, expiresAt: T0 + 60_000 });
    const outcomes = await Promise.all([claim('app-1', 'alice'), claim('app-2', null), claim('app-1', 'bob'), claim('app-3', null), claim('app-2', null)]);
    expect(outcomes.map((outcome) => outcome.outcome)).toEqual(['created', 'created', 'foreign', 'created', 'existing']);
    expect(outcomes.map((outcome) => outcome.record.appSessionId)).toEqual(['app-1', 'app-2', 'app-1', 'app-3', 'app-2']);
    expect(sql.count('INSERT INTO mcp_app_sessions')).toBe(2);
  });

  it('deletes the events of the sessions closed in one tick with one DELETE', async () => {
    const events = eventStore(1_000);
    await Promise.all(Array.from({ length: 8 }, (_, n) => events.forSession(`s${n}`).storeEvent('_GET_stream', notification(`s${n}`, n))));
    await Promise.all(Array.from({ length: 8 }, (_, n) => events.deleteSession(`s${n}`)));
    expect(sql.statements).toEqual(['INSERT INTO mcp_events', 'DELETE FROM mcp_events']);
    expect((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM mcp_events')).rows[0]?.n).toBe(0);
  });

  it('writes the status and the event deletion of sessions ended in one tick with one statement', async () => {
    const closes = new SqlSessionCloses(sql);
    const sessions = new SqlSessionStore(sql, { maxRequestsPerSession: 1_000, closes });
    const events = new SqlEventStore(sql, { limits: { ttlMs: 60_000, maxEventsPerStream: 1_000 }, compressAboveBytes: 4_096, now: Date.now, closes });
    const records = Array.from({ length: 4 }, () => sessionRecord());
    await Promise.all(records.map((record) => sessions.create(record)));
    await Promise.all(records.map((record) => events.forSession(record.sessionId).storeEvent('_GET_stream', notification(record.sessionId, 1))));
    const kept = await events.forSession('other').storeEvent('_GET_stream', notification('other', 1));
    sql.statements.length = 0;
    await Promise.all(
      records.flatMap((record) => [sessions.setStatus(record.sessionId, 'closed', 'client-delete'), events.deleteSession(record.sessionId)]),
    );
    expect(sql.statements).toEqual(['WITH statuses AS']);
    for (const record of records) {
      expect(await sessions.get(record.sessionId)).toMatchObject({ status: 'closed', disconnectReason: 'client-delete' });
      expect(await rowsOf(record.sessionId, '_GET_stream')).toBe(0);
    }
    expect(await events.forSession('other').getStreamIdForEventId?.(kept)).toBe('_GET_stream');
  });
});
