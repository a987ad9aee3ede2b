/**
 * The response cache of the 2026-07-28 era (spec server/utilities/caching, SEP-2549): list results and
 * `resources/read` carry `ttlMs` and `cacheScope`; a fresh result is served without a round trip. One store
 * for the whole process, so clients of one endpoint share what the server marked `public`; a `private` result
 * is only ever served to a client with the same authorization headers. A result reached through input rounds
 * is never stored (it depends on inputs outside the key), nor is one without a positive `ttlMs` (every legacy
 * result). Entries are bounded in number and in lifetime.
 */

/** Methods whose results may be cached (spec "Cacheable Results"; server/discover is the handshake, not cached). */
export const CACHEABLE_METHODS: ReadonlySet<string> = new Set(['tools/list', 'prompts/list', 'resources/list', 'resources/templates/list', 'resources/read']);

/** A server cannot pin an entry longer than this (clamped, as every number from the wire). */
export const MAX_CACHE_TTL_MS = 24 * 60 * 60_000;
const MAX_ENTRIES = 512;

interface Entry {
  readonly value: Record<string, unknown>;
  readonly expiresAt: number;
  /** For invalidation: the endpoint and the method (and the uri of a read). */
  readonly endpoint: string;
  readonly method: string;
  readonly uri: string | undefined;
}

const entries = new Map<string, Entry>();

/** JSON with sorted keys, so `{a,b}` and `{b,a}` name one entry; `_meta` is transport, not a parameter. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value !== 'object' || value === null) return JSON.stringify(value) ?? 'null';
  const keys = Object.keys(value).filter((key) => key !== '_meta').sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`).join(',')}}`;
}

/**
 * One client's view of the shared store: its endpoint and authorization partition.
 *
 * @example
 * ```ts
 * const cache = new ResponseCache(new URL(url), { authorization: 'Bearer t' }, Date.now);
 * const hit = cache.get('tools/list', undefined);
 * ```
 */
export class ResponseCache {
  readonly #endpoint: string;
  /** The authorization context: every header the user set (any may carry a credential). */
  readonly #partition: string;
  readonly #now: () => number;

  constructor(url: URL, headers: Readonly<Record<string, string>>, now: () => number) {
    this.#endpoint = url.href;
    this.#partition = canonical(headers);
    this.#now = now;
  }

  #key(method: string, params: Record<string, unknown> | undefined, scope: 'public' | 'private'): string {
    const base = `${this.#endpoint} ${method} ${canonical(params ?? {})}`;
    return scope === 'public' ? base : `${base} private ${this.#partition}`;
  }

  /**
   * A fresh cached result (a copy: callers may change what they get), private first.
   *
   * @example
   * ```ts
   * const result = cache.get('resources/read', { uri });
   * ```
   */
  get(method: string, params: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
    if (!CACHEABLE_METHODS.has(method)) return undefined;
    const now = this.#now();
    for (const scope of ['private', 'public'] as const) {
      const key = this.#key(method, params, scope);
      const entry = entries.get(key);
      if (entry === undefined) continue;
      if (entry.expiresAt > now) return structuredClone(entry.value);
      entries.delete(key);
    }
    return undefined;
  }

  /**
   * Stores a complete result by its own `ttlMs`/`cacheScope` (missing scope: `private`, the safe side).
   *
   * @example
   * ```ts
   * cache.set('tools/list', undefined, result);
   * ```
   */
  set(method: string, params: Record<string, unknown> | undefined, result: Record<string, unknown>): void {
    if (!CACHEABLE_METHODS.has(method) || (result.resultType !== undefined && result.resultType !== 'complete')) return;
    if (params?.inputResponses !== undefined || params?.requestState !== undefined) return;
    const ttlMs = typeof result.ttlMs === 'number' && Number.isFinite(result.ttlMs) ? Math.min(result.ttlMs, MAX_CACHE_TTL_MS) : 0;
    if (ttlMs <= 0) return;
    const scope = result.cacheScope === 'public' ? 'public' : 'private';
    const key = this.#key(method, params, scope);
    entries.delete(key);
    const uri = typeof params?.uri === 'string' ? params.uri : undefined;
    entries.set(key, { value: structuredClone(result), expiresAt: this.#now() + ttlMs, endpoint: this.#endpoint, method, uri });
    if (entries.size > MAX_ENTRIES) {
      const oldest = entries.keys().next().value;
      if (oldest !== undefined) entries.delete(oldest);
    }
  }

  /**
   * Drops this endpoint's entries of `methods` (all partitions: the server's data changed for everyone), or of
   * one resource when `uri` is given; every entry of the endpoint without arguments.
   *
   * @example
   * ```ts
   * cache.invalidate(['tools/list']);             // notifications/tools/list_changed
   * cache.invalidate(['resources/read'], uri);   // notifications/resources/updated
   * ```
   */
  invalidate(methods?: readonly string[], uri?: string): void {
    for (const [key, entry] of entries) {
      if (entry.endpoint !== this.#endpoint) continue;
      if (methods !== undefined && !methods.includes(entry.method)) continue;
      if (uri !== undefined && entry.uri !== uri) continue;
      entries.delete(key);
    }
  }
}

/**
 * Empties the store of the process (tests).
 *
 * @example
 * ```ts
 * clearResponseCache();
 * ```
 */
export function clearResponseCache(): void {
  entries.clear();
}

/** What a list-changed notification makes stale. */
const INVALIDATED_BY: Readonly<Record<string, readonly string[]>> = {
  'notifications/tools/list_changed': ['tools/list'],
  'notifications/prompts/list_changed': ['prompts/list'],
  'notifications/resources/list_changed': ['resources/list', 'resources/templates/list'],
};

/**
 * Drops what a notification says changed (spec caching "Interaction with Notifications": a notification
 * invalidates a fresh entry at once): the matching lists, or the read of an updated resource.
 *
 * @example
 * ```ts
 * invalidateFor(cache, { method: 'notifications/resources/updated', params: { uri } });
 * ```
 */
export function invalidateFor(cache: ResponseCache | undefined, notification: { method: string; params?: Record<string, unknown> | undefined }): void {
  if (cache === undefined) return;
  const stale = INVALIDATED_BY[notification.method];
  if (stale !== undefined) cache.invalidate(stale);
  const uri = notification.params?.uri;
  if (notification.method === 'notifications/resources/updated' && typeof uri === 'string') cache.invalidate(['resources/read'], uri);
}
