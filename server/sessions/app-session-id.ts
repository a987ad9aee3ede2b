import { randomUUID } from 'node:crypto';
import type { SessionStore } from '../stores/types';

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
export function readAppSessionIdHeader(value: string | string[] | undefined, headerName: string): AppSessionIdHeader {
  if (value === undefined) return { ok: true, value: undefined };
  if (typeof value === 'string' && APP_SESSION_ID_PATTERN.test(value)) return { ok: true, value };
  return { ok: false, message: `Invalid ${headerName} header: expected 8-128 characters of [A-Za-z0-9_-]` };
}

/**
 * Decides the app session id of a new protocol session. A well-formed id the store does not know
 * is accepted as is (clients choose their own ids, and after a memory-store restart the server has
 * simply forgotten them). A known id is kept when it is still valid for this principal, so a
 * re-initializing client stays on its application session; an expired id, or one bound to another
 * principal, is replaced by a fresh crypto-random one.
 *
 * @example
 * ```ts
 * const appSessionId = await resolveAppSessionId(store, requested, principalHash, Date.now());
 * ```
 */
export async function resolveAppSessionId(
  store: SessionStore,
  requested: string | undefined,
  principalHash: string | null,
  now: number,
): Promise<string> {
  if (requested === undefined) return randomUUID();
  const known = await store.getByAppSessionId(requested);
  if (known === undefined) return requested;
  const expired = known.status === 'expired' || (known.status !== 'closed' && known.expiresAt <= now);
  if (expired || known.principalHash !== principalHash) return randomUUID();
  return requested;
}
