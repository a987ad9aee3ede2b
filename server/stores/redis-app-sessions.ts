import type { RedisKeys } from './redis-keys';
import { runScript } from './redis-run-script';
import { CLAIM_APP_SESSION, EXPIRE_APP_SESSION } from './redis-scripts';
import type { RedisClient } from './redis-session-store';
import type { AppSessionClaim, AppSessionClaimRequest, AppSessionRecord } from './types';

/**
 * App sessions and shared secrets on Redis: a claim is one Lua script by SHA (atomic: of concurrent claims of a free
 * id exactly one creates it), a secret one `SET NX` followed by a read.
 *
 * @example
 * ```ts
 * const apps = new RedisAppSessions(client, keys);
 * const claim = await apps.claimAppSession({ appSessionId: 'app-1', principalHash: null, now, expiresAt });
 * ```
 */
export class RedisAppSessions {
  readonly #client: RedisClient;
  readonly #keys: RedisKeys;

  constructor(client: RedisClient, keys: RedisKeys) {
    this.#client = client;
    this.#keys = keys;
  }

  async claimAppSession(claim: AppSessionClaimRequest): Promise<AppSessionClaim> {
    const reply = await runScript(this.#client, CLAIM_APP_SESSION, { arguments: [this.#keys.prefix,
      claim.appSessionId,
      claim.principalHash ?? '',
      claim.principalHash === null ? '0' : '1',
      String(claim.now),
      String(claim.expiresAt),
    ] });
    const [outcome, ...pairs] = asStrings(reply);
    const record = toAppSessionRecord(Object.fromEntries(pairsOf(pairs)));
    if (record === undefined || !isClaimOutcome(outcome)) throw new TypeError(`Unexpected app session claim reply ${JSON.stringify(reply)}`);
    return { outcome, record };
  }

  async getAppSession(appSessionId: string): Promise<AppSessionRecord | undefined> {
    return toAppSessionRecord(await this.#client.hGetAll(this.#keys.appSession(appSessionId)));
  }

  async expireAppSession(appSessionId: string): Promise<void> {
    await runScript(this.#client, EXPIRE_APP_SESSION, { keys: [this.#keys.appSession(appSessionId)], arguments: [] });
  }

  async claimSecret(name: string, candidate: string): Promise<string> {
    const key = this.#keys.secret(name);
    await this.#client.set(key, candidate, { NX: true });
    const value = await this.#client.get(key);
    if (value === null) throw new Error(`secret ${name} vanished right after it was claimed`);
    return value;
  }
}

function asStrings(reply: unknown): string[] {
  if (!Array.isArray(reply)) throw new TypeError(`Expected an array script reply, got ${String(reply)}`);
  return reply.map(String);
}

function toAppSessionRecord(hash: Record<string, string>): AppSessionRecord | undefined {
  const { appSessionId, createdAt, lastActivityAt, expiresAt, status } = hash;
  if (appSessionId === undefined || createdAt === undefined || lastActivityAt === undefined || expiresAt === undefined) return undefined;
  if (status !== 'active' && status !== 'expired') return undefined;
  return {
    appSessionId,
    principalHash: hash.principalHash ?? null,
    createdAt: Number(createdAt),
    lastActivityAt: Number(lastActivityAt),
    expiresAt: Number(expiresAt),
    status,
  };
}

function isClaimOutcome(value: string | undefined): value is AppSessionClaim['outcome'] {
  return value === 'created' || value === 'existing' || value === 'foreign' || value === 'expired';
}

function pairsOf(flat: readonly string[]): [string, string][] {
  const pairs: [string, string][] = [];
  for (let index = 0; index + 1 < flat.length; index += 2) pairs.push([flat[index] ?? '', flat[index + 1] ?? '']);
  return pairs;
}
