/**
 * The per-call `retry` and `replay` overrides (issue 10 item 14: openai-node has `maxRetries` per request, ky
 * `retry` per request). Checked like the client's options (unknown keys too, with "did you mean") and resolved
 * once per call, before the retry loop and the replay decision read them; a call without them costs one check.
 */
import { type ReplayPolicy, type ResolvedRetryOptions, resolveRetryOptions } from '../retry/index';
import { describe } from './option-checks';
import type { RequestOptions } from './request-options';
import { type OptionScope, assertKnownOptions } from './unknown-options';

/**
 * The overrides of one call, resolved; absent fields mean the client's.
 *
 * @example
 * ```ts
 * const { retry, replay } = resolvePerCallOptions({ retry: { retries: 0 } }, 'request', client.options.retry);
 * ```
 */
export interface PerCallPolicy {
  readonly retry?: ResolvedRetryOptions;
  readonly replay?: ReplayPolicy;
}

const NONE: PerCallPolicy = Object.freeze({});

/**
 * Throws `TypeError` for an unknown key (of `scope`'s options or of a per-call `retry` object) or an invalid
 * value, and resolves `retry` over the client's resolved policy (fields the call omits keep the client's
 * values; `false` turns retrying and recovery off for this call) and `replay`.
 *
 * @example
 * ```ts
 * resolvePerCallOptions({ retry: false }, 'call', clientRetry).retry?.retries; // 0
 * resolvePerCallOptions({ replay: 'sometimes' }, 'call', clientRetry);
 * // TypeError: Expected `replay` to be 'safe', 'never' or 'always', got "sometimes"
 * ```
 */
export function resolvePerCallOptions(options: RequestOptions | undefined, scope: OptionScope, clientRetry: ResolvedRetryOptions): PerCallPolicy {
  if (options === undefined) return NONE;
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`Expected the call options to be an object, got ${describe(options)}`);
  }
  assertKnownOptions(options, scope);
  const { retry, replay } = options;
  if (retry === undefined && replay === undefined) return NONE;
  if (replay !== undefined && replay !== 'safe' && replay !== 'never' && replay !== 'always') {
    throw new TypeError(`Expected \`replay\` to be 'safe', 'never' or 'always', got ${describe(replay)}`);
  }
  if (retry === undefined) return { replay };
  const resolved = retry === false ? resolveRetryOptions({ ...clientRetry, retries: 0 }) : resolveRetryOptions(retryOver(clientRetry, retry));
  return replay === undefined ? { retry: resolved } : { retry: resolved, replay };
}

function retryOver(clientRetry: ResolvedRetryOptions, retry: unknown): ResolvedRetryOptions {
  // Left to resolveRetryOptions to reject with its own message ("Expected `retry` to be an object or false").
  if (typeof retry !== 'object' || retry === null) return retry as ResolvedRetryOptions;
  const defined = Object.fromEntries(Object.entries(retry).filter(([, value]) => value !== undefined));
  return { ...clientRetry, ...defined };
}
