/**
 * Whether a request whose answer was lost may be sent again. Sending a non-idempotent tool call twice is the
 * one failure this client must never cause; everything here leans towards "not safe".
 */
import type { ToolAnnotations } from '@modelcontextprotocol/client';

/**
 * The client-wide replay policy:
 * - `'safe'` (default): replay what is read-only or idempotent by nature, by trusted annotation, or by the
 *   caller's `{ idempotent: true }`.
 * - `'never'`: never resend a `tools/call` whose answer was lost, whatever the annotations or the caller say.
 * - `'always'`: resend everything (the caller accepts duplicate executions).
 *
 * @example
 * ```ts
 * const policy: ReplayPolicy = 'never';
 * ```
 */
export type ReplayPolicy = 'safe' | 'never' | 'always';

/**
 * What {@link isReplaySafe} looks at.
 *
 * @example
 * ```ts
 * const input: ReplaySafetyInput = { method: 'tools/call', policy: 'safe', trustAnnotations: true,
 *   toolAnnotations: tool.annotations, idempotent: options.idempotent };
 * ```
 */
export interface ReplaySafetyInput {
  /** The JSON-RPC method, e.g. `tools/call`. */
  readonly method: string;
  /** The called tool's annotations from `tools/list`, when known. */
  readonly toolAnnotations?: Pick<ToolAnnotations, 'readOnlyHint' | 'idempotentHint'> | undefined;
  /** The caller's per-call promise that repeating the call is harmless. */
  readonly idempotent?: boolean | undefined;
  readonly policy: ReplayPolicy;
  /**
   * Whether this server's annotations may be believed. The spec: "clients MUST consider tool annotations to
   * be untrusted unless they come from trusted servers" (2025-11-25, server/tools "Tool Annotations").
   */
  readonly trustAnnotations: boolean;
}

/**
 * Methods that can be repeated without changing anything beyond what one execution changes:
 * - reads: lists, reads, prompt rendering, completion, ping;
 * - `initialize`: a resent initialize at worst leaves an orphan session that the server expires;
 * - `resources/subscribe` / `resources/unsubscribe`: set membership, so twice equals once;
 * - `logging/setLevel`: sets a value, so twice equals once.
 */
const REPLAY_SAFE_METHODS: ReadonlySet<string> = new Set([
  'initialize',
  'ping',
  'tools/list',
  'resources/list',
  'resources/read',
  'resources/templates/list',
  'resources/subscribe',
  'resources/unsubscribe',
  'prompts/list',
  'prompts/get',
  'completion/complete',
  'logging/setLevel',
]);

/**
 * True when a request whose answer was lost may be resent.
 *
 * Under `'never'` the protocol methods above stay replayable: they have no side effect to duplicate, and
 * refusing them would only turn a recoverable blip into an error. `'never'` is about tool calls. Methods this
 * client does not know (custom or future ones) are never replay-safe under `'safe'` or `'never'`.
 *
 * @example
 * ```ts
 * isReplaySafe({ method: 'tools/list', policy: 'safe', trustAnnotations: false });                  // true
 * isReplaySafe({ method: 'tools/call', policy: 'safe', trustAnnotations: true,
 *                toolAnnotations: { readOnlyHint: true } });                                        // true
 * isReplaySafe({ method: 'tools/call', policy: 'safe', trustAnnotations: false,
 *                toolAnnotations: { readOnlyHint: true } });                                        // false
 * isReplaySafe({ method: 'tools/call', policy: 'safe', trustAnnotations: false, idempotent: true }); // true
 * ```
 */
export function isReplaySafe(input: ReplaySafetyInput): boolean {
  if (input.policy === 'always') return true;
  if (REPLAY_SAFE_METHODS.has(input.method)) return true;
  if (input.policy === 'never' || input.method !== 'tools/call') return false;
  if (input.idempotent === true) return true;
  if (!input.trustAnnotations || input.toolAnnotations === undefined) return false;
  return input.toolAnnotations.readOnlyHint === true || input.toolAnnotations.idempotentHint === true;
}
