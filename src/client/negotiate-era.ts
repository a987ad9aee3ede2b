/**
 * The handshake with era negotiation (spec 2026-07-28 basic/versioning "Backward Compatibility", issue 8
 * item 1). With `era: 'auto'` the first request is modern (`server/discover`, which also yields the server's
 * capabilities); a legacy answer falls back to `initialize`; the verdict is cached per endpoint for the
 * process (`session/era-cache.ts`) so later connects skip the probe. Pinned eras never fall back: a server of
 * the other era is a typed `ProtocolError('era_mismatch')`. Outages, 401/403 and 5xx are never verdicts: they
 * propagate to the retry policy like any other failure.
 */
import { ProtocolError, describeFailure, redactUrl } from '../errors';
import { type EraPreference, MODERN_PROTOCOL_VERSIONS, type ProtocolEra } from '../session/era';
import { LEGACY_VERDICT_MAX_AGE_MS, cachedEraVerdict, rememberEraVerdict } from '../session/era-cache';
import { decideAfterProbe, isModernEvidence, mutualModernVersion, supportedVersionsOf } from '../session/era-negotiation';
import type { ServerIdentity } from '../session/handshake';
import type { McpSession } from '../session/mcp-session';

/**
 * What the negotiation needs to know.
 *
 * @example
 * ```ts
 * await negotiateEra(session, { url, preference: 'auto', legacyVersion: '2025-11-25', timeoutMs: 10_000, now: Date.now, recovering: false });
 * ```
 */
export interface NegotiationOptions {
  readonly url: URL;
  readonly preference: EraPreference;
  /** The version offered in `initialize`. */
  readonly legacyVersion: string;
  readonly timeoutMs: number;
  readonly now: () => number;
  /** A recovery re-probes a cached legacy verdict: a restart is when a server gets upgraded. */
  readonly recovering: boolean;
}

/** Handshakes of one negotiation at most: probe, version retry, retry, fallback, one switch back. */
const MAX_STEPS = 5;

function firstEra(options: NegotiationOptions): { era: ProtocolEra; version: string } {
  const modern = { era: 'modern' as const, version: MODERN_PROTOCOL_VERSIONS[0] as string };
  if (options.preference === 'legacy') return { era: 'legacy', version: options.legacyVersion };
  if (options.preference === 'modern') return modern;
  const cached = cachedEraVerdict(options.url);
  if (cached?.era === 'modern') return { era: 'modern', version: cached.protocolVersion };
  const fresh = cached !== undefined && !options.recovering && options.now() - cached.at < LEGACY_VERDICT_MAX_AGE_MS;
  return fresh ? { era: 'legacy', version: options.legacyVersion } : modern;
}

/** Era verdicts name the URL and what the server answered (issue 10: every message says where and why). */
function mismatch(pinned: ProtocolEra, url: URL, cause: unknown): ProtocolError {
  const other = pinned === 'modern' ? 'legacy (2025-11-25 or earlier)' : 'modern (2026-07-28)';
  return new ProtocolError(
    `The server at ${redactUrl(url)} speaks only the ${other} protocol era, but the client was pinned with era: '${pinned}' ` +
      `(the server answered: ${describeFailure(cause)})`,
    { reason: 'era_mismatch', cause },
  );
}

/**
 * Runs the handshake of the era the preference and the cache suggest, switching era on evidence. Resolves
 * with the server's identity; rejects with the last handshake's error (typed) when no era works.
 *
 * @example
 * ```ts
 * const identity = await negotiateEra(session, options);
 * console.log(session.era, identity.protocolVersion);
 * ```
 */
export async function negotiateEra(session: McpSession, options: NegotiationOptions): Promise<ServerIdentity> {
  let { era, version } = firstEra(options);
  let probes = 0;
  let lastError: unknown;
  for (let step = 0; step < MAX_STEPS; step++) {
    if (era === 'modern') {
      probes++;
      try {
        const identity = await session.discover({ timeoutMs: options.timeoutMs, protocolVersion: version });
        if (options.preference === 'auto') rememberEraVerdict(options.url, { era: 'modern', protocolVersion: version, at: options.now() });
        return identity;
      } catch (error) {
        lastError = error;
        const decision = decideAfterProbe(error, probes);
        if (decision.kind === 'fail') throw decision.error;
        if (decision.kind === 'retry') {
          version = decision.protocolVersion;
          continue;
        }
        if (options.preference === 'modern') throw mismatch('modern', options.url, error);
        era = 'legacy';
        version = options.legacyVersion;
        continue;
      }
    }
    try {
      const identity = await session.initialize({ timeoutMs: options.timeoutMs, protocolVersion: version });
      if (options.preference === 'auto') rememberEraVerdict(options.url, { era: 'legacy', protocolVersion: identity.protocolVersion, at: options.now() });
      return identity;
    } catch (error) {
      // A modern-only server refuses initialize with a modern error: the cached legacy verdict is stale.
      if (!isModernEvidence(error)) throw error;
      if (options.preference === 'legacy') throw mismatch('legacy', options.url, error);
      lastError = error;
      era = 'modern';
      version = mutualModernVersion(supportedVersionsOf(error)) ?? (MODERN_PROTOCOL_VERSIONS[0] as string);
    }
  }
  throw new ProtocolError(
    `The protocol era could not be negotiated with ${redactUrl(options.url)}: the server kept refusing both eras ` +
      `(last answer: ${describeFailure(lastError)})`,
    { reason: 'era_mismatch', cause: lastError },
  );
}
