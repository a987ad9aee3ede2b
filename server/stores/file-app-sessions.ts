import type { JournalEntry } from './journal-line';
import { encodeJournalLine } from './journal-line';
import type { AppSessionClaim, AppSessionClaimRequest, AppSessionRecord, SessionTouch } from './types';

/** Journal tags of app sessions and secrets: `A` an app session as it is now (an upsert), `K` a secret. */
export type FileAppTag = 'A' | 'K';

/** What the file session store lends this half: its commit (apply + append) and the journal's sync point. */
export interface FileAppJournal {
  /** Applies `entry` here and appends it in the same synchronous step; `durable` waits for the disk. */
  commit(entry: JournalEntry, durable: boolean): Promise<void>;
  /** Resolves once everything appended so far is on disk. */
  durable(): Promise<void>;
}

/**
 * The app sessions (`X-Archon-Session-Id`) and shared secrets of the file store, in memory and in the journal
 * the session half writes. A claim decides and applies in one synchronous step, so it is atomic the way the
 * whole store is: one process holds the directory (`file-lock.ts`), and in it no other claim can run between
 * the check and the write. Every claim resolves only once what it reports is on disk, even one that wrote
 * nothing (it may rest on another claim still in flight): a crash never undoes an outcome a caller acted on. A claim
 * with `syncWithNextWrite` waits for no sync of its own: its line is in the journal ahead of the caller's next
 * durable write, which syncs both (one group commit for the legacy `initialize` instead of two).
 *
 * @example
 * ```ts
 * const apps = new FileAppSessions(journal);
 * const claim = await apps.claimAppSession({ appSessionId: 'app-1', principalHash: null, now, expiresAt });
 * ```
 */
export class FileAppSessions {
  readonly #apps = new Map<string, AppSessionRecord>();
  readonly #secrets = new Map<string, string>();
  readonly #journal: FileAppJournal;

  constructor(journal: FileAppJournal) {
    this.#journal = journal;
  }

  /** Applies one `A` or `K` entry (replay and every write). */
  apply(entry: JournalEntry): void {
    if (entry[0] === 'A') {
      const record = entry[1] as AppSessionRecord;
      this.#apps.set(record.appSessionId, record);
    } else if (entry[0] === 'K' && !this.#secrets.has(entry[1] as string)) {
      this.#secrets.set(entry[1] as string, entry[2] as string);
    }
  }

  /** Drops app sessions (a purge replayed or written). */
  forget(appSessionIds: readonly string[]): void {
    for (const id of appSessionIds) this.#apps.delete(id);
  }

  snapshotLines(out: string[]): void {
    for (const [name, value] of this.#secrets) out.push(encodeJournalLine(['K', name, value]));
    for (const record of this.#apps.values()) out.push(encodeJournalLine(['A', record]));
  }

  async claimAppSession(claim: AppSessionClaimRequest): Promise<AppSessionClaim> {
    const durable = claim.syncWithNextWrite !== true;
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
      await this.#journal.commit(['A', record], durable);
      return { outcome: 'created', record: { ...record } };
    }
    const lapsed = known.status === 'expired' || known.expiresAt <= claim.now;
    if (lapsed || known.principalHash !== claim.principalHash) {
      const record = { ...known };
      if (durable) await this.#journal.durable();
      return { outcome: lapsed ? 'expired' : 'foreign', record };
    }
    const record: AppSessionRecord = { ...known, lastActivityAt: claim.now, expiresAt: Math.max(known.expiresAt, claim.expiresAt) };
    await this.#journal.commit(['A', record], durable);
    return { outcome: 'existing', record: { ...record } };
  }

  async getAppSession(appSessionId: string): Promise<AppSessionRecord | undefined> {
    const record = this.#apps.get(appSessionId);
    return record && { ...record };
  }

  async expireAppSession(appSessionId: string): Promise<void> {
    const known = this.#apps.get(appSessionId);
    if (known === undefined || known.status === 'expired') return;
    await this.#journal.commit(['A', { ...known, status: 'expired' }], true);
  }

  /** The app-session half of `touchMany`: forward only, live records only, written lazily (activity). */
  async touch(touch: SessionTouch): Promise<void> {
    const known = this.#apps.get(touch.sessionId);
    if (known === undefined || known.status !== 'active') return;
    const lastActivityAt = Math.max(known.lastActivityAt, touch.lastActivityAt);
    const expiresAt = Math.max(known.expiresAt, touch.expiresAt);
    if (lastActivityAt === known.lastActivityAt && expiresAt === known.expiresAt) return;
    await this.#journal.commit(['A', { ...known, lastActivityAt, expiresAt }], false);
  }

  /** App sessions the deep purge removes: past their expiry, or expired and idle, before `before`. */
  due(before: number): string[] {
    const ids: string[] = [];
    for (const record of this.#apps.values()) {
      if (record.expiresAt < before || (record.status === 'expired' && record.lastActivityAt < before)) ids.push(record.appSessionId);
    }
    return ids;
  }

  async claimSecret(name: string, candidate: string): Promise<string> {
    const known = this.#secrets.get(name);
    if (known !== undefined) {
      await this.#journal.durable();
      return known;
    }
    await this.#journal.commit(['K', name, candidate], true);
    return candidate;
  }
}
