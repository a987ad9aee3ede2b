/**
 * Parent side of one server the server bench measures: spawns it with the probe preloaded and an IPC
 * channel, waits for its `listening on <url>` line (the time to that line is its ready time), asks the
 * probe for CPU and memory, stops it. The server itself is a black box reached over HTTP, so the bench
 * keeps measuring whatever `archon-mcp serve` becomes. Every wait has a deadline.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { isProbeReply, type ProbeReply, type ProbeRequest } from './probe-protocol';

const PROBE_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 8_000;
const STDERR_KEEP_CHARS = 4_000;
const LISTENING = /listening on (http:\/\/\S+)/;

/** A server running in a child process. */
export interface ServerChild {
  readonly label: string;
  readonly url: string;
  readonly pid: number;
  /** Spawn to the `listening on` line, ms. */
  readonly readyMs: number;
  probe(options?: { gc?: boolean; heapSnapshotPath?: string }): Promise<ProbeReply>;
  stop(): Promise<void>;
}

/** How to start one server. */
export interface ServerLaunch {
  readonly label: string;
  /** Node arguments after the preloads: a script and its arguments. */
  readonly args: readonly string[];
  /** Absolute path of the built probe (`child-probe.js`). */
  readonly probePath: string;
  readonly readyTimeoutMs: number;
  readonly cwd?: string;
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** Starts `launch` and resolves once it listens; rejects (and kills it) on exit or timeout. */
export async function startServerChild(launch: ServerLaunch): Promise<ServerChild> {
  const startedAt = performance.now();
  const child = spawn(process.execPath, ['--expose-gc', '--import', launch.probePath, ...launch.args], {
    cwd: launch.cwd,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-STDERR_KEEP_CHARS);
  });
  let stdout = '';
  const url = await new Promise<string>((resolve, reject) => {
    const fail = (why: string): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${launch.label}: ${why}; stderr: ${stderr.trim() || '(empty)'}`));
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void => fail(`exited (${code ?? signal}) before listening`);
    const timer = setTimeout(() => fail(`not listening within ${launch.readyTimeoutMs} ms`), launch.readyTimeoutMs);
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout = (stdout + chunk.toString()).slice(-STDERR_KEEP_CHARS);
      const match = LISTENING.exec(stdout);
      if (match?.[1] === undefined) return;
      clearTimeout(timer);
      child.off('exit', onExit);
      resolve(match[1]);
    });
    child.once('exit', onExit);
  });
  const readyMs = performance.now() - startedAt;
  // Keep draining its output so a chatty server never blocks on a full pipe.
  child.stdout?.resume();

  let nextId = 0;
  return {
    label: launch.label,
    url,
    pid: child.pid ?? -1,
    readyMs,
    probe(options = {}) {
      const request: ProbeRequest = { type: 'probe', id: ++nextId, gc: options.gc ?? false, ...(options.heapSnapshotPath !== undefined && { heapSnapshotPath: options.heapSnapshotPath }) };
      return new Promise<ProbeReply>((resolve, reject) => {
        const timer = setTimeout(() => finish(() => reject(new Error(`${launch.label}: no probe reply in ${PROBE_TIMEOUT_MS} ms`))), PROBE_TIMEOUT_MS);
        const onMessage = (message: unknown): void => {
          if (isProbeReply(message) && message.id === request.id) finish(() => resolve(message));
        };
        const onExit = (): void => finish(() => reject(new Error(`${launch.label}: exited during a probe; stderr: ${stderr}`)));
        function finish(settle: () => void): void {
          clearTimeout(timer);
          child.off('message', onMessage);
          child.off('exit', onExit);
          settle();
        }
        child.on('message', onMessage);
        child.once('exit', onExit);
        child.send(request);
      });
    },
    async stop() {
      child.kill('SIGTERM');
      if (!(await waitForExit(child, STOP_TIMEOUT_MS))) {
        child.kill('SIGKILL');
        await waitForExit(child, STOP_TIMEOUT_MS);
      }
    },
  };
}
