/**
 * Unknown option keys throw (issue #10 item 5). TypeScript rejects `{ timeout: 5_000 }`; JavaScript used to
 * accept it silently and apply the 60 s default. The known keys come from the defaults objects, which the
 * compiler already holds to the option types (`satisfies Required<...>`), plus the short list of options
 * that have no default, checked below to cover the rest: a new option is picked up without editing here.
 */
import { RETRY_DEFAULTS } from '../retry/retry-options';
import { suggestToolNames } from '../typed/suggest';
import { MCP_CLIENT_DEFAULTS, type MCPClientOptions } from './options';
import type { CallToolOptions } from './request-options';

/** Options without a static default (the `Omit<...>` of `MCP_CLIENT_DEFAULTS`'s `satisfies`). */
const CLIENT_KEYS_WITHOUT_DEFAULT = ['sessionId', 'fetch', 'dispatcher', 'logger', 'tracer', 'authProvider', 'tokenStore', 'auth'] as const;

// Compile-time proof that every MCPClientOptions key is in one of the two lists: adding an option to the
// interface without a default and without listing it above fails the typecheck here.
type UnlistedClientKey = Exclude<keyof MCPClientOptions, keyof typeof MCP_CLIENT_DEFAULTS | (typeof CLIENT_KEYS_WITHOUT_DEFAULT)[number]>;
const everyClientKeyListed: [UnlistedClientKey] extends [never] ? true : UnlistedClientKey = true;
void everyClientKeyListed;

/** `callTool`'s per-call options; a `Record` over every key, so the compiler keeps it complete. */
const CALL_TOOL_KEYS: Record<keyof CallToolOptions, true> = {
  signal: true,
  timeoutMs: true,
  onProgress: true,
  idempotent: true,
  throwOnError: true,
};

/**
 * Names other clients use (openai-node, ky, p-retry, undici, opossum) mapped to ours, so the hint is exact
 * where an edit distance would guess. Keys are lower-cased.
 */
const ALIASES: Readonly<Record<OptionScope, Readonly<Record<string, string>>>> = {
  client: {
    timeout: 'timeoutMs',
    retries: 'retry.retries',
    maxretries: 'retry.retries',
    maxattempts: 'retry.retries',
    baseurl: 'url',
    endpoint: 'url',
    agent: 'dispatcher',
    connecttimeout: 'connectTimeoutMs',
    totaltimeout: 'totalTimeoutMs',
    closetimeout: 'closeTimeoutMs',
    debug: 'logger',
    circuitbreaker: 'breaker',
  },
  retry: {
    maxattempts: 'retry.retries',
    attempts: 'retry.retries',
    maxretries: 'retry.retries',
    limit: 'retry.retries',
    mintimeout: 'retry.minDelayMs',
    maxtimeout: 'retry.maxDelayMs',
    backofflimit: 'retry.maxDelayMs',
    maxretrytime: 'retry.maxElapsedMs',
    timeout: 'retry.maxElapsedMs',
  },
  breaker: {
    threshold: 'breaker.failureThreshold',
    cooldown: 'breaker.coolDownMs',
    cooldownms: 'breaker.coolDownMs',
    resettimeout: 'breaker.coolDownMs',
  },
  call: { timeout: 'timeoutMs', retries: 'the client option `retry.retries`' },
};

/**
 * Which option object is being checked: the client's, its `retry` or `breaker` object, or the per-call
 * options of `callTool` (which `callMcpTool` also takes).
 *
 * @example
 * ```ts
 * const scope: OptionScope = 'retry';
 * ```
 */
export type OptionScope = 'client' | 'retry' | 'breaker' | 'call';

function knownKeys(scope: OptionScope): readonly string[] {
  switch (scope) {
    case 'client':
      return [...Object.keys(MCP_CLIENT_DEFAULTS), ...CLIENT_KEYS_WITHOUT_DEFAULT];
    case 'retry':
      return Object.keys(RETRY_DEFAULTS);
    case 'breaker':
      return Object.keys(MCP_CLIENT_DEFAULTS.breaker);
    case 'call':
      return Object.keys(CALL_TOOL_KEYS);
  }
}

const PREFIX: Readonly<Record<OptionScope, string>> = { client: '', retry: 'retry.', breaker: 'breaker.', call: '' };

function unknownKeyError(key: string, scope: OptionScope, known: readonly string[], label: string): TypeError {
  const alias = ALIASES[scope][key.toLowerCase()];
  // The closest name only: two guesses read as "we don't know".
  const [closest] = suggestToolNames(key, known, 1);
  const hint =
    alias !== undefined
      ? `; did you mean ${alias.includes(' ') ? alias : `\`${alias}\``}?`
      : closest !== undefined
        ? `; did you mean \`${PREFIX[scope]}${closest}\`?`
        : `; expected one of: ${known.map((name) => `${PREFIX[scope]}${name}`).join(', ')}`;
  return new TypeError(`Unknown ${label} \`${PREFIX[scope]}${key}\`${hint}`);
}

/**
 * Throws `TypeError` for the first key of `options` that is not an option of `scope` (and of `also`, for
 * helpers that take two option sets in one object), with a "did you mean" hint. Nested `retry` and `breaker`
 * objects are checked too. Non-objects are left to the type checks that follow.
 *
 * @example
 * ```ts
 * assertKnownOptions({ timeout: 5_000 }, 'client');
 * // TypeError: Unknown option `timeout`; did you mean `timeoutMs`?
 * assertKnownOptions({ retry: { maxAttempts: 3 } }, 'client');
 * // TypeError: Unknown option `retry.maxAttempts`; did you mean `retry.retries`?
 * ```
 */
export function assertKnownOptions(options: unknown, scope: OptionScope, also: readonly string[] = []): void {
  if (typeof options !== 'object' || options === null) return;
  const known = [...knownKeys(scope), ...also];
  const label = scope === 'call' ? 'call option' : 'option';
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw unknownKeyError(key, scope, known, label);
  }
  if (scope !== 'client') return;
  const { retry, breaker } = options as { retry?: unknown; breaker?: unknown };
  assertKnownOptions(retry, 'retry');
  assertKnownOptions(breaker, 'breaker');
}

/**
 * The keys of `callTool`'s per-call options, for helpers that accept them beside the client's.
 *
 * @example
 * ```ts
 * assertKnownOptions(options, 'client', CALL_OPTION_KEYS);
 * ```
 */
export const CALL_OPTION_KEYS: readonly string[] = Object.keys(CALL_TOOL_KEYS);
