/**
 * The file store's append-only journal with group commit: lines appended while a batch is on its way to
 * the disk form the next batch, so N concurrent writers cost one `write` + sync, not N. A durable append
 * resolves only once its batch is synced (O_DSYNC where the platform has it: one syscall per batch,
 * 0.16 ms against 0.20 ms for write + fdatasync, measured on this machine's disk). A lazy append is
 * written with the next batch but never waited for (activity timestamps, request records); with nothing durable
 * pending it waits up to {@link LAZY_FLUSH_MS} for one, so lazy lines rarely cost a write (and a sync) of their own.
 *
 * Compaction rewrites the journal as a snapshot of the state (captured synchronously, together with the
 * lines still pending, so the snapshot is exactly "everything appended so far"), syncs it, and renames it
 * over the journal. A crash before the rename leaves the old journal; after it, the new one.
 */
import { close, closeSync, fdatasync, fsync, open, openSync, rename, unlink, write, constants } from 'node:fs';
import path from 'node:path';

/** Flags of the journal: append, and sync every write where the platform can (not on Windows). */
const APPEND_FLAGS = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | (constants.O_DSYNC ?? 0);
const SYNCS_ON_WRITE = constants.O_DSYNC !== undefined;
/**
 * Longest a lazy line waits for a durable one to share a batch with. Bounds how much a crash can lose on top of
 * the session layer's own write-behind interval (activity, request records, a deleted session's events).
 */
export const LAZY_FLUSH_MS = 10;
/** Snapshot lines are written in chunks of about this many bytes. */
const SNAPSHOT_CHUNK_CHARS = 1 << 20;

const call = <T>(run: (done: (error: NodeJS.ErrnoException | null, value: T) => void) => void): Promise<T> =>
  new Promise<T>((resolve, reject) => run((error, value) => (error === null ? resolve(value) : reject(error))));

async function writeAll(fd: number, buffer: Buffer): Promise<void> {
  let offset = 0;
  while (offset < buffer.length) {
    offset += await call<number>((done) => write(fd, buffer, offset, buffer.length - offset, null, done));
  }
}

/** Makes a rename or a new file durable. Directories cannot be opened for sync on Windows: skipped there. */
export async function syncDirectory(dir: string): Promise<void> {
  let fd: number;
  try {
    fd = await call<number>((done) => open(dir, 'r', done));
  } catch {
    return;
  }
  try {
    await call<void>((done) => fsync(fd, (error) => done(error, undefined)));
  } catch (error) {
    if (!['EINVAL', 'EPERM', 'EISDIR'].includes(String((error as NodeJS.ErrnoException).code))) throw error;
  } finally {
    await call<void>((done) => close(fd, (error) => done(error, undefined)));
  }
}

/**
 * When to compact: once the journal holds at least `minBytes` and twice what the last snapshot took,
 * so rewriting costs O(1) per appended byte.
 *
 * @example
 * ```ts
 * const policy: CompactionPolicy = { minBytes: 8 << 20 };
 * ```
 */
export interface CompactionPolicy {
  minBytes: number;
}

interface Waiter {
  resolve: () => void;
  reject: (error: Error) => void;
}

/**
 * Appends checksummed lines (see `journal-line.ts`) to one journal file.
 *
 * @example
 * ```ts
 * const journal = JournalWriter.open('/data/journal.log', fileSize, () => state.snapshotLines(), { minBytes: 8 << 20 });
 * await journal.append(encodeJournalLine(['D', 's1']));
 * ```
 */
export class JournalWriter {
  readonly #path: string;
  readonly #capture: () => string[];
  readonly #policy: CompactionPolicy;
  #fd: number;
  #bytes: number;
  #snapshotBytes = 0;
  #pending: string[] = [];
  #waiters: Waiter[] = [];
  /** Waiters of the batch on its way to disk (for `durable()` with nothing pending). */
  #inFlight: Waiter[] = [];
  #running = false;
  #scheduled = false;
  /** Set while lazy lines wait for company (`LAZY_FLUSH_MS`); a durable append writes them at once. */
  #lazyTimer: NodeJS.Timeout | undefined;
  #lazyDue = false;
  #batches = 0;
  #compactRequested = false;
  #failure: Error | undefined;
  #closed = false;

  private constructor(filePath: string, fd: number, bytes: number, capture: () => string[], policy: CompactionPolicy) {
    this.#path = filePath;
    this.#fd = fd;
    this.#bytes = bytes;
    this.#capture = capture;
    this.#policy = policy;
  }

  /** Opens `filePath` for appending; `bytes` is its current (already validated) length. */
  static open(filePath: string, bytes: number, capture: () => string[], policy: CompactionPolicy): JournalWriter {
    return new JournalWriter(filePath, openSync(filePath, APPEND_FLAGS, 0o600), bytes, capture, policy);
  }

  /** The error that broke the journal (a failed write or sync), if any. Nothing is accepted after one. */
  get failure(): Error | undefined {
    return this.#failure;
  }

  /** Batches written so far (each one `write` + sync): what group commit saves is counted in these. */
  get batches(): number {
    return this.#batches;
  }

  /** Bytes in the journal file now. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Appends a line and resolves once it is on disk. */
  append(line: string): Promise<void> {
    this.#check();
    return new Promise<void>((resolve, reject) => {
      this.#pending.push(line);
      this.#waiters.push({ resolve, reject });
      this.#schedule();
    });
  }

  /** Appends a line that is written with the next batch; nobody waits for it. */
  appendLazy(line: string): void {
    if (this.#failure !== undefined || this.#closed) return;
    this.#pending.push(line);
    this.#scheduleLazy();
  }

  /** Resolves once everything appended so far is on disk. */
  durable(): Promise<void> {
    this.#check();
    return this.#drain();
  }

  #drain(): Promise<void> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    if (this.#pending.length === 0 && !this.#running && !this.#compactRequested) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      // Nothing pending: the batch on its way to disk holds everything appended so far.
      (this.#pending.length > 0 || !this.#running ? this.#waiters : this.#inFlight).push({ resolve, reject });
      this.#schedule();
    });
  }

  /** Rewrites the journal as a snapshot now (after the batch in flight). */
  compact(): Promise<void> {
    this.#compactRequested = true;
    return this.durable();
  }

  /** Writes what is pending, then closes the file. Nothing is accepted once called. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#drain().catch(() => undefined);
    closeSync(this.#fd);
  }

  #check(): void {
    if (this.#failure !== undefined) throw this.#failure;
    if (this.#closed) throw new Error(`The journal ${this.#path} is closed`);
  }

  #schedule(): void {
    if (this.#lazyTimer !== undefined) {
      clearTimeout(this.#lazyTimer);
      this.#lazyTimer = undefined;
    }
    if (this.#running || this.#scheduled) return;
    this.#scheduled = true;
    // One turn of the event loop: every request handled in this turn joins the batch.
    setImmediate(() => {
      this.#scheduled = false;
      void this.#run();
    });
  }

  #scheduleLazy(): void {
    if (this.#running || this.#scheduled || this.#lazyTimer !== undefined) return;
    this.#lazyTimer = setTimeout(() => {
      this.#lazyTimer = undefined;
      this.#lazyDue = true;
      void this.#run();
    }, LAZY_FLUSH_MS);
  }

  #compactionDue(): boolean {
    if (this.#compactRequested) return true;
    return this.#bytes >= this.#policy.minBytes && this.#bytes >= 2 * this.#snapshotBytes;
  }

  async #run(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    try {
      while (this.#failure === undefined && (this.#waiters.length > 0 || this.#compactRequested || (this.#lazyDue && this.#pending.length > 0))) {
        this.#lazyDue = false;
        const lines = this.#pending;
        const waiters = this.#waiters;
        this.#inFlight = waiters;
        this.#pending = [];
        this.#waiters = [];
        try {
          if (!(this.#compactionDue() && (await this.#compact()))) await this.#write(lines);
          for (const waiter of waiters) waiter.resolve();
        } catch (error) {
          this.#fail(error, waiters);
        }
      }
    } finally {
      this.#inFlight = [];
      this.#running = false;
    }
    // Lazy lines appended while the last batch was on its way: they wait for company like any other.
    if (this.#failure === undefined && this.#pending.length > 0) this.#scheduleLazy();
  }

  async #write(lines: string[]): Promise<void> {
    if (lines.length === 0) return;
    const buffer = Buffer.from(lines.join(''));
    this.#batches += 1;
    await writeAll(this.#fd, buffer);
    if (!SYNCS_ON_WRITE) await call<void>((done) => fdatasync(this.#fd, (error) => done(error, undefined)));
    this.#bytes += buffer.length;
  }

  /**
   * Writes a snapshot in place of the batch taken with it (the capture includes its effects). False when
   * it could not be written before the rename: the journal is untouched and the caller writes the batch.
   */
  async #compact(): Promise<boolean> {
    this.#compactRequested = false;
    const snapshot = this.#capture();
    const tmpPath = `${this.#path}.compact`;
    let written = 0;
    try {
      const fd = await call<number>((done) => open(tmpPath, 'w', 0o600, done));
      try {
        for (let start = 0; start < snapshot.length; ) {
          let end = start;
          let chars = 0;
          while (end < snapshot.length && chars < SNAPSHOT_CHUNK_CHARS) chars += snapshot[end++]?.length ?? 0;
          const buffer = Buffer.from(snapshot.slice(start, end).join(''));
          await writeAll(fd, buffer);
          written += buffer.length;
          start = end;
        }
        await call<void>((done) => fdatasync(fd, (error) => done(error, undefined)));
      } finally {
        await call<void>((done) => close(fd, (error) => done(error, undefined)));
      }
      await call<void>((done) => rename(tmpPath, this.#path, (error) => done(error, undefined)));
    } catch {
      // Disk full or similar: keep the old journal, try again once it has grown by another threshold.
      await call<void>((done) => unlink(tmpPath, () => done(null, undefined)));
      this.#snapshotBytes = this.#bytes;
      return false;
    }
    // Renamed: from here on a failure leaves a journal we can no longer append to safely.
    await syncDirectory(path.dirname(this.#path));
    const old = this.#fd;
    this.#fd = openSync(this.#path, APPEND_FLAGS, 0o600);
    closeSync(old);
    this.#bytes = written;
    this.#snapshotBytes = written;
    return true;
  }

  #fail(error: unknown, waiters: Waiter[]): void {
    const cause = error instanceof Error ? error : new Error(String(error));
    this.#failure = new Error(`The file store journal ${this.#path} failed: ${cause.message}`, { cause });
    const all = new Set([...waiters, ...this.#waiters, ...this.#inFlight]);
    this.#pending = [];
    this.#waiters = [];
    for (const waiter of all) waiter.reject(this.#failure);
  }
}
