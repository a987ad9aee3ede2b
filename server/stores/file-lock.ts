/**
 * One process per file-store directory. Two writers appending to one journal would interleave their
 * batches and each would serve a state the other never sees, so the directory is locked by a `LOCK`
 * file naming its holder. Node has no portable `flock`, so liveness is checked instead: a lock whose
 * process is gone (SIGKILL, power loss) is taken over at once, which is what a restart on the same
 * directory needs. On Linux the holder's start time (`/proc/<pid>/stat`) guards against a recycled pid
 * (in a container the server is often pid 1 on every start).
 */
import { closeSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';

interface LockOwner {
  pid: number;
  /** Clock ticks since boot at which the holder started (Linux), else null. */
  startTicks: number | null;
}

/** Directories this process holds (resolved paths): a second open in the same process is refused too. */
const heldHere = new Set<string>();

/** A takeover marker older than this was left by a process that died mid-takeover. */
const STALE_TAKEOVER_MS = 10_000;
/** How long to wait for another process's takeover to finish before giving up. */
const TAKEOVER_WAIT_MS = 2_000;

function startTicksOf(pid: number | 'self'): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22; the command name (field 2) is parenthesised and may contain spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[19]);
    return Number.isSafeInteger(ticks) ? ticks : null;
  } catch {
    return null;
  }
}

function isAlive(owner: LockOwner): boolean {
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  if (owner.startTicks === null) return true;
  const ticks = startTicksOf(owner.pid);
  return ticks === null || ticks === owner.startTicks;
}

function readOwner(lockPath: string): { raw: string; owner: LockOwner | undefined } | undefined {
  let raw: string;
  try {
    raw = readFileSync(lockPath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed === 'object' && parsed !== null && 'pid' in parsed && Number.isSafeInteger(parsed.pid)) {
      const startTicks = 'startTicks' in parsed && Number.isSafeInteger(parsed.startTicks) ? Number(parsed.startTicks) : null;
      return { raw, owner: { pid: Number(parsed.pid), startTicks } };
    }
  } catch {
    // A lock torn by a crash while it was being written: nobody holds it.
  }
  return { raw, owner: undefined };
}

function tryCreate(lockPath: string, content: string): boolean {
  let fd: number;
  try {
    fd = openSync(lockPath, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    writeSync(fd, content);
  } finally {
    closeSync(fd);
  }
  return true;
}

/** Age of a file by its mtime; 0 when it is gone (nothing stale to remove). */
function ageMs(file: string): number {
  try {
    return Date.now() - statSync(file).mtimeMs;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
}

function unlinkQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

/**
 * The held lock of one directory; `release()` is idempotent.
 *
 * @example
 * ```ts
 * const lock = await lockDirectory('.mcp-data');
 * await lock.release();
 * ```
 */
export interface DirectoryLock {
  readonly path: string;
  release(): void;
}

/**
 * Takes the lock of `dir` (which must exist), taking over a lock left by a process that is gone.
 * Throws when a live process holds it, naming that process and the lock file.
 *
 * @example
 * ```ts
 * const lock = await lockDirectory('/var/lib/mcp');
 * ```
 */
export async function lockDirectory(dir: string): Promise<DirectoryLock> {
  const resolved = path.resolve(dir);
  if (heldHere.has(resolved)) {
    throw new Error(`The file store directory ${resolved} is already open in this process; open it once and share the stores`);
  }
  const lockPath = path.join(resolved, 'LOCK');
  const takeoverPath = `${lockPath}.takeover`;
  const content = JSON.stringify({ pid: process.pid, startTicks: startTicksOf('self'), since: new Date().toISOString() });
  const deadline = Date.now() + TAKEOVER_WAIT_MS;
  for (;;) {
    if (tryCreate(lockPath, content)) break;
    const current = readOwner(lockPath);
    if (current === undefined) continue; // released between our attempt and the read
    const { owner } = current;
    // Unreadable: being written right now (create and write are two steps), or torn by a crash long ago.
    if (owner === undefined && ageMs(lockPath) < STALE_TAKEOVER_MS) {
      if (Date.now() > deadline) throw new Error(`Timed out waiting for the lock ${lockPath} to be written`);
      await new Promise((resolve) => setTimeout(resolve, 20));
      continue;
    }
    // Our own pid in a lock we do not hold here is a previous incarnation (pid reuse, e.g. pid 1).
    if (owner !== undefined && owner.pid !== process.pid && isAlive(owner)) {
      throw new Error(
        `The file store directory ${resolved} is in use by process ${owner.pid} (${lockPath}); one process per directory. ` +
          'Delete the LOCK file only if no server uses the directory.',
      );
    }
    // Stale. Only one contender may replace it, or two could each delete the other's fresh lock.
    if (tryCreate(takeoverPath, content)) {
      try {
        if (readOwner(lockPath)?.raw === current.raw) unlinkQuietly(lockPath);
      } finally {
        unlinkQuietly(takeoverPath);
      }
      continue;
    }
    if (ageMs(takeoverPath) > STALE_TAKEOVER_MS) unlinkQuietly(takeoverPath);
    if (Date.now() > deadline) throw new Error(`Timed out taking over the stale lock ${lockPath}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  heldHere.add(resolved);
  let released = false;
  return {
    path: lockPath,
    release() {
      if (released) return;
      released = true;
      heldHere.delete(resolved);
      if (readOwner(lockPath)?.raw === content) unlinkQuietly(lockPath);
    },
  };
}
