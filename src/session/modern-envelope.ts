/**
 * The `_meta` envelope of the 2026-07-28 era (spec basic/index "_meta", SEP-2575): every request carries its
 * protocol version and the client's capabilities (MUST) and identity (SHOULD); with no `logging/setLevel`
 * the log level travels here too. Built once per handshake and merged into each request's `params`.
 */
import type { ClientCapabilities, Implementation, LoggingLevel } from '@modelcontextprotocol/client';
import type { JsonRpcId } from '../transport/json-rpc';
import { META_KEYS } from './era';

/**
 * Builds the frozen envelope of one negotiated version.
 *
 * @example
 * ```ts
 * const envelope = buildEnvelope({ protocolVersion: '2026-07-28', capabilities: {}, clientInfo: { name: 'x', version: '1' } });
 * ```
 */
export function buildEnvelope(input: {
  protocolVersion: string;
  capabilities: ClientCapabilities;
  clientInfo: Implementation;
  logLevel?: LoggingLevel | undefined;
}): Readonly<Record<string, unknown>> {
  const envelope: Record<string, unknown> = {
    [META_KEYS.protocolVersion]: input.protocolVersion,
    [META_KEYS.clientCapabilities]: input.capabilities,
    [META_KEYS.clientInfo]: input.clientInfo,
  };
  if (input.logLevel !== undefined) envelope[META_KEYS.logLevel] = input.logLevel;
  return Object.freeze(envelope);
}

/**
 * `params` with the envelope and/or a progress token merged into its `_meta`: a copy, `params` untouched;
 * `params` itself when there is nothing to merge. The caller's own `_meta` keys (e.g. `traceparent`) are kept.
 *
 * @example
 * ```ts
 * const sent = frameParams({ name: 'echo' }, envelope, undefined);
 * ```
 */
export function frameParams(
  params: Record<string, unknown> | undefined,
  envelope: Readonly<Record<string, unknown>> | undefined,
  progressToken: JsonRpcId | undefined,
): Record<string, unknown> | undefined {
  if (envelope === undefined && progressToken === undefined) return params;
  const given = params?._meta as Record<string, unknown> | undefined;
  const meta = given === undefined && progressToken === undefined ? envelope : { ...given, ...envelope, ...(progressToken === undefined ? {} : { progressToken }) };
  return { ...params, _meta: meta };
}
