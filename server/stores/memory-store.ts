import { MemoryEventStore } from './memory-event-store';
import type {
  EventStoreLimits,
  RequestRecord,
  SessionCounts,
  SessionEventStore,
  SessionRecord,
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
    this.#records.set(record.sessionId, { ...record });
  }

  async get(sessionId: string): Promise<SessionRecord | undefined> {
    const record = this.#records.get(sessionId);
    return record && { ...record };
  }

  async getByAppSessionId(appSessionId: string): Promise<SessionRecord | undefined> {
    let newest: SessionRecord | undefined;
    for (const record of this.#records.values()) {
      if (record.appSessionId === appSessionId && (newest === undefined || record.createdAt >= newest.createdAt)) {
        newest = record;
      }
    }
    return newest && { ...newest };
  }

  async touch(sessionId: string, now: number, expiresAt: number): Promise<void> {
    const record = this.#records.get(sessionId);
    if (record === undefined) return;
    record.lastActivityAt = now;
    record.expiresAt = expiresAt;
  }

  async touchMany(touches: readonly SessionTouch[]): Promise<void> {
    for (const touch of touches) {
      const record = this.#records.get(touch.sessionId);
      if (record === undefined) continue;
      record.lastActivityAt = Math.max(record.lastActivityAt, touch.lastActivityAt);
      record.expiresAt = Math.max(record.expiresAt, touch.expiresAt);
    }
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
): Promise<{ sessions: SessionStore; events: SessionEventStore }> {
  return { sessions: new MemorySessionStore(), events: new MemoryEventStore(limits) };
}
