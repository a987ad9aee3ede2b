/**
 * Accepted application session ids: 8-128 URL-safe characters, which covers UUIDs and nanoids
 * while keeping header injection and log pollution out.
 *
 * @example
 * ```ts
 * APP_SESSION_ID_PATTERN.test(crypto.randomUUID()); // true
 * ```
 */
export const APP_SESSION_ID_PATTERN = /^[A-Za-z0-9_-]{8,128}$/;

/** Outcome of reading the app session id header of one request. */
export type AppSessionIdHeader = { ok: true; value: string | undefined } | { ok: false; message: string };

/**
 * Reads and validates the app session id header (`X-Archon-Session-Id` by default).
 *
 * @example
 * ```ts
 * readAppSessionIdHeader('not valid!', 'X-Archon-Session-Id');
 * // { ok: false, message: 'Invalid X-Archon-Session-Id header: expected 8-128 characters of [A-Za-z0-9_-]' }
 * ```
 */
export function readAppSessionIdHeader(value: string | null, headerName: string): AppSessionIdHeader {
  if (value === null) return { ok: true, value: undefined };
  if (APP_SESSION_ID_PATTERN.test(value)) return { ok: true, value };
  return { ok: false, message: `Invalid ${headerName} header: expected 8-128 characters of [A-Za-z0-9_-]` };
}
