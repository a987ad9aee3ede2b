/**
 * Where OAuth credentials live when the coordinator is given a `tokenStore`: one record per (issuer,
 * resource). The interface leaves room for a cross-process lock, so two processes that share a store at token
 * expiry do one refresh (a rotating refresh token survives only one use).
 */
import type { StoredOAuthClientInformation, StoredOAuthTokens } from '@modelcontextprotocol/client';

/**
 * Everything stored for one (issuer, resource).
 *
 * @example
 * ```ts
 * const record = await store.read('https://mcp.example.com/mcp');
 * if (record?.expiresAt !== undefined && record.expiresAt < Date.now()) console.log('expired');
 * ```
 */
export interface StoredCredentials {
  /** The protected resource: the MCP server URL (without fragment). */
  readonly resource: string;
  /** The authorization server's `issuer`. */
  readonly issuer: string;
  /** The client registration (dynamic, metadata document or pre-registered), stamped with its issuer. */
  readonly clientInformation?: StoredOAuthClientInformation | undefined;
  /** The token response as the SDK saved it, `refresh_token` included, stamped with its issuer. */
  readonly tokens?: StoredOAuthTokens | undefined;
  /** When `tokens` were obtained, epoch ms. */
  readonly obtainedAt?: number | undefined;
  /** When the access token expires, epoch ms (`obtainedAt` + `expires_in`); absent when the server did not say. */
  readonly expiresAt?: number | undefined;
  /** When the record was last written, epoch ms. */
  readonly savedAt: number;
}

/**
 * Held until `release()`; exclusive across every process that shares the store.
 *
 * @example
 * ```ts
 * const lock = await store.lock?.(resource);
 * try { await refresh(); } finally { await lock?.release(); }
 * ```
 */
export interface TokenStoreLock {
  release(): Promise<void>;
}

/**
 * Persistence for OAuth credentials. Implement it to keep tokens in a keychain, a database or a secret manager.
 *
 * @example
 * ```ts
 * const store: TokenStore = new FileTokenStore({ directory: '/run/secrets/mcp' });
 * const record = await store.read('https://mcp.example.com/mcp');
 * ```
 */
export interface TokenStore {
  /**
   * Stores with the same `id` hold the same records (e.g. the same directory): coordinators in one process
   * that use them share one refresh in flight per resource.
   */
  readonly id: string;
  /** The record for (resource, issuer); without `issuer`, the most recently saved record for `resource`. */
  read(resource: string, issuer?: string): Promise<StoredCredentials | undefined>;
  /** Creates or replaces the record for (`credentials.resource`, `credentials.issuer`), atomically. */
  write(credentials: StoredCredentials): Promise<void>;
  /** Forgets the record for (resource, issuer), or every record for `resource`; resolves to how many were removed. */
  remove(resource: string, issuer?: string): Promise<number>;
  /**
   * Exclusive access to `resource`'s records across processes until `release()`. Optional: without it the
   * store is safe within one process only (the coordinator still runs one refresh at a time there).
   */
  lock?(resource: string): Promise<TokenStoreLock>;
}

let memoryStores = 0;

/**
 * A `TokenStore` in memory: tokens shared by the clients of one process, gone when it exits.
 *
 * @example
 * ```ts
 * const tokenStore = new MemoryTokenStore();
 * const auth = createAuthCoordinator({ serverUrl: url, authProvider, tokenStore });
 * ```
 */
export class MemoryTokenStore implements TokenStore {
  readonly id = `memory:${++memoryStores}`;
  readonly #records = new Map<string, StoredCredentials>();

  async read(resource: string, issuer?: string): Promise<StoredCredentials | undefined> {
    let found: StoredCredentials | undefined;
    if (issuer !== undefined) found = this.#records.get(keyOf(resource, issuer));
    else {
      for (const record of this.#records.values()) {
        if (record.resource === resource && (found === undefined || record.savedAt >= found.savedAt)) found = record;
      }
    }
    return found === undefined ? undefined : structuredClone(found);
  }

  async write(credentials: StoredCredentials): Promise<void> {
    this.#records.set(keyOf(credentials.resource, credentials.issuer), structuredClone(credentials));
  }

  async remove(resource: string, issuer?: string): Promise<number> {
    let removed = 0;
    for (const [key, record] of this.#records) {
      if (record.resource === resource && (issuer === undefined || record.issuer === issuer)) {
        this.#records.delete(key);
        removed++;
      }
    }
    return removed;
  }
}

function keyOf(resource: string, issuer: string): string {
  return `${resource}\n${issuer}`;
}
