/**
 * What a server says about itself, read from either era's handshake: the legacy `initialize` result (spec
 * 2025-11-25 "Lifecycle") or the modern `server/discover` result (spec 2026-07-28 server/discover). Both
 * land in one shape so MCPClient's `serverInfo`/`serverCapabilities`/`instructions` getters do not care which.
 */
import type { Implementation, ServerCapabilities } from '@modelcontextprotocol/client';
import { ProtocolError } from '../errors';
import { META_KEYS } from './era';
import { isDiscoverResult } from './era-negotiation';

/**
 * The server's identity and capabilities, whichever era they came from.
 *
 * @example
 * ```ts
 * const identity: ServerIdentity = { protocolVersion: '2026-07-28', capabilities: { tools: {} } };
 * ```
 */
export interface ServerIdentity {
  readonly protocolVersion: string;
  readonly capabilities: ServerCapabilities;
  readonly serverInfo?: Implementation;
  readonly instructions?: string;
  /** The versions a modern server listed in `server/discover`. */
  readonly supportedVersions?: readonly string[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function implementationOf(value: unknown): Implementation | undefined {
  return isRecord(value) && typeof value.name === 'string' && typeof value.version === 'string' ? (value as unknown as Implementation) : undefined;
}

/**
 * Reads an `initialize` result; throws `ProtocolError('invalid_message')` when it lacks the required fields.
 *
 * @example
 * ```ts
 * const identity = readInitializeResult(result);
 * ```
 */
export function readInitializeResult(result: Record<string, unknown>): ServerIdentity {
  const version = result.protocolVersion;
  const serverInfo = implementationOf(result.serverInfo);
  if (typeof version !== 'string' || serverInfo === undefined) {
    throw new ProtocolError('The initialize result lacks protocolVersion or serverInfo', { reason: 'invalid_message', cause: result });
  }
  return {
    protocolVersion: version,
    serverInfo,
    capabilities: isRecord(result.capabilities) ? (result.capabilities as ServerCapabilities) : {},
    ...(typeof result.instructions === 'string' ? { instructions: result.instructions } : {}),
  };
}

/**
 * Reads a `server/discover` result; throws `ProtocolError('invalid_message')` when it is no DiscoverResult
 * (an empty or foreign 2xx answer is not a modern server). `serverInfo` is read from the result's `_meta`
 * (spec PR #3002), or from the body where pre-GA servers put it.
 *
 * @example
 * ```ts
 * const identity = readDiscoverResult(result, '2026-07-28');
 * ```
 */
export function readDiscoverResult(result: Record<string, unknown>, requestedVersion: string): ServerIdentity {
  if (!isDiscoverResult(result)) {
    throw new ProtocolError('The server/discover result has no supportedVersions', { reason: 'invalid_message', cause: result });
  }
  const meta = isRecord(result._meta) ? result._meta : {};
  const serverInfo = implementationOf(meta[META_KEYS.serverInfo]) ?? implementationOf(result.serverInfo);
  return {
    protocolVersion: requestedVersion,
    supportedVersions: (result.supportedVersions as string[]).slice(0, 64),
    capabilities: isRecord(result.capabilities) ? (result.capabilities as ServerCapabilities) : {},
    ...(serverInfo === undefined ? {} : { serverInfo }),
    ...(typeof result.instructions === 'string' ? { instructions: result.instructions } : {}),
  };
}
