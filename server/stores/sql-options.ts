import { EVENT_CODEC_DEFAULTS } from './event-codec';

/**
 * Tuning shared by the pglite and postgres stores.
 *
 * @example
 * ```ts
 * const options: SqlStoreOptions = { maxRequestsPerSession: 200 };
 * ```
 */
export interface SqlStoreOptions {
  /** Request records kept per session, oldest dropped (as the memory store). @default 1_000 */
  maxRequestsPerSession?: number;
  /** Stored events larger than this are deflated. @default 4_096 */
  compressAboveBytes?: number;
  /** Clock for event timestamps and replay TTL; a seam for tests. @default Date.now */
  now?: () => number;
}

/**
 * @example
 * ```ts
 * const options = { ...SQL_STORE_DEFAULTS, maxRequestsPerSession: 200 };
 * ```
 */
export const SQL_STORE_DEFAULTS = {
  maxRequestsPerSession: 1_000,
  compressAboveBytes: EVENT_CODEC_DEFAULTS.compressAboveBytes,
  now: Date.now,
} as const satisfies Required<SqlStoreOptions>;

/**
 * Fills in defaults and validates.
 *
 * @example
 * ```ts
 * resolveSqlStoreOptions({ maxRequestsPerSession: 50 }).compressAboveBytes; // 4096
 * ```
 */
export function resolveSqlStoreOptions(options: SqlStoreOptions = {}): Required<SqlStoreOptions> {
  const resolved: Required<SqlStoreOptions> = {
    maxRequestsPerSession: options.maxRequestsPerSession ?? SQL_STORE_DEFAULTS.maxRequestsPerSession,
    compressAboveBytes: options.compressAboveBytes ?? SQL_STORE_DEFAULTS.compressAboveBytes,
    now: options.now ?? SQL_STORE_DEFAULTS.now,
  };
  if (!Number.isInteger(resolved.maxRequestsPerSession) || resolved.maxRequestsPerSession <= 0) {
    throw new TypeError(
      `Expected \`maxRequestsPerSession\` to be a positive integer, got ${String(resolved.maxRequestsPerSession)}`,
    );
  }
  if (!Number.isInteger(resolved.compressAboveBytes) || resolved.compressAboveBytes < 0) {
    throw new TypeError(
      `Expected \`compressAboveBytes\` to be a non-negative integer, got ${String(resolved.compressAboveBytes)}`,
    );
  }
  return resolved;
}
