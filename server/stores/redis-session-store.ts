import type { RedisClientType } from 'redis';
import { RedisAppSessions } from './redis-app-sessions';
import type { RedisKeys } from './redis-keys';
import { runScript } from './redis-run-script';
import {
  ACQUIRE_LOCK,
  CREATE_SESSION,
  EXPIRE_SESSIONS,
  PURGE_APP_SESSIONS,
  PURGE_SESSIONS,
  RELEASE_LOCK,
  SAVE_STATE,
  SET_OWNER,
  SET_STATUS,
  TOUCH_MANY,
} from './redis-scripts';
import { TickBatcher } from './tick-batcher';
import type {
  AppSessionClaim,
  AppSessionClaimRequest,
  AppSessionRecord,
  RequestRecord,
  SessionCounts,
  SessionRecord,
  SessionState,
  SessionStatus,
  SessionStore,
  SessionTouch,
} from './types';

/**
 * The node-redis v6 client as `createClient()` returns it (RESP3, no modules or type mapping).
 *
 * @example
 * ```ts
 * const client: RedisClient = createClient({ url: 'redis://127.0.0.1:6379' });
 * ```
 */
export type RedisClient = RedisClientType;

const STATUSES: readonly SessionStatus[] = ['active', 'expired', 'closed', 'draining'];

/** Sessions handled per Lua call in expire/purge, so Redis is never blocked for long (~1 ms per 1,000). */
const SCRIPT_BATCH = 1_000;
/** `touch` and `trackRequest` calls sent per batch (one script call, one MULTI). */
const MAX_BATCH = 512;

/**
 * {@link SessionStore} on Redis hashes plus index sets (layout in `redis-keys.ts`). Multi-key
 * updates run as Lua scripts so a record and its indexes never disagree; scripts go by SHA
 * (`EVALSHA`), not as text on every call. `touch` and `trackRequest`, which the session layer calls per
 * request, are batched per tick: one script call and one MULTI for all concurrent requests.
 *
 * @example
 * ```ts
 * async function open(client: RedisClient, keys: RedisKeys): Promise<SessionStore> {
 *   const sessions = new RedisSessionStore(client, keys, { maxRequestsPerSession: 1_000, ownsClient: true });
 *   await sessions.init();
 *   return sessions;
 * }
 * ```
 */
export class RedisSessionStore implements SessionStore {
  readonly kind = 'redis' as const;
  readonly #client: RedisClient;
  readonly #keys: RedisKeys;
  readonly #apps: RedisAppSessions;
  readonly #maxRequestsPerSession: number;
  readonly #close: () => Promise<void>;
  readonly #touches: TickBatcher<SessionTouch, undefined>;
  readonly #requests: TickBatcher<RequestRecord, undefined>;
  #closed = false;

  constructor(
    client: RedisClient,
    keys: RedisKeys,
    options: { maxRequestsPerSession: number; close: () => Promise<void> },
  ) {
    this.#client = client;
    this.#keys = keys;
    this.#apps = new RedisAppSessions(client, keys);
    this.#maxRequestsPerSession = options.maxRequestsPerSession;
    this.#close = options.close;
    this.#touches = new TickBatcher(async (touches) => {
      await this.#touchBatch(touches, 'set');
      return touches.map(() => undefined);
    }, MAX_BATCH);
    this.#requests = new TickBatcher(async (records) => {
      await this.#pushRequests(records);
      return records.map(() => undefined);
    }, MAX_BATCH);
  }

  async init(): Promise<void> {
    await this.ping();
  }

  async create(record: SessionRecord): Promise<void> {
    const fields: string[] = [
      'sessionId', record.sessionId,
      'appSessionId', record.appSessionId,
      'initializeParams', JSON.stringify(record.initializeParams),
      'protocolVersion', record.protocolVersion,
      'createdAt', String(record.createdAt),
      'lastActivityAt', String(record.lastActivityAt),
      'expiresAt', String(record.expiresAt),
      'status', record.status,
      'ownerInstance', record.ownerInstance,
    ];
    // Absent field = null: a hash cannot hold a null, and '' is a legal (if odd) reason.
    if (record.principalHash !== null) fields.push('principalHash', record.principalHash);
    if (record.disconnectReason !== null) fields.push('disconnectReason', record.disconnectReason);
    if (record.state !== undefined) fields.push('state', JSON.stringify(record.state));
    await this.#run(CREATE_SESSION, [record.sessionId, record.appSessionId, String(record.createdAt), record.status, ...fields]);
  }

  async get(sessionId: string): Promise<SessionRecord | undefined> {
    const hash = await this.#client.hGetAll(this.#keys.session(sessionId));
    return toSessionRecord(hash);
  }

  async getByAppSessionId(appSessionId: string): Promise<SessionRecord | undefined> {
    const [newest] = await this.#client.zRange(this.#keys.app(appSessionId), 0, 0, { REV: true });
    return newest === undefined ? undefined : this.get(newest);
  }

  async touch(sessionId: string, now: number, expiresAt: number): Promise<void> {
    await this.#touches.add({ sessionId, lastActivityAt: now, expiresAt });
  }

  async touchMany(touches: readonly SessionTouch[]): Promise<void> {
    await this.#touchBatch(touches, 'max');
  }

  async saveSessionState(sessionId: string, state: SessionState): Promise<void> {
    // HSET on a missing key would create a half record: only while the session exists.
    await runScript(this.#client, SAVE_STATE, { keys: [this.#keys.session(sessionId)], arguments: [JSON.stringify(state)] });
  }

  claimAppSession(claim: AppSessionClaimRequest): Promise<AppSessionClaim> {
    return this.#apps.claimAppSession(claim);
  }

  getAppSession(appSessionId: string): Promise<AppSessionRecord | undefined> {
    return this.#apps.getAppSession(appSessionId);
  }

  expireAppSession(appSessionId: string): Promise<void> {
    return this.#apps.expireAppSession(appSessionId);
  }

  claimSecret(name: string, candidate: string): Promise<string> {
    return this.#apps.claimSecret(name, candidate);
  }

  async setStatus(sessionId: string, status: SessionStatus, reason: string | null = null): Promise<void> {
    await this.#run(SET_STATUS, reason === null ? [sessionId, status] : [sessionId, status, reason]);
  }

  async setOwner(sessionId: string, ownerInstance: string): Promise<void> {
    await this.#run(SET_OWNER, [sessionId, ownerInstance]);
  }

  async counts(): Promise<SessionCounts> {
    const multi = this.#client.multi();
    for (const status of STATUSES) multi.sCard(this.#keys.status(status));
    const replies = await multi.exec();
    const counts: SessionCounts = { active: 0, expired: 0, closed: 0, draining: 0 };
    STATUSES.forEach((status, index) => {
      counts[status] = Number(replies[index]);
    });
    return counts;
  }

  async expire(now: number): Promise<string[]> {
    const expired: string[] = [];
    for (;;) {
      const [ids, read] = asPair(await this.#run(EXPIRE_SESSIONS, [String(now), String(SCRIPT_BATCH)]));
      expired.push(...asStrings(ids));
      if (Number(read) < SCRIPT_BATCH) return expired;
    }
  }

  async purge(before: number): Promise<number> {
    let purged = 0;
    for (;;) {
      const [count, read] = asPair(await this.#run(PURGE_SESSIONS, [String(before), String(SCRIPT_BATCH)]));
      purged += Number(count);
      if (Number(read) < SCRIPT_BATCH) break;
    }
    for (;;) {
      const [, read] = asPair(await this.#run(PURGE_APP_SESSIONS, [String(before), String(SCRIPT_BATCH)]));
      if (Number(read) < SCRIPT_BATCH) return purged;
    }
  }

  async trackRequest(record: RequestRecord): Promise<void> {
    await this.#requests.add(record);
  }

  async trackRequests(records: readonly RequestRecord[]): Promise<void> {
    for (let start = 0; start < records.length; start += MAX_BATCH) await this.#pushRequests(records.slice(start, start + MAX_BATCH));
  }

  async listRequests(sessionId: string, limit = 100): Promise<RequestRecord[]> {
    const entries = await this.#client.lRange(this.#keys.requests(sessionId), 0, Math.max(0, limit) - 1);
    // Written by trackRequest from a RequestRecord; the store is trusted.
    return limit <= 0 ? [] : entries.map((entry): RequestRecord => JSON.parse(entry));
  }

  async tryAcquireLock(name: string, owner: string, ttlMs: number): Promise<boolean> {
    const reply = await runScript(this.#client, ACQUIRE_LOCK, { keys: [this.#keys.lock(name)], arguments: [owner, String(ttlMs)] });
    return Number(reply) === 1;
  }

  async releaseLock(name: string, owner: string): Promise<void> {
    await runScript(this.#client, RELEASE_LOCK, { keys: [this.#keys.lock(name)], arguments: [owner] });
  }

  async ping(): Promise<void> {
    await this.#client.ping();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#close();
  }

  /** Bounded script calls: Lua runs atomically and blocks Redis meanwhile. */
  async #touchBatch(touches: readonly SessionTouch[], mode: 'set' | 'max'): Promise<void> {
    for (let start = 0; start < touches.length; start += SCRIPT_BATCH) {
      const args = touches
        .slice(start, start + SCRIPT_BATCH)
        .flatMap((touch) => [touch.kind ?? 'session', touch.sessionId, String(touch.lastActivityAt), String(touch.expiresAt)]);
      await this.#run(TOUCH_MANY, [mode, ...args]);
    }
  }

  /** One MULTI: per session one LPUSH of its records (oldest first, so the newest ends up first) and one LTRIM. */
  async #pushRequests(records: readonly RequestRecord[]): Promise<void> {
    const bySession = new Map<string, string[]>();
    for (const record of records) {
      const list = bySession.get(record.sessionId) ?? [];
      list.push(JSON.stringify(record));
      bySession.set(record.sessionId, list);
    }
    const multi = this.#client.multi();
    for (const [sessionId, entries] of bySession) {
      const key = this.#keys.requests(sessionId);
      multi.lPush(key, entries).lTrim(key, 0, this.#maxRequestsPerSession - 1);
    }
    await multi.exec();
  }

  #run(script: string, args: string[]): Promise<unknown> {
    return runScript(this.#client, script, { arguments: [this.#keys.prefix, ...args] });
  }
}

function toSessionRecord(hash: Record<string, string>): SessionRecord | undefined {
  const { sessionId, appSessionId, initializeParams, protocolVersion, status, ownerInstance } = hash;
  if (sessionId === undefined || appSessionId === undefined || initializeParams === undefined) return undefined;
  if (protocolVersion === undefined || ownerInstance === undefined || !isStatus(status)) return undefined;
  const params: unknown = JSON.parse(initializeParams);
  return {
    sessionId,
    appSessionId,
    principalHash: hash.principalHash ?? null,
    initializeParams: isObject(params) ? params : {},
    protocolVersion,
    createdAt: Number(hash.createdAt),
    lastActivityAt: Number(hash.lastActivityAt),
    expiresAt: Number(hash.expiresAt),
    status,
    disconnectReason: hash.disconnectReason ?? null,
    ownerInstance,
    ...(hash.state === undefined ? {} : { state: JSON.parse(hash.state) as SessionState }),
  };
}

function isStatus(value: string | undefined): value is SessionStatus {
  return STATUSES.some((status) => status === value);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asPair(reply: unknown): [unknown, unknown] {
  if (!Array.isArray(reply) || reply.length !== 2) throw new TypeError(`Expected a 2-element script reply, got ${String(reply)}`);
  return [reply[0], reply[1]];
}

function asStrings(reply: unknown): string[] {
  if (!Array.isArray(reply)) throw new TypeError(`Expected an array script reply, got ${String(reply)}`);
  return reply.map(String);
}
