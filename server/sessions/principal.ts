import { createHash, timingSafeEqual } from 'node:crypto';

/** Who is calling: the sha256 of their bearer token, or null when the server has no auth. */
export type PrincipalCheck = { ok: true; principalHash: string | null } | { ok: false; message: string };

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/**
 * Checks the `Authorization: Bearer` header against the configured tokens. Sessions are bound to
 * the hash, never the token, so a store dump leaks no credentials.
 *
 * @example
 * ```ts
 * const authenticate = createAuthenticator(['secret']);
 * authenticate('Bearer secret'); // { ok: true, principalHash: '2bb80d5...' }
 * ```
 */
export function createAuthenticator(tokens: readonly string[]): (authorization: string | undefined) => PrincipalCheck {
  const hashes = tokens.map(sha256);
  return (authorization) => {
    if (hashes.length === 0) return { ok: true, principalHash: null };
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (match?.[1] === undefined) return { ok: false, message: 'Missing bearer token' };
    const presented = sha256(match[1]);
    // Compare hashes in constant time so the token cannot be guessed byte by byte.
    const known = hashes.find((hash) => timingSafeEqual(hash, presented));
    return known ? { ok: true, principalHash: known.toString('hex') } : { ok: false, message: 'Invalid bearer token' };
  };
}
