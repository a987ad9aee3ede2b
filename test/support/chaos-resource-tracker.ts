/**
 * Proves "no timers or sockets left" after `close()`. `process.getActiveResourcesInfo()` cannot: it
 * omits unref'd timers, and the test process also holds the proxy's and the harness's sockets. So an
 * async hook records every Timeout and TCP handle created while tracking is on, keeps only those whose
 * creation stack passes through one of `ownerPaths` (the client's sources and its HTTP stack), and
 * reports the ones not yet destroyed.
 */
import { createHook } from 'node:async_hooks';

/** Async resource types that are timers or sockets (TCPWRAP: a socket; Timeout: setTimeout/setInterval). */
const TRACKED_TYPES = new Set(['Timeout', 'TCPWRAP', 'Immediate']);

export interface LiveResource {
  readonly type: string;
  /** The first stack frame inside an owner path: where the resource was created. */
  readonly createdAt: string;
}

export interface ResourceTracker {
  /** Resources created by owner code since `trackResources()` and not destroyed yet. */
  live(): LiveResource[];
  stop(): void;
}

/**
 * Only the synchronous frames count: V8 appends `at async` frames of awaiting callers, and a test's
 * own polling timer would otherwise be charged to whatever test code awaits it.
 */
function ownerFrame(stack: string, ownerPaths: readonly string[]): string | undefined {
  const frames = stack.split('\n').map((frame) => frame.trim());
  const firstAsync = frames.findIndex((frame) => frame.startsWith('at async '));
  const synchronous = firstAsync === -1 ? frames : frames.slice(0, firstAsync);
  return synchronous.find((frame) => ownerPaths.some((path) => frame.includes(path)));
}

/**
 * Starts recording. Stacks are captured for every tracked resource, which is slow: track one scenario,
 * not a soak.
 *
 * @example
 * ```ts
 * const tracker = trackResources(['/src/', '/node_modules/undici/']);
 * await client.close();
 * expect(tracker.live()).toEqual([]);
 * ```
 */
export function trackResources(ownerPaths: readonly string[]): ResourceTracker {
  const live = new Map<number, LiveResource>();
  const hook = createHook({
    init(asyncId, type) {
      if (!TRACKED_TYPES.has(type)) return;
      const holder: { stack?: string } = {};
      const previousLimit = Error.stackTraceLimit;
      Error.stackTraceLimit = 40;
      Error.captureStackTrace(holder);
      Error.stackTraceLimit = previousLimit;
      const frame = ownerFrame(holder.stack ?? '', ownerPaths);
      if (frame !== undefined) live.set(asyncId, { type, createdAt: frame });
    },
    destroy(asyncId) {
      live.delete(asyncId);
    },
  });
  hook.enable();
  return {
    live: () => [...live.values()],
    stop: () => hook.disable(),
  };
}
