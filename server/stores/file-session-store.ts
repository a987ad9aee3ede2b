import { FileAppSessions, type FileAppTag } from './file-app-sessions';
import type { JournalEntry } from './journal-line';
import { decodeJournalLine, encodeJournalLine } from './journal-line';
import type { JournalWriter } from './journal-writer';
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
 * Journal tags of the session half: `S` a created record, `T` a touch, `U` a status change, `O` an
 * owner change, `V` a saved session state, `X` ids expired by `expire()`, `P` ids purged (protocol sessions,
 * then app sessions), `R` a request record; app sessions and secrets (`A`, `K`) in `file-app-sessions.ts`.
 */
type SessionTag = 'S' | 'T' | 'U' | 'O' | 'V' | 'X' | 'P' | 'R' | FileAppTag;

/**
 * {@link SessionStore} of the file backend: the records live in memory (a `get` is a map lookup), and
 * every change is applied there and appended to the journal in the same synchronous step, so the state
 * a snapshot captures is exactly what the journal holds. Replaying the journal through {@link apply}
 * rebuilds it. Locks are in memory only: one process holds the directory (`file-lock.ts`), so a lock
 * never needs to outlive it.
 *
 * @example
 * ```ts
 * const { sessions } = await createFileStores('.mcp-data');
 * await sessions.get('some-session-id');
 * ```
 */
export class FileSessionStore implements SessionStore {
  readonly kind = 'file' as const;
  readonly #records = new Map<string, SessionRecord>();
  /** Session ids per application session id, for `getByAppSessionId`. */
  readonly #byApp = new Map<string, string[]>();
  /** Journal lines of each session's request records, oldest first, capped. */
  readonly #requests = new Map<string, string[]>();
  readonly #locks = new Map<string, { owner: string; expiresAt: number }>();
  readonly #apps = new FileAppSessions({
    commit: (entry, durable) => this.#commit(entry, durable),
    durable: () =>
      this.#journal === undefined || this.#closed ? Promise.reject(new Error('The file session store is closed')) : this.#journal.durable(),
  });
  readonly #maxRequestsPerSession: number;
  readonly #now: () => number;
  #journal: JournalWriter | undefined;
  #close: () => Promise<void> = async () => {};
  #closed = false;

  constructor(options: { maxRequestsPerSession: number; now: () => number }) {
    this.#maxRequestsPerSession = options.maxRequestsPerSession;
    this.#now = options.now;
  }

  /** Connects the store to its journal once replay is done; `close` releases the shared journal. */
  attach(journal: JournalWriter, close: () => Promise<void>): void {
    this.#journal = journal;
    this.#close = close;
  }

  /** Applies one journal entry (`line` is its encoded text). Used by replay and by every write. */
  apply(entry: JournalEntry, line: string): void {
    switch (entry[0] as SessionTag) {
      case 'S': {
        const record = entry[1] as SessionRecord;
        this.#records.set(record.sessionId, record);
        const ids = this.#byApp.get(record.appSessionId);
        if (ids === undefined) this.#byApp.set(record.appSessionId, [record.sessionId]);
        else if (!ids.includes(record.sessionId)) ids.push(record.sessionId);
        return;
      }
      case 'T': {
        const record = this.#records.get(entry[1] as string);
        if (record === undefined) return;
        record.lastActivityAt = entry[2] as number;
        record.expiresAt = entry[3] as number;
        return;
      }
      case 'U': {
        const record = this.#records.get(entry[1] as string);
        if (record === undefined) return;
        record.status = entry[2] as SessionStatus;
        record.disconnectReason = entry[3] as string | null;
        return;
      }
      case 'O': {
        const record = this.#records.get(entry[1] as string);
        if (record !== undefined) record.ownerInstance = entry[2] as string;
        return;
      }
      case 'V': {
        const record = this.#records.get(entry[1] as string);
        if (record !== undefined) record.state = entry[2] as SessionState;
        return;
      }
      case 'A':
      case 'K':
        this.#apps.apply(entry);
        return;
      case 'X':
        for (const id of entry[1] as string[]) {
          const record = this.#records.get(id);
          if (record === undefined) continue;
          record.status = 'expired';
          record.disconnectReason = 'ttl';
        }
        return;
      case 'P':
        for (const id of entry[1] as string[]) this.#delete(id);
        // Format 1 journals have no app sessions: no second list.
        for (const id of (entry[2] ?? []) as string[]) this.#requests.delete(id);
        this.#apps.forget((entry[2] ?? []) as string[]);
        return;
      case 'R': {
        const sessionId = entry[1] as string;
        let lines = this.#requests.get(sessionId);
        if (lines === undefined) {
          lines = [];
          this.#requests.set(sessionId, lines);
        }
        lines.push(line);
        if (lines.length > this.#maxRequestsPerSession) lines.splice(0, lines.length - this.#maxRequestsPerSession);
        return;
      }
    }
  }

  /** Appends the lines that recreate this state (records as they are now, app sessions, then request records). */
  snapshotLines(out: string[]): void {
    for (const record of this.#records.values()) out.push(encodeJournalLine(['S', record]));
    this.#apps.snapshotLines(out);
    for (const lines of this.#requests.values()) for (const line of lines) out.push(line);
  }

  async init(): Promise<void> {}

  async create(record: SessionRecord): Promise<void> {
    if (this.#records.has(record.sessionId)) throw new Error(`Session ${record.sessionId} already exists`);
    await this.#commit(['S', copy(record)], true);
  }

  async get(sessionId: string): Promise<SessionRecord | undefined> {
    const record = this.#records.get(sessionId);
    return record && copy(record);
  }

  async getByAppSessionId(appSessionId: string): Promise<SessionRecord | undefined> {
    let newest: SessionRecord | undefined;
    for (const id of this.#byApp.get(appSessionId) ?? []) {
      const record = this.#records.get(id);
      if (record !== undefined && (newest === undefined || record.createdAt >= newest.createdAt)) newest = record;
    }
    return newest && copy(newest);
  }

  async touch(sessionId: string, now: number, expiresAt: number): Promise<void> {
    if (!this.#records.has(sessionId)) return;
    await this.#commit(['T', sessionId, now, expiresAt], false);
  }

  async touchMany(touches: readonly SessionTouch[]): Promise<void> {
    for (const touch of touches) {
      if (touch.kind === 'app') {
        await this.#apps.touch(touch);
        continue;
      }
      const record = this.#records.get(touch.sessionId);
      if (record === undefined) continue;
      const lastActivityAt = Math.max(record.lastActivityAt, touch.lastActivityAt);
      const expiresAt = Math.max(record.expiresAt, touch.expiresAt);
      if (lastActivityAt !== record.lastActivityAt || expiresAt !== record.expiresAt) {
        await this.#commit(['T', touch.sessionId, lastActivityAt, expiresAt], false);
      }
    }
  }

  async saveSessionState(sessionId: string, state: SessionState): Promise<void> {
    if (!this.#records.has(sessionId)) return;
    // Durable: the client's subscribe / setLevel is answered only after this resolves.
    await this.#commit(['V', sessionId, { subscriptions: [...state.subscriptions], loggingLevel: state.loggingLevel }], true);
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
    if (!this.#records.has(sessionId)) return;
    await this.#commit(['U', sessionId, status, reason], true);
  }

  async setOwner(sessionId: string, ownerInstance: string): Promise<void> {
    if (!this.#records.has(sessionId)) return;
    await this.#commit(['O', sessionId, ownerInstance], true);
  }

  async counts(): Promise<SessionCounts> {
    const counts: SessionCounts = { active: 0, expired: 0, closed: 0, draining: 0 };
    for (const record of this.#records.values()) counts[record.status] += 1;
    return counts;
  }

  async expire(now: number): Promise<string[]> {
    const due: string[] = [];
    for (const record of this.#records.values()) {
      if ((record.status === 'active' || record.status === 'draining') && record.expiresAt <= now) due.push(record.sessionId);
    }
    if (due.length > 0) await this.#commit(['X', due], true);
    return due;
  }

  async purge(before: number): Promise<number> {
    const ids: string[] = [];
    for (const record of this.#records.values()) {
      if (record.status !== 'active' && record.lastActivityAt < before) ids.push(record.sessionId);
    }
    const appIds = this.#apps.due(before);
    if (ids.length > 0 || appIds.length > 0) await this.#commit(['P', ids, appIds], true);
    return ids.length;
  }

  async trackRequest(record: RequestRecord): Promise<void> {
    const { sessionId, requestId, method, tool, startedAt, durationMs, status } = record;
    await this.#commit(['R', sessionId, requestId, method, tool, startedAt, durationMs, status], false);
  }

  async trackRequests(records: readonly RequestRecord[]): Promise<void> {
    for (const record of records) await this.trackRequest(record);
  }

  async listRequests(sessionId: string, limit = 100): Promise<RequestRecord[]> {
    const lines = this.#requests.get(sessionId) ?? [];
    if (limit <= 0) return [];
    return lines
      .slice(-limit)
      .reverse()
      .flatMap((line) => {
        const entry = decodeJournalLine(line.trimEnd());
        if (entry === undefined) return [];
        const [, id, requestId, method, tool, startedAt, durationMs, status] = entry;
        return [{ sessionId: id, requestId, method, tool, startedAt, durationMs, status } as RequestRecord];
      });
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
    if (this.#closed) throw new Error('The file session store is closed');
    const failure = this.#journal?.failure;
    if (failure !== undefined) throw failure;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#close();
  }

  #delete(sessionId: string): void {
    const record = this.#records.get(sessionId);
    if (record === undefined) return;
    this.#records.delete(sessionId);
    this.#requests.delete(sessionId);
    const ids = this.#byApp.get(record.appSessionId)?.filter((id) => id !== sessionId) ?? [];
    if (ids.length === 0) this.#byApp.delete(record.appSessionId);
    else this.#byApp.set(record.appSessionId, ids);
  }

  /** Applies and appends in one synchronous step; `durable` waits for the batch to reach the disk. */
  #commit(entry: JournalEntry, durable: boolean): Promise<void> {
    const journal = this.#journal;
    if (journal === undefined || this.#closed) return Promise.reject(new Error('The file session store is closed'));
    if (journal.failure !== undefined) return Promise.reject(journal.failure);
    const line = encodeJournalLine(entry);
    this.apply(entry, line);
    if (durable) return journal.append(line);
    journal.appendLazy(line);
    return Promise.resolve();
  }
}

/** A record of its own for each caller, its state included (callers may change what they get). */
function copy(record: SessionRecord): SessionRecord {
  const { state, ...rest } = record;
  return state === undefined
    ? { ...rest }
    : { ...rest, state: { subscriptions: [...state.subscriptions], loggingLevel: state.loggingLevel } };
}
