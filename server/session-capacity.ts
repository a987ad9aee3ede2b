/**
 * How many live sessions this process can hold: the default `maxSessions` is 10,000, or fewer when half the V8 heap
 * limit cannot hold that many sessions at their live cost (issue 12: a session cost 131 KB of heap before idle
 * session servers were released; an idle one costs ~10 KB now, but a burst of active ones has its server pair built).
 */
import { getHeapStatistics } from 'node:v8';

/** The heap one session may take while it is active (its McpServer and transport built). */
export const LIVE_SESSION_HEAP_BYTES = 128 * 1024;

/**
 * Sessions that fit in half of `heapLimitBytes` at {@link LIVE_SESSION_HEAP_BYTES} each (at least 1): 16,384 on a
 * 4 GiB heap limit, 2,048 on a 512 MiB one.
 *
 * @example
 * ```ts
 * const maxSessions = Math.min(10_000, sessionsTheHeapHolds());
 * ```
 */
export function sessionsTheHeapHolds(heapLimitBytes: number = getHeapStatistics().heap_size_limit): number {
  return Math.max(1, Math.floor(heapLimitBytes / 2 / LIVE_SESSION_HEAP_BYTES));
}
