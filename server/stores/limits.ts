import type { EventStoreLimits } from './types';

/**
 * Event store limits every backend applies unless told otherwise. 5 minutes covers a client's
 * reconnect budget many times over; 1,000 events per stream mirrors mcp-proxy's FIFO (server-anchors.md).
 *
 * @example
 * ```ts
 * const limits = { ...EVENT_STORE_LIMIT_DEFAULTS, ttlMs: 60_000 };
 * ```
 */
export const EVENT_STORE_LIMIT_DEFAULTS = {
  ttlMs: 300_000,
  maxEventsPerStream: 1_000,
} as const satisfies Required<EventStoreLimits>;

/**
 * Fills in defaults and validates event store limits.
 *
 * @example
 * ```ts
 * resolveEventStoreLimits({ maxEventsPerStream: 50 }); // { ttlMs: 300_000, maxEventsPerStream: 50 }
 * ```
 */
export function resolveEventStoreLimits(limits: Partial<EventStoreLimits> = {}): EventStoreLimits {
  const resolved: EventStoreLimits = {
    ttlMs: limits.ttlMs ?? EVENT_STORE_LIMIT_DEFAULTS.ttlMs,
    maxEventsPerStream: limits.maxEventsPerStream ?? EVENT_STORE_LIMIT_DEFAULTS.maxEventsPerStream,
  };
  for (const [name, value] of Object.entries(resolved)) {
    if (!Number.isInteger(value) || value <= 0) {
      throw new TypeError(`Expected \`${name}\` to be a positive integer, got ${String(value)}`);
    }
  }
  return resolved;
}
