import { MemoryEventStore } from './memory-event-store';
import { InProcessEventBus, type StoreEventBus } from './store-bus';
import type {
  AppSessionClaim,
  AppSessionClaimRequest,
  AppSessionRecord,
  EventStoreLimits,
  RequestRecord,
  SessionCounts,
  SessionEventStore,
  SessionRecord,
  SessionState,
  SessionStatus,
  SessionStore,
  SessionTouch,
} from './types';

/** Request records kept per session; the memory backend is for tests and demos, not an audit log. */
const MAX_REQUESTS_PER_SESSION = 1_000;

/**
 * An in-process {@link SessionStore}. Nothing survives the process: a restarted server answers 404
 * for every old session, which is exactly the case the client's re-initialize path is tested on.
 *
 * @example
 * ```ts
 * const sessions = new MemorySessionStore();
 * await sessions.init();
 * ```
 */
export class MemorySessionStore implements SessionStore {
  readonly kind = 'memory' as const;
  readonly #records = new Map<string, SessionRecord>();
  readonly #requests = new Map<string, RequestRecord[]>();
  readonly #locks = new Map<string, { owner: string; expiresAt: number }>();
  readonly #apps = new Map<string, AppSessionRecord>();
  readonly #secrets = new Map<string, string>();
  readonly #now: () => number;
  #closed = false;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  async init(): Promise<void> {
    this.#closed = false;
  }

  async create(record: SessionRecord): Promise<void> {
    if (this.#records.has(record.sessionId)) throw new Error(`Session ${record.sessionId} already exists`);
    this.#records.set(record.sessionId, copy(record));
  }

  async get(sessionId: string): Promise<SessionRecord | undefined> {
    const record = this.#records.get(sessionId);
    return record && copy(record);
  }

  async getByAppSessionId(appSessionId: string): Promise<SessionRecord | undefined> {
    let newest: SessionRecord | undefined;
    for (const record of this.#records.values()) {
      if (record.appSessionId === appSessionId && (newest === undefined || record.createdAt >= newest.createdAt)) {
        newest = record;
      }
    }
    return newest && copy(newest);
  }

  async touch(sessionId: string, now: number, expiresAt: number): Promise<void> {
    const record = this.#records.get(sessionId);
    if (record === undefined) return;
    record.lastActivityAt = now;
    record.expiresAt = expiresAt;
  }

  async touchMany(touches: readonly SessionTouch[]): Promise<void> {
    for (const touch of touches) {
      const record = touch.kind === 'app' ? this.#liveApp(touch.sessionId) : this.#records.get(touch.sessionId);
      if (record === undefined) continue;
      record.lastActivityAt = Math.max(record.lastActivityAt, touch.lastActivityAt);
      record.expiresAt = Math.max(record.expiresAt, touch.expiresAt);
    }
  }

  async saveSessionState(sessionId: string, state: SessionState): Promise<void> {
    const record = this.#records.get(sessionId);
    if (record !== undefined) record.state = { subscriptions: [...state.subscriptions], loggingLevel: state.loggingLevel };
  }

  async claimAppSession(claim: AppSessionClaimRequest): Promise<AppSessionClaim> {
    // One synchronous step: atomic by construction in a single-threaded process.
    const known = this.#apps.get(claim.appSessionId);
    if (known === undefined) {
      const record: AppSessionRecord = {
        appSessionId: claim.appSessionId,
        principalHash: claim.principalHash,
        createdAt: claim.now,
        lastActivityAt: claim.now,
        expiresAt: claim.expiresAt,
        status: 'active',
      };
      this.#apps.set(claim.appSessionId, record);
      return { outcome: 'created', record: { ...record } };
    }
    if (known.status === 'expired' || known.expiresAt <= claim.now) return { outcome: 'expired', record: { ...known } };
    if (known.principalHash !== claim.principalHash) return { outcome: 'foreign', record: { ...known } };
    known.lastActivityAt = claim.now;
    known.expiresAt = Math.max(known.expiresAt, claim.expiresAt);
    return { outcome: 'existing', record: { ...known } };
  }

  async getAppSession(appSessionId: string): Promise<AppSessionRecord | undefined> {
    const record = this.#apps.get(appSessionId);
    return record && { ...record };
  }

  async expireAppSession(appSessionId: string): Promise<void> {
    const record = this.#apps.get(appSessionId);
    if (record !== undefined) record.status = 'expired';
  }

  async claimSecret(name: string, candidate: string): Promise<string> {
    const known = this.#secrets.get(name);
    if (known !== undefined) return known;
    this.#secrets.set(name, candidate);
    return candidate;
  }

  async setStatus(sessionId: string, status: SessionStatus, reason: string | null = null): Promise<void> {
    const record = this.#records.get(sessionId);
    if (record === undefined) return;
    record.status = status;
    record.disconnectReason = reason;
  }

  async setOwner(sessionId: string, ownerInstance: string): Promise<void> {
    const record = this.#records.get(sessionId);
    if (record !== undefined) record.ownerInstance = ownerInstance;
  }

  async counts(): Promise<SessionCounts> {
    const counts: SessionCounts = { active: 0, expired: 0, closed: 0, draining: 0 };
    for (const record of this.#records.values()) counts[record.status] += 1;
    return counts;
  }

  async expire(now: number): Promise<string[]> {
    const expired: string[] = [];
    for (const record of this.#records.values()) {
      if ((record.status === 'active' || record.status === 'draining') && record.expiresAt <= now) {
        record.status = 'expired';
        record.disconnectReason = 'ttl';
        expired.push(record.sessionId);
      }
    }
    return expired;
  }

  async purge(before: number): Promise<number> {
    let purged = 0;
    for (const [sessionId, record] of this.#records) {
      if (record.status !== 'active' && record.lastActivityAt < before) {
        this.#records.delete(sessionId);
        this.#requests.delete(sessionId);
        purged += 1;
      }
    }
    for (const [appSessionId, record] of this.#apps) {
      if (record.expiresAt < before || (record.status === 'expired' && record.lastActivityAt < before)) {
        this.#apps.delete(appSessionId);
        this.#requests.delete(appSessionId);
      }
    }
    return purged;
  }

  async trackRequest(record: RequestRecord): Promise<void> {
    let list = this.#requests.get(record.sessionId);
    if (list === undefined) {
      list = [];
      this.#requests.set(record.sessionId, list);
    }
    list.push({ ...record });
    if (list.length > MAX_REQUESTS_PER_SESSION) list.splice(0, list.length - MAX_REQUESTS_PER_SESSION);
  }

  async trackRequests(records: readonly RequestRecord[]): Promise<void> {
    for (const record of records) await this.trackRequest(record);
  }

  async listRequests(sessionId: string, limit = 100): Promise<RequestRecord[]> {
    const list = this.#requests.get(sessionId) ?? [];
    return list.slice(-limit).reverse().map((record) => ({ ...record }));
  }

  async tryAcquireLock(name: string, owner: string, ttlMs: number): Promise<boolean> {
    const now = this.#now();
    const held = this.#locks.get(name);
    if (held !== undefined && held.owner !== owner && held.expiresAt > now) return false;
    this.#locks.set(name, { owner, expiresAt: now + ttlMs });
    return true;
  }

  async releaseLock(name: string, owner: string): Promise<void> {
    if (this.#locks.get(name)?.owner === owner) this.#locks.delete(name);
  }

  async ping(): Promise<void> {
    if (this.#closed) throw new Error('Memory session store is closed');
  }

  async close(): Promise<void> {
    this.#closed = true;
  }

  #liveApp(appSessionId: string): AppSessionRecord | undefined {
    const record = this.#apps.get(appSessionId);
    return record?.status === 'active' ? record : undefined;
  }
}

function copy(record: SessionRecord): SessionRecord {
  const { state, ...rest } = record;
  return state === undefined ? { ...rest } : { ...rest, state: { subscriptions: [...state.subscriptions], loggingLevel: state.loggingLevel } };
}

/**
 * Creates the in-process backend: a session store and a per-session event store.
 *
 * @example
 * ```ts
 * const { sessions, events } = await createMemoryStores({ maxEventsPerStream: 100 });
 * ```
 */
export async function createMemoryStores(
  limits: Partial<EventStoreLimits> = {},
): Promise<{ sessions: SessionStore; events: SessionEventStore; bus: StoreEventBus }> {
  // The bus travels with the stores: two handlers sharing these stores (in one process) share notifications.
  return { sessions: new MemorySessionStore(), events: new MemoryEventStore(limits), bus: new InProcessEventBus() };
}
