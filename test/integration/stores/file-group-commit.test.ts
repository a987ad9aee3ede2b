/**
 * The file store's group commit, in batches written (each one `write` + sync): what it saves is counted, and what
 * it acknowledges is on disk by then (read back from the journal file itself).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EVENT_STORE_LIMIT_DEFAULTS } from '../../../server/stores/limits';
import { FileEventStore } from '../../../server/stores/file-event-store';
import { FileSessionStore } from '../../../server/stores/file-session-store';
import { JournalWriter, LAZY_FLUSH_MS } from '../../../server/stores/journal-writer';
import { notification, PRIMING, requestRecord, sessionRecord, T0 } from './fixtures';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A session and an event store on one fresh journal, as `createFileStores` wires them, with the journal in reach. */
function openStores() {
  const dir = mkdtempSync(path.join(tmpdir(), 'mcp-file-commit-'));
  dirs.push(dir);
  const journalPath = path.join(dir, 'journal.log');
  const journal = JournalWriter.open(journalPath, 0, () => [], { minBytes: 1 << 30 });
  const sessions = new FileSessionStore({ maxRequestsPerSession: 1_000, now: Date.now });
  const events = new FileEventStore({ limits: EVENT_STORE_LIMIT_DEFAULTS, compressAboveBytes: 4_096, now: Date.now });
  let open = 2;
  const close = async () => {
    open -= 1;
    if (open === 0) await journal.close();
  };
  sessions.attach(journal, close);
  events.attach(journal, close);
  const onDisk = () => readFileSync(journalPath, 'utf8');
  return { sessions, events, journal, onDisk, close: () => Promise.all([sessions.close(), events.close()]) };
}

const claimOf = (record: { appSessionId: string }, syncWithNextWrite?: boolean) => ({
  appSessionId: record.appSessionId,
  principalHash: null,
  now: T0,
  expiresAt: T0 + 60_000,
  ...(syncWithNextWrite === undefined ? {} : { syncWithNextWrite }),
});

describe('file store group commit', () => {
  it('writes the app-session claim and the session record of a legacy initialize in one batch', async () => {
    const { sessions, journal, onDisk, close } = openStores();
    try {
      const record = sessionRecord();
      const claim = await sessions.claimAppSession(claimOf(record, true));
      expect(claim.outcome).toBe('created');
      await sessions.create(record);
      expect(journal.batches).toBe(1);
      // Acknowledged by `create`: both lines are in the file.
      expect(onDisk()).toContain(`"appSessionId":"${record.appSessionId}","principalHash"`);
      expect(onDisk()).toContain(`"sessionId":"${record.sessionId}"`);

      // Without the flag a claim is acknowledged on its own: a batch for it, another for the record.
      const other = sessionRecord();
      await sessions.claimAppSession(claimOf(other));
      expect(onDisk()).toContain(`"appSessionId":"${other.appSessionId}","principalHash"`);
      await sessions.create(other);
      expect(journal.batches).toBe(3);
    } finally {
      await close();
    }
  });

  it('lets a claim that finds the id taken ride on the next write too, and keeps it durable on its own without the flag', async () => {
    const { sessions, journal, close } = openStores();
    try {
      const record = sessionRecord();
      await sessions.claimAppSession(claimOf(record));
      expect(journal.batches).toBe(1);
      const foreign = { ...claimOf(record, true), principalHash: 'someone-else' };
      expect((await sessions.claimAppSession(foreign)).outcome).toBe('foreign');
      const existing = await sessions.claimAppSession(claimOf(record, true));
      expect(existing.outcome).toBe('existing');
      await sessions.create(record);
      expect(journal.batches).toBe(2);
    } finally {
      await close();
    }
  });

  it('writes lazy lines with the next durable one instead of in a batch of their own', async () => {
    const { sessions, events, journal, onDisk, close } = openStores();
    try {
      const record = sessionRecord();
      await sessions.create(record);
      expect(journal.batches).toBe(1);
      // Activity, request records, a priming event: nobody waits for them.
      await sessions.touch(record.sessionId, T0 + 1, T0 + 60_001);
      await sessions.trackRequests([requestRecord(record.sessionId, 1), requestRecord(record.sessionId, 2)]);
      const store = events.forSession(record.sessionId);
      const primingId = await store.storeEvent('_GET_stream', PRIMING);
      // Yield to the event loop once: a lazy-only batch would have been written by now without the wait.
      await new Promise((resolve) => setImmediate(resolve));
      expect(journal.batches).toBe(1);
      await store.storeEvent('_GET_stream', notification(record.sessionId, 1));
      expect(journal.batches).toBe(2);
      const text = onDisk();
      expect(text).toContain(`["T","${record.sessionId}",${T0 + 1},${T0 + 60_001}]`);
      expect(text).toContain(`["E","${record.sessionId}","_GET_stream",${Number(primingId.split(':').at(-1))},`);
    } finally {
      await close();
    }
  });

  it('still writes lazy lines on their own within a bounded delay when nothing durable follows', async () => {
    const { sessions, journal, onDisk, close } = openStores();
    try {
      const record = sessionRecord();
      await sessions.create(record);
      await sessions.touch(record.sessionId, T0 + 5, T0 + 60_005);
      const deadline = Date.now() + LAZY_FLUSH_MS + 5_000;
      while (!onDisk().includes(`["T","${record.sessionId}",${T0 + 5},`) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, LAZY_FLUSH_MS));
      }
      expect(onDisk()).toContain(`["T","${record.sessionId}",${T0 + 5},`);
      expect(journal.batches).toBe(2);
    } finally {
      await close();
    }
  });

  it('writes a lazy line at once when a close drains the journal', async () => {
    const { sessions, journal, onDisk, close } = openStores();
    const record = sessionRecord();
    await sessions.create(record);
    await sessions.touch(record.sessionId, T0 + 7, T0 + 60_007);
    await close();
    expect(onDisk()).toContain(`["T","${record.sessionId}",${T0 + 7},`);
    expect(journal.batches).toBe(2);
  });

  it('commits sixteen concurrent events in one batch', async () => {
    const { sessions, events, journal, close } = openStores();
    try {
      const record = sessionRecord();
      await sessions.create(record);
      const store = events.forSession(record.sessionId);
      const ids = await Promise.all(Array.from({ length: 16 }, (_, n) => store.storeEvent(`stream-${n}`, notification(record.sessionId, n))));
      expect(new Set(ids).size).toBe(16);
      expect(journal.batches).toBe(2);
    } finally {
      await close();
    }
  });
});
