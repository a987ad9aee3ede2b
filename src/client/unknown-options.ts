/**
 * Unknown option keys throw (issue #10 item 5). TypeScript rejects `{ timeout: 5_000 }`; JavaScript used to
 * accept it silently and apply the 60 s default. The known keys come from the defaults objects, which the
 * compiler already holds to the option types (`satisfies Required<...>`), plus the short list of options
 * that have no default, checked below to cover the rest: a new option is picked up without editing here.
 */
import { RETRY_DEFAULTS } from '../retry/retry-options';
import { suggestToolNames } from '../typed/suggest';
import { MCP_CLIENT_DEFAULTS, type MCPClientOptions } from './options';
import type { CallToolOptions, ListOptions, ReadResourceOptions, RequestOptions } from './request-options';

/** Options without a static default (the `Omit<...>` of `MCP_CLIENT_DEFAULTS`'s `satisfies`). */
const CLIENT_KEYS_WITHOUT_DEFAULT = ['sessionId', 'fetch', 'dispatcher', 'logger', 'tracer', 'authProvider', 'tokenStore', 'auth'] as const;

// Compile-time proof that every MCPClientOptions key is in one of the two lists: adding an option to the
// interface without a default and without listing it above fails the typecheck here.
type UnlistedClientKey = Exclude<keyof MCPClientOptions, keyof typeof MCP_CLIENT_DEFAULTS | (typeof CLIENT_KEYS_WITHOUT_DEFAULT)[number]>;
const everyClientKeyListed: [UnlistedClientKey] extends [never] ? true : UnlistedClientKey = true;
void everyClientKeyListed;

/** The per-call options of every request method; `Record`s over every key, so the compiler keeps them complete. */
const REQUEST_KEYS: Record<keyof RequestOptions, true> = { signal: true, timeoutMs: true, retry: true, replay: true };
const CALL_TOOL_KEYS: Record<keyof CallToolOptions, true> = { ...REQUEST_KEYS, onProgress: true, idempotent: true, throwOnError: true };
const LIST_KEYS: Record<keyof ListOptions, true> = { ...REQUEST_KEYS, cursor: true, refresh: true };
const READ_KEYS: Record<keyof ReadResourceOptions, true> = { ...REQUEST_KEYS, refresh: true };

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
  call: { timeout: 'timeoutMs', retries: '`retry: { retries }`', maxretries: '`retry: { retries }`' },
  request: { timeout: 'timeoutMs', retries: '`retry: { retries }`', maxretries: '`retry: { retries }`' },
  list: { timeout: 'timeoutMs', retries: '`retry: { retries }`', maxretries: '`retry: { retries }`', page: 'cursor' },
  read: { timeout: 'timeoutMs', retries: '`retry: { retries }`', maxretries: '`retry: { retries }`' },
};

/**
 * Which option object is being checked: the client's, its `retry` or `breaker` object, or the per-call
 * options of `callTool` (which `callMcpTool` also takes), of every request method (`request`), of the list
 * methods (`list`) or of `readResource` (`read`).
 *
 * @example
 * ```ts
 * const scope: OptionScope = 'retry';
 * ```
 */
export type OptionScope = 'client' | 'retry' | 'breaker' | 'call' | 'request' | 'list' | 'read';

/** The per-call scopes: their `retry` object is checked like the client's. */
const PER_CALL: ReadonlySet<OptionScope> = new Set(['call', 'request', 'list', 'read']);

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
    case 'request':
      return Object.keys(REQUEST_KEYS);
    case 'list':
      return Object.keys(LIST_KEYS);
    case 'read':
      return Object.keys(READ_KEYS);
  }
}

const PREFIX: Readonly<Record<OptionScope, string>> = { client: '', retry: 'retry.', breaker: 'breaker.', call: '', request: '', list: '', read: '' };

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
  const perCall = PER_CALL.has(scope);
  const label = perCall ? 'call option' : 'option';
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw unknownKeyError(key, scope, known, label);
  }
  if (scope !== 'client' && !perCall) return;
  const { retry, breaker } = options as { retry?: unknown; breaker?: unknown };
  assertKnownOptions(retry, 'retry');
  if (scope === 'client') assertKnownOptions(breaker, 'breaker');
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
