/**
 * The IPC messages between the bench process and its server child. The server runs in a child process so its
 * CPU never counts as client CPU (`process.cpuUsage()` is per process); IPC keeps the stats channel off the
 * HTTP path being measured.
 */

/** Which server the child runs: the project's reference server, or the SDK-only stand-in used before it existed. */
export type ServerKind = 'reference' | 'sdk';

/** Parent -> child. */
export type ParentMessage = { readonly type: 'stats'; readonly id: number } | { readonly type: 'stop' };

/** Server-side view at one instant. */
export interface ServerStats {
  /** Remote (= client-side local) ports of accepted TCP connections not yet closed. */
  readonly openRemotePorts: readonly number[];
  /** Server process CPU since start, microseconds (user + system). */
  readonly cpuMicros: number;
}

/** Child -> parent. */
export type ChildMessage =
  | { readonly type: 'ready'; readonly url: string; readonly kind: ServerKind }
  | { readonly type: 'stats'; readonly id: number; readonly stats: ServerStats }
  | { readonly type: 'failed'; readonly message: string };

/** Narrows an IPC payload (typed `unknown` by Node) to a message from the parent. */
export function isParentMessage(value: unknown): value is ParentMessage {
  return (
    typeof value === 'object' && value !== null && 'type' in value && (value.type === 'stats' || value.type === 'stop')
  );
}

/** Narrows an IPC payload to a message from the child. */
export function isChildMessage(value: unknown): value is ChildMessage {
  return (
    typeof value === 'object' &&
    value !== null &&
    'type' in value &&
    (value.type === 'ready' || value.type === 'stats' || value.type === 'failed')
  );
}
