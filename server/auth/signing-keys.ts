/**
 * The issuer's signing keys, cached. The first fetch is started when the handler starts; after it, the request
 * path never waits on the authorization server except for a token signed with a `kid` this set does not know,
 * and then at most once per `jwksCooldownMs` (so a flood of forged `kid`s costs one fetch). Old keys are
 * refreshed in the background after `jwksCacheMs` and keep serving if that refresh fails. Every fetch is single
 * flight, bounded in time and bytes, and the set is capped at `MAX_KEYS` keys.
 */
import type { JWSHeaderParameters, FlattenedJWSInput, JSONWebKeySet } from 'jose';
import type { ServerLogger } from '../session-options';
import { discoverJwksUri } from './discover-jwks-uri';
import { DocumentFetchError, fetchJsonDocument } from './fetch-json-document';
import type { Jose } from './load-jose';
import type { ResolvedOAuthOptions } from './oauth-options';

/** More keys than any authorization server publishes (rotation keeps two or three). */
const MAX_KEYS = 100;

/** After a failed fetch with no keys at all, requests are refused (503) without refetching for this long. */
const FAILED_FETCH_BACKOFF_MS = 1_000;

/** No usable key set: the request cannot be verified now (answered 503 + Retry-After, not 401). */
export class SigningKeysUnavailableError extends Error {
  override readonly name = 'SigningKeysUnavailableError';
}

type KeyResolver = (header: JWSHeaderParameters, token: FlattenedJWSInput) => Promise<CryptoKey>;

interface KeySet {
  readonly resolve: KeyResolver;
  readonly fetchedAt: number;
}

export interface SigningKeysDeps {
  jose: Jose;
  options: ResolvedOAuthOptions;
  logger: ServerLogger;
  /** Validates a discovered `jwks_uri` as the options validate a configured one. */
  checkUri(uri: string): string;
  now?: () => number;
}

/**
 * @example
 * ```ts
 * const keys = new SigningKeys({ jose, options, logger, checkUri });
 * keys.warmUp();
 * await jose.jwtVerify(token, keys.resolve, { issuer });
 * ```
 */
export class SigningKeys {
  readonly #deps: SigningKeysDeps;
  readonly #now: () => number;
  readonly #closed = new AbortController();
  #keys: KeySet | undefined;
  #inFlight: Promise<void> | undefined;
  #jwksUri: string | undefined;
  #lastUnknownKidFetchAt = Number.NEGATIVE_INFINITY;
  #lastFailureAt = Number.NEGATIVE_INFINITY;

  constructor(deps: SigningKeysDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? Date.now;
    this.#jwksUri = deps.options.jwksUri;
  }

  /** Starts the first fetch without waiting for it, so the first request usually finds the keys ready. */
  warmUp(): void {
    this.#fetch().catch(() => undefined);
  }

  /** Stops: an in-flight fetch is aborted. */
  close(): void {
    this.#closed.abort();
  }

  /** jose's key resolver over the cached set. */
  readonly resolve: KeyResolver = async (header, token) => {
    const keys = await this.#current();
    try {
      return await keys.resolve(header, token);
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'ERR_JWKS_NO_MATCHING_KEY') throw error;
      const fresh = await this.#afterUnknownKid(keys);
      if (fresh === undefined) throw error;
      return await fresh.resolve(header, token);
    }
  };

  async #current(): Promise<KeySet> {
    const keys = this.#keys;
    if (keys !== undefined) {
      const now = this.#now();
      // A failed background refresh is retried at a rate, never on every request.
      const retryAfterFailureMs = Math.max(this.#deps.options.jwksCooldownMs, FAILED_FETCH_BACKOFF_MS);
      if (now - keys.fetchedAt >= this.#deps.options.jwksCacheMs && now - this.#lastFailureAt >= retryAfterFailureMs) {
        this.#fetch().catch(() => undefined);
      }
      return keys;
    }
    if (this.#inFlight === undefined && this.#now() - this.#lastFailureAt < FAILED_FETCH_BACKOFF_MS) {
      throw new SigningKeysUnavailableError('The issuer signing keys could not be fetched');
    }
    await this.#fetch().catch(() => undefined);
    if (this.#keys === undefined) throw new SigningKeysUnavailableError('The issuer signing keys could not be fetched');
    return this.#keys;
  }

  /** A fresher set than `stale` for a `kid` it lacks: the fetch in flight, else a new one unless within the cooldown. */
  async #afterUnknownKid(stale: KeySet): Promise<KeySet | undefined> {
    if (this.#inFlight === undefined) {
      if (this.#now() - this.#lastUnknownKidFetchAt < this.#deps.options.jwksCooldownMs) return undefined;
      this.#lastUnknownKidFetchAt = this.#now();
    }
    try {
      await this.#fetch();
    } catch (error) {
      // Unknown whether the key is real: refuse for now (503), so a client with a freshly rotated token waits and resends.
      throw new SigningKeysUnavailableError('The issuer signing keys could not be refreshed', { cause: error });
    }
    return this.#keys === stale ? undefined : this.#keys;
  }

  /** Single flight: callers during a fetch share it. */
  #fetch(): Promise<void> {
    this.#inFlight ??= this.#load().finally(() => {
      this.#inFlight = undefined;
    });
    return this.#inFlight;
  }

  async #load(): Promise<void> {
    const { options, logger } = this.#deps;
    const limits = { timeoutMs: options.fetchTimeoutMs, maxBytes: options.maxFetchBytes, signal: this.#closed.signal };
    try {
      this.#jwksUri ??= await discoverJwksUri(options.issuer, limits, this.#deps.checkUri);
      const document = await fetchJsonDocument(this.#jwksUri, limits);
      const keys = document['keys'];
      if (!Array.isArray(keys)) throw new DocumentFetchError(`${this.#jwksUri} is not a JSON Web Key Set`);
      if (keys.length > MAX_KEYS) throw new DocumentFetchError(`${this.#jwksUri} has ${keys.length} keys, more than ${MAX_KEYS}`);
      const resolve = this.#deps.jose.createLocalJWKSet(document as unknown as JSONWebKeySet);
      this.#keys = { resolve, fetchedAt: this.#now() };
      logger.debug?.({ msg: 'oauth signing keys fetched', jwksUri: this.#jwksUri, keys: keys.length });
    } catch (error) {
      this.#lastFailureAt = this.#now();
      if (this.#closed.signal.aborted) throw error;
      logger.warn?.({
        msg: 'oauth signing keys fetch failed',
        issuer: options.issuer,
        error: (error as Error).message,
        keptOld: this.#keys !== undefined,
      });
      throw error;
    }
  }
}
