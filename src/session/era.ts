/**
 * The two protocol eras (spec 2026-07-28 basic/versioning "Terminology"): `legacy` opens with `initialize`
 * and a protocol session (2025-11-25 and earlier); `modern` sends its version, capabilities and identity
 * in every request's `_meta` and has no session (2026-07-28). Names and numbers both eras share live here.
 */

/**
 * A protocol era.
 *
 * @example
 * ```ts
 * const era: ProtocolEra = client.era ?? 'legacy';
 * ```
 */
export type ProtocolEra = 'legacy' | 'modern';

/**
 * The `era` option: negotiate (`'auto'`) or pin one era.
 *
 * @example
 * ```ts
 * const client = new MCPClient({ url, era: 'legacy' });
 * ```
 */
export type EraPreference = 'auto' | ProtocolEra;

/** Modern versions this client speaks, preferred first. */
export const MODERN_PROTOCOL_VERSIONS: readonly string[] = ['2026-07-28'];

/** The first revision without `initialize` (versions are dates, so they compare as strings). */
const FIRST_MODERN_VERSION = '2026-07-28';

/**
 * True for a version of the modern era.
 *
 * @example
 * ```ts
 * isModernVersion('2025-11-25'); // false
 * ```
 */
export function isModernVersion(version: string): boolean {
  return version >= FIRST_MODERN_VERSION;
}

/** `_meta` keys of the modern envelope (spec 2026-07-28 basic/index "_meta"). */
export const META_KEYS = {
  protocolVersion: 'io.modelcontextprotocol/protocolVersion',
  clientCapabilities: 'io.modelcontextprotocol/clientCapabilities',
  clientInfo: 'io.modelcontextprotocol/clientInfo',
  serverInfo: 'io.modelcontextprotocol/serverInfo',
  subscriptionId: 'io.modelcontextprotocol/subscriptionId',
  logLevel: 'io.modelcontextprotocol/logLevel',
} as const;

/**
 * JSON-RPC codes the spec reserves for the modern era (2026-07-28 basic/index "Error codes"). A 400 carrying
 * one of them proves the server is modern (basic/transports/streamable-http "Backward Compatibility").
 */
export const MODERN_ERROR_CODES = {
  headerMismatch: -32020,
  missingRequiredClientCapability: -32021,
  unsupportedProtocolVersion: -32022,
} as const;

const MODERN_CODES: ReadonlySet<number> = new Set(Object.values(MODERN_ERROR_CODES));

/**
 * True for a JSON-RPC error code only a modern server sends.
 *
 * @example
 * ```ts
 * isModernErrorCode(-32022); // true
 * ```
 */
export function isModernErrorCode(code: number): boolean {
  return MODERN_CODES.has(code);
}

/** Methods whose result may be `input_required` (spec 2026-07-28 basic/patterns/mrtr "Supported Requests"). */
export const INPUT_ROUND_METHODS: ReadonlySet<string> = new Set(['tools/call', 'prompts/get', 'resources/read']);
