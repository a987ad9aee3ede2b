/**
 * Parent side of the server child: forks `child-entry.ts` under tsx, waits for its URL, asks it for stats over
 * IPC, stops it. Every wait is bounded so a broken server fails the bench instead of hanging it.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { isChildMessage, type ChildMessage, type ServerKind, type ServerStats } from './protocol';

const ENTRY = fileURLToPath(new URL('./child-entry.ts', import.meta.url));
const READY_TIMEOUT_MS = 20_000;
const STATS_TIMEOUT_MS = 2_000;
const STOP_TIMEOUT_MS = 3_000;

/** A server running in a child process. */
export interface ServerChild {
  readonly url: string;
  readonly kind: ServerKind;
  readonly pid: number;
  stats(): Promise<ServerStats>;
  stop(): Promise<void>;
}

function waitFor<T>(
  child: ChildProcess,
  pick: (m: ChildMessage) => T | undefined,
  timeoutMs: number,
  what: string,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onMessage = (raw: unknown): void => {
      if (!isChildMessage(raw)) return;
      if (raw.type === 'failed') return finish(() => reject(new Error(`server child failed: ${raw.message}`)));
      const picked = pick(raw);
      if (picked !== undefined) finish(() => resolve(picked));
    };
    const onExit = (code: number | null): void =>
      finish(() => reject(new Error(`server child exited (${code}) while waiting for ${what}`)));
    const timer = setTimeout(
      () => finish(() => reject(new Error(`server child: no ${what} within ${timeoutMs} ms`))),
      timeoutMs,
    );
    function finish(settle: () => void): void {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      settle();
    }
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

/** Forks the server child (`entry`: another child speaking the same IPC, e.g. the modern section's) and resolves once it listens. */
export async function launchServer(kind: ServerKind, entry: string = ENTRY): Promise<ServerChild> {
  const child = fork(entry, [kind], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ready = await waitFor(child, (m) => (m.type === 'ready' ? m : undefined), READY_TIMEOUT_MS, 'ready').catch(
    (error: unknown) => {
      child.kill('SIGKILL');
      throw error;
    },
  );
  let nextId = 0;
  return {
    url: ready.url,
    kind: ready.kind,
    pid: child.pid ?? -1,
    stats() {
      const id = ++nextId;
      const answer = waitFor(
        child,
        (m) => (m.type === 'stats' && m.id === id ? m.stats : undefined),
        STATS_TIMEOUT_MS,
        'stats',
      );
      child.send({ type: 'stats', id });
      return answer;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.send({ type: 'stop' });
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}
