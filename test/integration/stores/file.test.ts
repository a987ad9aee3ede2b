import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createStores, storeKindOf } from '../../../server/stores/index';
import { createFileStores } from '../../../server/stores/file-store';
import type { FileStoreOptions } from '../../../server/stores/file-store';
import type { SessionEventStore, SessionStore } from '../../../server/stores/types';
import { notification, PRIMING, replaySink, requestRecord, sessionRecord } from './fixtures';
import { defineStoreContract } from './store-contract';
import type { TargetOptions } from './store-contract';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'mcp-file-store-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function open(dir: string, options: TargetOptions & FileStoreOptions = {}) {
  const stores = await createFileStores(dir, options.limits, {
    ...(options.now !== undefined && { now: options.now }),
    ...(options.maxRequestsPerSession !== undefined && { maxRequestsPerSession: options.maxRequestsPerSession }),
    ...(options.compactAboveBytes !== undefined && { compactAboveBytes: options.compactAboveBytes }),
  });
  await stores.sessions.init();
  return { ...stores, requestCap: options.maxRequestsPerSession ?? 1_000 };
}

describe('file store', () => {
  let lastDir = '';
  defineStoreContract({
    name: 'file',
    openEmpty: async (options) => open((lastDir = tempDir()), options),
    reopen: async (options) => open(lastDir, options),
  });

  describe('on disk', () => {
    const opened: Array<{ sessions: SessionStore; events: SessionEventStore }> = [];
    const openTracked = async (dir: string, options: TargetOptions & FileStoreOptions = {}) => {
      const stores = await open(dir, options);
      opened.push(stores);
      return stores;
    };
    afterEach(async () => {
      for (const stores of opened.splice(0).reverse()) {
        await stores.events.close();
        await stores.sessions.close();
      }
    });

    it('is the `file:` spec, created through createStores with nothing but this package', async () => {
      const dir = path.join(tempDir(), 'nested', 'data');
      expect(storeKindOf(`file:${dir}`)).toBe('file');
      const stores = await createStores(`file:${dir}`);
      opened.push(stores);
      expect(stores.sessions.kind).toBe('file');
      await stores.sessions.create(sessionRecord());
      expect((await stores.sessions.counts()).active).toBe(1);
    });

    it('refuses a second open of a directory that is in use, naming the holder', async () => {
      const dir = tempDir();
      await openTracked(dir);
      await expect(createFileStores(dir)).rejects.toThrow(/already open in this process/);
      // A lock naming a live process (this test's parent) is refused too.
      const other = tempDir();
      writeFileSync(path.join(other, 'LOCK'), JSON.stringify({ pid: process.ppid, startTicks: null }));
      await expect(createFileStores(other)).rejects.toThrow(new RegExp(`in use by process ${process.ppid}`));
    });

    it('takes over a lock left by a process that is gone', async () => {
      const dir = tempDir();
      // Pid 2^22 + 1 is above Linux's pid_max ceiling, so no process has it.
      writeFileSync(path.join(dir, 'LOCK'), JSON.stringify({ pid: 4_194_305, startTicks: null }));
      const { sessions } = await openTracked(dir);
      await sessions.create(sessionRecord());
      expect(JSON.parse(readFileSync(path.join(dir, 'LOCK'), 'utf8'))).toMatchObject({ pid: process.pid });
    });

    it('takes over a lock naming its own pid that this process does not hold (a container restarted as pid 1)', async () => {
      const dir = tempDir();
      writeFileSync(path.join(dir, 'LOCK'), JSON.stringify({ pid: process.pid, startTicks: null }));
      const { sessions } = await openTracked(dir);
      await expect(sessions.ping()).resolves.toBeUndefined();
    });

    it('releases the lock on close, so the directory opens again', async () => {
      const dir = tempDir();
      const first = await open(dir);
      await first.events.close();
      await first.sessions.close();
      expect(() => statSync(path.join(dir, 'LOCK'))).toThrow(/ENOENT/);
      await openTracked(dir);
    });

    it('ignores a torn last line and appends after the last good one', async () => {
      const dir = tempDir();
      const record = sessionRecord();
      const first = await open(dir);
      await first.sessions.create(record);
      await first.events.close();
      await first.sessions.close();
      const journal = path.join(dir, 'journal.log');
      const goodBytes = statSync(journal).size;
      // What a crash mid-write leaves: half a line, no newline.
      appendFileSync(journal, '0badc0de ["S",{"sessionId":"torn"');

      const second = await openTracked(dir);
      expect(statSync(journal).size).toBe(goodBytes);
      expect(await second.sessions.get(record.sessionId)).toEqual(record);
      expect(await second.sessions.get('torn')).toBeUndefined();
      const next = sessionRecord();
      await second.sessions.create(next);
      await second.events.close();
      await second.sessions.close();

      const third = await openTracked(dir);
      expect(await third.sessions.get(next.sessionId)).toEqual(next);
    });

    it('skips a corrupt line in the middle and keeps what follows it', async () => {
      const dir = tempDir();
      const [a, b] = [sessionRecord(), sessionRecord()];
      const first = await open(dir);
      await first.sessions.create(a);
      await first.sessions.create(b);
      await first.events.close();
      await first.sessions.close();
      const journal = path.join(dir, 'journal.log');
      const lines = readFileSync(journal, 'utf8').split('\n');
      // Flip one character of a's record: its checksum no longer holds.
      const at = lines.findIndex((line) => line.includes(a.sessionId));
      lines[at] = (lines[at] ?? '').replace(a.sessionId, a.sessionId.replace(/^./, 'X'));
      writeFileSync(journal, lines.join('\n'));

      const second = await openTracked(dir);
      expect(await second.sessions.get(a.sessionId)).toBeUndefined();
      expect(await second.sessions.get(b.sessionId)).toEqual(b);
    });

    it('compacts the journal to the live state and keeps every session, request and event', async () => {
      const dir = tempDir();
      const journal = path.join(dir, 'journal.log');
      const options = { compactAboveBytes: 64 * 1024, maxRequestsPerSession: 20, limits: { maxEventsPerStream: 10 } };
      const stores = await open(dir, options);
      const record = sessionRecord();
      await stores.sessions.create(record);
      const store = stores.events.forSession(record.sessionId);
      const start = await store.storeEvent('_GET_stream', PRIMING);
      for (let n = 1; n <= 400; n += 1) {
        await stores.sessions.touch(record.sessionId, record.lastActivityAt + n, record.expiresAt + n);
        await stores.sessions.trackRequest(requestRecord(record.sessionId, n));
        await store.storeEvent('_GET_stream', notification(record.sessionId, n, 'x'.repeat(200)));
      }
      const kept = replaySink();
      await store.replayEventsAfter(start, kept);
      await stores.events.close();
      await stores.sessions.close();
      // ~200 KB written (400 touches, requests and events); 10 events and 20 requests kept, ~7 KB.
      expect(statSync(journal).size).toBeLessThan(80 * 1024);

      const reopened = await openTracked(dir, options);
      expect(await reopened.sessions.get(record.sessionId)).toEqual({
        ...record,
        lastActivityAt: record.lastActivityAt + 400,
        expiresAt: record.expiresAt + 400,
      });
      expect(await reopened.sessions.listRequests(record.sessionId, 2)).toEqual([400, 399].map((n) => requestRecord(record.sessionId, n)));
      const replayed = replaySink();
      await reopened.events.forSession(record.sessionId).replayEventsAfter(start, replayed);
      expect(replayed.sent).toEqual(kept.sent);
      expect(replayed.sent).toHaveLength(10);
      // Ids keep growing after a compaction: a new event never reuses a dropped one's id.
      const next = await reopened.events.forSession(record.sessionId).storeEvent('_GET_stream', notification(record.sessionId, 401));
      const seq = (eventId: string | undefined) => Number(eventId?.split(':').at(-1));
      expect(seq(next)).toBeGreaterThan(seq(kept.sent.at(-1)?.eventId));
    });

    it('refuses a PGlite directory instead of writing into it', async () => {
      const dir = tempDir();
      writeFileSync(path.join(dir, 'PG_VERSION'), '17\n');
      await expect(createFileStores(dir)).rejects.toThrow(/holds a PGlite database/);
    });
  });
});

describe('file store without the optional drivers', () => {
  it('serves the `serve` default store when pg, redis and pglite cannot be resolved', async () => {
    const { execFile } = await import('node:child_process');
    const { promisify } = await import('node:util');
    const child = fileURLToPath(new URL('./no-driver-child.ts', import.meta.url));
    const dir = tempDir();
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', child, dir], { timeout: 60_000 });
    const report: unknown = JSON.parse(stdout.trim().split('\n').at(-1) ?? '');
    expect(report).toMatchObject({ defaultStore: 'file:.mcp-data', store: `file:${dir}`, status: 200, sessionId: expect.any(String) });
    // The hook really hides the drivers: the redis store names the package to install.
    expect(report).toMatchObject({ redisError: expect.stringContaining("The redis store needs the package 'redis'") });
  }, 90_000);
});
