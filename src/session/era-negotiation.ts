/**
 * The era decision of one probe, as a pure table (spec 2026-07-28 basic/versioning "Backward Compatibility"
 * and basic/transports/streamable-http "Backward Compatibility"): the client sends a modern request
 * (`server/discover`) and reads the answer. The field bugs this table avoids (notes/mcp-2026-07-28.md):
 * falling back only on -32601, taking an empty 2xx for modern, taking 401/403 for era evidence, taking a
 * timeout for a legacy verdict.
 */
import { HttpError, ProtocolError, RpcError, SessionExpiredError } from '../errors/tree';
import { MODERN_ERROR_CODES, MODERN_PROTOCOL_VERSIONS, isModernErrorCode, isModernVersion } from './era';

/**
 * What the client does after a probe:
 * - `modern`: the server answered `server/discover`; stay modern.
 * - `retry`: a modern server refused the version (-32022) and lists one we speak: probe again with it.
 * - `legacy`: no modern server answered (400/404/405 without a modern error, a non-modern JSON-RPC error, a
 *   2xx that is no DiscoverResult, or -32022 listing only legacy versions): fall back to `initialize`.
 * - `fail`: not era evidence (401/403, 5xx, 429, refused, timeout) or a modern refusal the client cannot fix
 *   (-32020/-32021, no common version): the error propagates to the retry policy, which treats an outage as
 *   an outage.
 *
 * @example
 * ```ts
 * const decision: ProbeDecision = { kind: 'retry', protocolVersion: '2026-07-28' };
 * ```
 */
export type ProbeDecision =
  | { readonly kind: 'modern' }
  | { readonly kind: 'retry'; readonly protocolVersion: string }
  | { readonly kind: 'legacy' }
  | { readonly kind: 'fail'; readonly error: unknown };

/**
 * The versions a -32022 error lists in `data.supported`.
 *
 * @example
 * ```ts
 * supportedVersionsOf(error); // ['2026-07-28']
 * ```
 */
export function supportedVersionsOf(error: RpcError): string[] {
  const supported = (error.data as { supported?: unknown } | undefined)?.supported;
  return Array.isArray(supported) ? supported.filter((version): version is string => typeof version === 'string').slice(0, 64) : [];
}

/**
 * The modern version to use with a server that lists `supported`: ours, preferred first.
 *
 * @example
 * ```ts
 * mutualModernVersion(['2025-11-25', '2026-07-28']); // '2026-07-28'
 * ```
 */
export function mutualModernVersion(supported: readonly string[]): string | undefined {
  return MODERN_PROTOCOL_VERSIONS.find((version) => supported.includes(version));
}

/** True when an error proves a modern server (a recognised modern JSON-RPC error). */
export function isModernEvidence(error: unknown): error is RpcError {
  return error instanceof RpcError && isModernErrorCode(error.rpcCode);
}

/**
 * A result is a DiscoverResult only with a `supportedVersions` array (an empty 2xx is not modern, TS SDK #2620).
 *
 * @example
 * ```ts
 * isDiscoverResult({ supportedVersions: ['2026-07-28'], capabilities: {} }); // true
 * ```
 */
export function isDiscoverResult(result: Record<string, unknown>): boolean {
  return Array.isArray(result.supportedVersions) && result.supportedVersions.every((version) => typeof version === 'string');
}

/**
 * Decides what a failed `server/discover` probe means. `attempts` counts the probes already sent in this
 * negotiation: a server that keeps refusing a version it also lists is not retried forever.
 *
 * | probe answer | decision |
 * |---|---|
 * | -32022 listing a modern version we speak (fewer than 3 probes so far) | `retry` with it |
 * | -32022 listing only legacy versions | `legacy` |
 * | -32022 listing nothing we speak; -32020; -32021 | `fail` (a modern server refused us) |
 * | 400/404/405 without a modern error (`SessionExpiredError` era_changed / not_initialized) | `legacy` |
 * | other JSON-RPC error (e.g. 200 + -32601, 400 + -32600) | `legacy` |
 * | 2xx that is not JSON / not a JSON-RPC answer | `legacy` |
 * | 401, 403, 429, 5xx, refused, reset, timeout, abort, anything else | `fail` (not era evidence) |
 * | `AuthRequiredError`; any answer of the authorization server | `fail` (auth is never era evidence) |
 *
 * @example
 * ```ts
 * decideAfterProbe(createErrorFromFailure({ kind: 'http', status: 405, era: 'modern' }), 1); // { kind: 'legacy' }
 * ```
 */
export function decideAfterProbe(error: unknown, attempts: number): ProbeDecision {
  if (error instanceof RpcError) {
    if (error.rpcCode === MODERN_ERROR_CODES.unsupportedProtocolVersion) {
      const supported = supportedVersionsOf(error);
      const version = mutualModernVersion(supported);
      if (version !== undefined) return attempts < 3 ? { kind: 'retry', protocolVersion: version } : { kind: 'fail', error };
      return supported.some((entry) => !isModernVersion(entry)) ? { kind: 'legacy' } : { kind: 'fail', error };
    }
    return isModernErrorCode(error.rpcCode) ? { kind: 'fail', error } : { kind: 'legacy' };
  }
  if (error instanceof SessionExpiredError) return { kind: 'legacy' };
  if (error instanceof HttpError) {
    // Only the MCP server's own answer says anything about its era; the authorization server's never does.
    const fromServer = error.source === 'server';
    return fromServer && (error.status === 400 || error.status === 404 || error.status === 405) ? { kind: 'legacy' } : { kind: 'fail', error };
  }
  if (error instanceof ProtocolError) {
    const notAnAnswer = error.reason === 'invalid_json' || error.reason === 'invalid_message' || error.reason === 'invalid_content_type';
    return notAnAnswer ? { kind: 'legacy' } : { kind: 'fail', error };
  }
  // ConnectionError, TimeoutError, AbortError, ClosedError and anything else: an outage or a bug, never a verdict.
  return { kind: 'fail', error };
}
