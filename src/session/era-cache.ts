/**
 * Era verdicts, cached per endpoint for the whole process (spec 2026-07-28 basic/versioning: "The era
 * determination is a property of the server ... Clients SHOULD cache the result ... re-probing if the cached
 * assumption later fails"). Shared by every client of the process, so a second client of the same server
 * skips the probe. Keyed by origin AND path: one origin can host a legacy and a modern endpoint.
 *
 * A legacy verdict succeeds silently against a server that was upgraded meanwhile, so it is trusted for
 * {@link LEGACY_VERDICT_MAX_AGE_MS} only and never through a recovery (a restart is when upgrades happen).
 * A stale modern verdict fails loudly (a legacy server refuses the modern request) and is re-probed then.
 */
import type { ProtocolEra } from './era';

/**
 * What a probe found out about one endpoint.
 *
 * @example
 * ```ts
 * const verdict: EraVerdict = { era: 'modern', protocolVersion: '2026-07-28', at: Date.now() };
 * ```
 */
export interface EraVerdict {
  readonly era: ProtocolEra;
  /** The version that worked: the negotiated one for legacy, the accepted one for modern. */
  readonly protocolVersion: string;
  /** When the verdict was reached, in ms since the epoch. */
  readonly at: number;
}

/** How long a legacy verdict skips the modern probe. */
export const LEGACY_VERDICT_MAX_AGE_MS = 60 * 60_000;

/** Bound on remembered endpoints (a process that talks to many servers keeps the most recent ones). */
const MAX_ENDPOINTS = 256;

const verdicts = new Map<string, EraVerdict>();

function keyOf(url: URL): string {
  return url.origin + url.pathname;
}

/**
 * The verdict for `url`, if one is cached.
 *
 * @example
 * ```ts
 * const era = cachedEraVerdict(new URL(url))?.era;
 * ```
 */
export function cachedEraVerdict(url: URL): EraVerdict | undefined {
  return verdicts.get(keyOf(url));
}

/**
 * Remembers a verdict (the newest wins).
 *
 * @example
 * ```ts
 * rememberEraVerdict(new URL(url), { era: 'legacy', protocolVersion: '2025-11-25', at: Date.now() });
 * ```
 */
export function rememberEraVerdict(url: URL, verdict: EraVerdict): void {
  const key = keyOf(url);
  verdicts.delete(key);
  verdicts.set(key, verdict);
  if (verdicts.size > MAX_ENDPOINTS) {
    const oldest = verdicts.keys().next().value;
    if (oldest !== undefined) verdicts.delete(oldest);
  }
}

/**
 * Forgets every verdict (tests; a process that knows its servers changed).
 *
 * @example
 * ```ts
 * clearEraVerdicts();
 * ```
 */
export function clearEraVerdicts(): void {
  verdicts.clear();
}
