/**
 * A lock file shared by processes, without native dependencies: created with O_CREAT|O_EXCL, kept fresh by a
 * heartbeat while held, and taken over when its holder is gone (same host, pid no longer running) or stopped
 * refreshing it for `staleMs` (a crash, a frozen machine, another host).
 *
 * Takeover renames the stale file to a unique name first, so of several waiters only one wins it. The window
 * that remains (a waiter judges a lock stale, another takes it over and re-creates it, the first then renames
 * the fresh one) needs a dead holder AND two waiters within microseconds; the renamed file is put back when
 * its owner is not the one judged stale.
 */
import { randomUUID } from 'node:crypto';
import { link, open, readFile, rename, rm, stat, utimes } from 'node:fs/promises';
import { hostname } from 'node:os';
import { TimeoutError } from '../errors/tree';

/** What a lock file says about its holder. */
interface LockHolder {
  readonly owner: string;
  readonly pid: number;
  readonly host: string;
}

/** A held lock; `release()` is idempotent. */
export interface FileLock {
  release(): Promise<void>;
}

function errorCode(error: unknown): unknown {
  return typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
}

async function readHolder(path: string): Promise<LockHolder | undefined> {
  try {
    const value = JSON.parse(await readFile(path, 'utf8')) as Partial<LockHolder>;
    return typeof value.owner === 'string' && typeof value.pid === 'number' && typeof value.host === 'string'
      ? { owner: value.owner, pid: value.pid, host: value.host }
      : undefined;
  } catch {
    return undefined;
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return errorCode(error) === 'EPERM';
  }
}

/** Removes the lock if it is stale; true when the caller should try to create it again at once. */
async function takeOverIfStale(path: string, staleMs: number): Promise<boolean> {
  let modifiedMs: number;
  try {
    modifiedMs = (await stat(path)).mtimeMs;
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return true;
    throw error;
  }
  const holder = await readHolder(path);
  const holderGone = holder !== undefined && holder.host === hostname() && !isRunning(holder.pid);
  if (!holderGone && Date.now() - modifiedMs < staleMs) return false;
  const grave = `${path}.${randomUUID()}.stale`;
  try {
    await rename(path, grave);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return true;
    throw error;
  }
  const taken = await readHolder(grave);
  if (holder !== undefined && taken !== undefined && taken.owner !== holder.owner) {
    // We moved a lock someone else had just created: give it back (EEXIST means a third one exists already).
    await link(grave, path).catch(() => {});
  }
  await rm(grave, { force: true });
  return true;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Waits up to `timeoutMs` for the lock at `path`; rejects with `TimeoutError` (`kind: 'total'`) when another
 * live holder keeps it that long.
 *
 * @example
 * ```ts
 * const lock = await acquireFileLock('/home/me/.config/archon-mcp/tokens/x.lock', { staleMs: 30_000, timeoutMs: 30_000 });
 * try { await refresh(); } finally { await lock.release(); }
 * ```
 */
export async function acquireFileLock(path: string, options: { readonly staleMs: number; readonly timeoutMs: number }): Promise<FileLock> {
  const owner = randomUUID();
  const deadline = Date.now() + options.timeoutMs;
  let waitMs = 5;
  for (;;) {
    try {
      const handle = await open(path, 'wx', 0o600);
      try {
        await handle.writeFile(JSON.stringify({ owner, pid: process.pid, host: hostname(), acquiredAt: new Date().toISOString() }));
      } finally {
        await handle.close();
      }
      return holdLock(path, owner, options.staleMs);
    } catch (error) {
      if (errorCode(error) !== 'EEXIST') throw error;
    }
    if (await takeOverIfStale(path, options.staleMs)) continue;
    const left = deadline - Date.now();
    if (left <= 0) {
      const holder = await readHolder(path);
      throw new TimeoutError(
        `Timed out after ${options.timeoutMs} ms waiting for the token store lock ${path}${holder === undefined ? '' : ` (held by pid ${holder.pid} on ${holder.host})`}`,
        { timeoutMs: options.timeoutMs, kind: 'total' },
      );
    }
    // 5 ms doubling to 100 ms, jittered so waiting processes do not poll in step.
    await delay(Math.min(left, waitMs * (0.5 + Math.random())));
    waitMs = Math.min(waitMs * 2, 100);
  }
}

function holdLock(path: string, owner: string, staleMs: number): FileLock {
  const heartbeat = setInterval(
    () => {
      const now = new Date();
      utimes(path, now, now).catch(() => {});
    },
    Math.max(10, Math.floor(staleMs / 3)),
  );
  heartbeat.unref();
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      clearInterval(heartbeat);
      // Only our own lock is removed: after a takeover the file belongs to someone else.
      if ((await readHolder(path))?.owner === owner) await rm(path, { force: true });
    },
  };
}
