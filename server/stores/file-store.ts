/**
 * The embedded default store of `archon-mcp serve`: a journal file per data directory, the state in
 * memory, no native build and no package to install.
 *
 * Why not PGlite (measured 2026-12-04 on this 2-core box, load average 4-5, @electric-sql/pglite 0.5.16,
 * Node 20, one fresh child process per figure; "ready" = process start to the first query answered):
 *
 * | candidate | ready, fresh dir | ready, existing dir | RSS idle after start |
 * |---|---|---|---|
 * | PGlite defaults | 6.7-7.9 s | 0.42 s | 510-683 MB fresh, 328 MB reopened |
 * | PGlite `initialMemory` 128 MiB (its floor: 2,048 pages) | 3.7 s | | 493 MB |
 * | PGlite + `relaxedDurability`, `shared_buffers=8MB`, small WAL | 5.1 s | 0.36 s | 337 MB fresh, 150 MB reopened |
 * | the same + `loadDataDir` from a pre-initialised template (4.5 MB tar.gz) | 1.6 s | | 340 MB |
 * | this journal store: the whole `archon-mcp serve` process (`npm run bench:server`, load average 10-15) | 0.5-1.2 s | | 80-83 MB |
 *
 * Under that bench's steady load (8 sessions, 16 concurrent echo calls) the server on this store and on
 * PGlite ran at 0.68x and 0.35x of the official SDK's calls/s, server CPU per call 1.16x and 3.49x (same
 * run, load average 15: provisional).
 *
 * PGlite's WebAssembly memory alone starts at 128 MiB, so no tuning reaches 150 MB RSS for the whole
 * server, and every statement goes through one serialised WASM connection (0.3-0.7 ms each). This store
 * answers reads from memory and writes each batch with one `write` (group commit, `journal-writer.ts`).
 *
 * Layout of `<dir>`: `journal.log` (checksummed lines, `journal-line.ts`), `LOCK` (`file-lock.ts`), and
 * `journal.log.compact` only while a compaction runs.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import { EVENT_CODEC_DEFAULTS } from './event-codec';
import { FileEventStore } from './file-event-store';
import { lockDirectory } from './file-lock';
import { FileSessionStore } from './file-session-store';
import { resolveEventStoreLimits } from './limits';
import type { JournalEntry } from './journal-line';
import { encodeJournalLine } from './journal-line';
import { readJournal } from './journal-reader';
import { JournalWriter } from './journal-writer';
import type { EventStoreLimits, SessionEventStore, SessionStore } from './types';

/** Version of the journal format, in every header line. */
const FORMAT_VERSION = 1;
const JOURNAL_FILE = 'journal.log';
/** Journal tags the event half applies (`file-event-store.ts`); the rest belong to the session half. */
const EVENT_TAGS: ReadonlySet<unknown> = new Set(['H', 'E', 'D', 'Q']);

/**
 * Tuning of the file store.
 *
 * @example
 * ```ts
 * const options: FileStoreOptions = { compactAboveBytes: 64 << 20 };
 * ```
 */
export interface FileStoreOptions {
  /** Request records kept per session, oldest dropped (as the other stores). @default 1_000 */
  maxRequestsPerSession?: number;
  /** Stored events larger than this are deflated. @default 4_096 */
  compressAboveBytes?: number;
  /**
   * The journal is rewritten as a snapshot once it holds this many bytes and twice the last snapshot,
   * so it stays within about twice the live state. @default 16_777_216 (16 MiB)
   */
  compactAboveBytes?: number;
  /** Clock for event timestamps, replay TTL and locks; a seam for tests. @default Date.now */
  now?: () => number;
}

/**
 * @example
 * ```ts
 * const threshold = FILE_STORE_DEFAULTS.compactAboveBytes; // 16 MiB
 * ```
 */
export const FILE_STORE_DEFAULTS = {
  maxRequestsPerSession: 1_000,
  compressAboveBytes: EVENT_CODEC_DEFAULTS.compressAboveBytes,
  compactAboveBytes: 16 << 20,
  now: Date.now,
} as const satisfies Required<FileStoreOptions>;

function resolveFileStoreOptions(options: FileStoreOptions): Required<FileStoreOptions> {
  const resolved: Required<FileStoreOptions> = {
    maxRequestsPerSession: options.maxRequestsPerSession ?? FILE_STORE_DEFAULTS.maxRequestsPerSession,
    compressAboveBytes: options.compressAboveBytes ?? FILE_STORE_DEFAULTS.compressAboveBytes,
    compactAboveBytes: options.compactAboveBytes ?? FILE_STORE_DEFAULTS.compactAboveBytes,
    now: options.now ?? FILE_STORE_DEFAULTS.now,
  };
  for (const name of ['maxRequestsPerSession', 'compactAboveBytes'] as const) {
    if (!Number.isInteger(resolved[name]) || resolved[name] <= 0) {
      throw new TypeError(`Expected \`${name}\` to be a positive integer, got ${String(resolved[name])}`);
    }
  }
  if (!Number.isInteger(resolved.compressAboveBytes) || resolved.compressAboveBytes < 0) {
    throw new TypeError(`Expected \`compressAboveBytes\` to be a non-negative integer, got ${String(resolved.compressAboveBytes)}`);
  }
  return resolved;
}

/** Creates an empty journal durably: the header line, synced, and the directory entry, synced. */
function createJournal(dir: string, journalPath: string): void {
  const fd = openSync(journalPath, 'wx', 0o600);
  try {
    writeSync(fd, encodeJournalLine(['H', FORMAT_VERSION, 1]));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    const dirFd = openSync(dir, 'r');
    try {
      fsyncSync(dirFd);
    } finally {
      closeSync(dirFd);
    }
  } catch {
    // Directories cannot be synced on Windows; the file itself is.
  }
}

/**
 * Opens (or creates) the file store in `dir`: sessions, request records and events, kept in memory and
 * in `<dir>/journal.log`. One process per directory: a second open fails with a message naming the
 * holder, and a lock left by a killed process is taken over. Ready in milliseconds on a fresh
 * directory; reopening replays the journal (about 1 s per 100 MB).
 *
 * @example
 * ```ts
 * const { sessions, events } = await createFileStores('.mcp-data', { ttlMs: 60_000 });
 * await sessions.init();
 * ```
 */
export async function createFileStores(
  dir: string,
  limits: Partial<EventStoreLimits> = {},
  options: FileStoreOptions = {},
): Promise<{ sessions: SessionStore; events: SessionEventStore }> {
  if (dir === '') throw new TypeError("Expected a file store directory, got ''");
  const settings = resolveFileStoreOptions(options);
  const resolvedLimits = resolveEventStoreLimits(limits);
  // Owner-only: records carry principal hashes and initialize params, events carry tool results.
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // `.mcp-data` was the pglite default before this store: say so instead of mixing two formats.
  if (existsSync(path.join(dir, 'PG_VERSION'))) {
    throw new Error(`${dir} holds a PGlite database: open it with --store pglite:${dir}, or choose another directory for file:`);
  }
  const lock = await lockDirectory(dir);
  try {
    const journalPath = path.join(dir, JOURNAL_FILE);
    // A compaction the last process did not finish: the journal itself was never replaced.
    if (existsSync(`${journalPath}.compact`)) unlinkSync(`${journalPath}.compact`);
    if (!existsSync(journalPath)) createJournal(dir, journalPath);

    const sessions = new FileSessionStore({ maxRequestsPerSession: settings.maxRequestsPerSession, now: settings.now });
    const events = new FileEventStore({ limits: resolvedLimits, compressAboveBytes: settings.compressAboveBytes, now: settings.now });
    const apply = (entry: JournalEntry, line: string): void => {
      if (entry[0] === 'H' && entry[1] !== FORMAT_VERSION) {
        throw new Error(`${journalPath} has journal format ${String(entry[1])}; this version reads ${FORMAT_VERSION}`);
      }
      if (EVENT_TAGS.has(entry[0])) events.apply(entry, line);
      else sessions.apply(entry, line);
    };
    const { bytes } = readJournal(journalPath, apply);
    events.evictExpired(settings.now());

    const journal = JournalWriter.open(
      journalPath,
      bytes,
      () => {
        const lines = [encodeJournalLine(['H', FORMAT_VERSION, events.nextSeq])];
        sessions.snapshotLines(lines);
        events.snapshotLines(lines);
        return lines;
      },
      { minBytes: settings.compactAboveBytes },
    );
    let open = 2;
    const closeShared = async (): Promise<void> => {
      open -= 1;
      if (open > 0) return;
      try {
        await journal.close();
      } finally {
        lock.release();
      }
    };
    sessions.attach(journal, closeShared);
    events.attach(journal, closeShared);
    // A journal left large by the last process is rewritten in the background, after start-up.
    if (bytes >= settings.compactAboveBytes) void journal.compact().catch(() => undefined);
    return { sessions, events };
  } catch (error) {
    lock.release();
    throw error;
  }
}
