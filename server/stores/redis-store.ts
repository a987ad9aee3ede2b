import { loadDriver } from './load-driver';
import { EVENT_CODEC_DEFAULTS } from './event-codec';
import { resolveEventStoreLimits } from './limits';
import { RedisEventStore } from './redis-event-store';
import { RedisEventBus } from './redis-bus';
import { RedisKeys } from './redis-keys';
import type { StoreEventBus } from './store-bus';
import { RedisSessionStore } from './redis-session-store';
import type { EventStoreLimits, SessionEventStore, SessionStore } from './types';

/**
 * Tuning of the Redis backend.
 *
 * @example
 * ```ts
 * const options: RedisStoreOptions = { keyPrefix: 'staging:mcp:' };
 * ```
 */
export interface RedisStoreOptions {
  /** Prefix of every key, so deployments or test suites can share one Redis. @default 'mcp:' */
  keyPrefix?: string;
  /** Request records kept per session (a capped list). @default 1_000 */
  maxRequestsPerSession?: number;
  /** Stored events larger than this are deflated. @default 4_096 */
  compressAboveBytes?: number;
  /** Give up connecting after this long. @default 5_000 */
  connectTimeoutMs?: number;
  /** Longest wait between reconnect attempts after Redis went away. @default 1_000 */
  maxReconnectDelayMs?: number;
  /** Clock for event timestamps and replay TTL; a seam for tests. @default Date.now */
  now?: () => number;
  /** Told about change events the bus could not publish or read. @default ignore */
  onBusError?: (error: Error) => void;
}

/**
 * @example
 * ```ts
 * const prefix = REDIS_STORE_DEFAULTS.keyPrefix; // 'mcp:'
 * ```
 */
export const REDIS_STORE_DEFAULTS = {
  keyPrefix: 'mcp:',
  maxRequestsPerSession: 1_000,
  compressAboveBytes: EVENT_CODEC_DEFAULTS.compressAboveBytes,
  connectTimeoutMs: 5_000,
  maxReconnectDelayMs: 1_000,
  now: Date.now,
  onBusError: () => undefined,
} as const satisfies Required<RedisStoreOptions>;

/**
 * Opens the Redis backend (node-redis v6): connects before it resolves, and keeps reconnecting
 * (capped backoff) if Redis goes away. While disconnected, commands fail at once instead of queueing
 * (`disableOfflineQueue`), so `/health` and request validation report the outage instead of hanging.
 *
 * @example
 * ```ts
 * const { sessions, events } = await createRedisStores('redis://127.0.0.1:6379', { ttlMs: 60_000 }, { keyPrefix: 'app1:' });
 * ```
 */
export async function createRedisStores(
  url: string,
  limits: Partial<EventStoreLimits> = {},
  options: RedisStoreOptions = {},
): Promise<{ sessions: SessionStore; events: SessionEventStore; bus: StoreEventBus }> {
  const resolvedLimits = resolveEventStoreLimits(limits);
  const settings = resolveRedisStoreOptions(options);
  if (!Number.isInteger(settings.maxRequestsPerSession) || settings.maxRequestsPerSession <= 0) {
    throw new TypeError(
      `Expected \`maxRequestsPerSession\` to be a positive integer, got ${String(settings.maxRequestsPerSession)}`,
    );
  }
  if (!Number.isInteger(settings.compressAboveBytes) || settings.compressAboveBytes < 0) {
    throw new TypeError(
      `Expected \`compressAboveBytes\` to be a non-negative integer, got ${String(settings.compressAboveBytes)}`,
    );
  }
  const { createClient } = await loadDriver('redis', () => import('redis'));
  const client = createClient({
    url,
    disableOfflineQueue: true,
    socket: {
      connectTimeout: settings.connectTimeoutMs,
      reconnectStrategy: (retries) => Math.min(50 * 2 ** Math.min(retries, 10), settings.maxReconnectDelayMs),
    },
  });
  // node-redis emits 'error' on every failed reconnect; unhandled it would crash the process.
  client.on('error', () => {});
  await client.connect();

  let open = 3;
  const closeShared = async () => {
    open -= 1;
    if (open === 0 && client.isOpen) await client.close();
  };
  const keys = new RedisKeys(settings.keyPrefix);
  const sessions = new RedisSessionStore(client, keys, {
    maxRequestsPerSession: settings.maxRequestsPerSession,
    close: closeShared,
  });
  const events = new RedisEventStore(client, keys, {
    limits: resolvedLimits,
    compressAboveBytes: settings.compressAboveBytes,
    now: settings.now,
    close: closeShared,
  });
  const bus = await RedisEventBus.connect(client, `${settings.keyPrefix}events`, settings.onBusError);
  const busClose = bus.close.bind(bus);
  bus.close = async () => {
    await busClose();
    await closeShared();
  };
  return { sessions, events, bus };
}

function resolveRedisStoreOptions(options: RedisStoreOptions): Required<RedisStoreOptions> {
  return {
    keyPrefix: options.keyPrefix ?? REDIS_STORE_DEFAULTS.keyPrefix,
    maxRequestsPerSession: options.maxRequestsPerSession ?? REDIS_STORE_DEFAULTS.maxRequestsPerSession,
    compressAboveBytes: options.compressAboveBytes ?? REDIS_STORE_DEFAULTS.compressAboveBytes,
    connectTimeoutMs: options.connectTimeoutMs ?? REDIS_STORE_DEFAULTS.connectTimeoutMs,
    maxReconnectDelayMs: options.maxReconnectDelayMs ?? REDIS_STORE_DEFAULTS.maxReconnectDelayMs,
    now: options.now ?? REDIS_STORE_DEFAULTS.now,
    onBusError: options.onBusError ?? REDIS_STORE_DEFAULTS.onBusError,
  };
}
