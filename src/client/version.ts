/**
 * This package's version, sent as `clientInfo.version` (kept in step with package.json by a test).
 *
 * @example
 * ```ts
 * console.log(`archon-mcp-client ${CLIENT_VERSION}`);
 * ```
 */
export const CLIENT_VERSION = '0.1.0';
