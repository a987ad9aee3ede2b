/**
 * The storage contract of the reference server. Every backend (memory, file, pglite, postgres, redis)
 * implements both interfaces; the session manager never knows which one it talks to.
 * Times are epoch milliseconds.
 *
 * Durability: when `create`, `setStatus`, `setOwner`, `saveSessionState`, `expire`, `purge`, the app-session
 * writes (`claimAppSession`, `expireAppSession`), `claimSecret` and an event store's `storeEvent` resolve, the
 * write is as durable as the backend gets (on disk for file/pglite/postgres; Redis as its own persistence is
 * configured). `touch`, `touchMany`, `trackRequest` and `trackRequests` may resolve
 * before that: a crash can lose the last batch of activity timestamps and request records, never a
 * session or an event a client was given the id of. A priming event (`{}`, a bare cursor) may ride on
 * the durability of the next event of its stream: a backend with an ordered log (file) does not wait
 * for it alone.
 */
import type { EventStore } from '@modelcontextprotocol/server';

export type StoreKind = 'memory' | 'file' | 'pglite' | 'postgres' | 'redis';

/** `draining`: the owning process is shutting down gracefully; another instance may adopt it. */
export type SessionStatus = 'active' | 'expired' | 'closed' | 'draining';

export interface SessionRecord {
  /** The protocol session id (`Mcp-Session-Id`). Crypto-random. */
  sessionId: string;
  /** The application session id (`X-Archon-Session-Id`). */
  appSessionId: string;
  /** sha256 of the bearer token the session was created with; null without auth. */
  principalHash: string | null;
  /** The params of the `initialize` request, replayed to adopt the session in another process. */
  initializeParams: Record<string, unknown>;
  protocolVersion: string;
  createdAt: number;
  lastActivityAt: number;
  expiresAt: number;
  status: SessionStatus;
  disconnectReason: string | null;
  /** Id of the server instance that created or last adopted the session. */
  ownerInstance: string;
  /**
   * What the client set up during the session, restored when it is adopted. The client's capabilities live in
   * `initializeParams`. Absent in records written before schema v2 (read as empty).
   */
  state?: SessionState;
}

/**
 * Per-session state a legacy session accumulates after `initialize`, saved with its record.
 *
 * @example
 * ```ts
 * const state: SessionState = { subscriptions: ['archon://status'], loggingLevel: 'warning' };
 * ```
 */
export interface SessionState {
  /** Resource URIs the client subscribed to (`resources/subscribe`). */
  subscriptions: string[];
  /** The level the client set with `logging/setLevel`; null when it never did. */
  loggingLevel: string | null;
}

/** `expired`: past its expiry or forced out; a claim of it yields a fresh id. */
export type AppSessionStatus = 'active' | 'expired';

/**
 * An application session (`X-Archon-Session-Id`): spans the protocol sessions of one client (legacy era) and is
 * the only session of the modern era. Bound to the principal that claimed it first.
 *
 * @example
 * ```ts
 * const record: AppSessionRecord = { appSessionId: 'app-1', principalHash: null, createdAt: 0, lastActivityAt: 0, expiresAt: 1_000, status: 'active' };
 * ```
 */
export interface AppSessionRecord {
  appSessionId: string;
  principalHash: string | null;
  createdAt: number;
  lastActivityAt: number;
  expiresAt: number;
  status: AppSessionStatus;
}

/**
 * What {@link SessionStore.claimAppSession} is asked: the id, who claims it, the clock and the new expiry.
 * `syncWithNextWrite` is explained there.
 *
 * @example
 * ```ts
 * const request: AppSessionClaimRequest = { appSessionId: 'app-1', principalHash: null, now: Date.now(), expiresAt: Date.now() + 60_000 };
 * ```
 */
export interface AppSessionClaimRequest {
  appSessionId: string;
  principalHash: string | null;
  now: number;
  expiresAt: number;
  syncWithNextWrite?: boolean;
}

/**
 * An atomic claim of an app session id: `created` (it was free), `existing` (already this principal's, still
 * valid), `foreign` (another principal's) or `expired`. Only the first two grant the id.
 *
 * @example
 * ```ts
 * const claim: AppSessionClaim = await store.claimAppSession({ appSessionId, principalHash, now, expiresAt });
 * if (claim.outcome === 'foreign' || claim.outcome === 'expired') useAFreshId();
 * ```
 */
export interface AppSessionClaim {
  outcome: 'created' | 'existing' | 'foreign' | 'expired';
  record: AppSessionRecord;
}

/**
 * One entry of {@link SessionStore.touchMany}: the activity of a protocol session, or of an app session
 * (`kind: 'app'`, `sessionId` then names the `X-Archon-Session-Id`), for the write-behind batch.
 *
 * @example
 * ```ts
 * await store.touchMany([{ sessionId, lastActivityAt: now, expiresAt }, { kind: 'app', sessionId: appSessionId, lastActivityAt: now, expiresAt }]);
 * ```
 */
export interface SessionTouch {
  /**
   * Which session `sessionId` names.
   * @default 'session'
   */
  kind?: 'session' | 'app';
  sessionId: string;
  lastActivityAt: number;
  expiresAt: number;
}

export interface RequestRecord {
  /** The protocol session (legacy era), or the app session a modern request carried. */
  sessionId: string;
  /** JSON-RPC id; null for notifications. */
  requestId: string | number | null;
  method: string;
  /** Tool name for `tools/call`, else null. */
  tool: string | null;
  startedAt: number;
  durationMs: number;
  /** HTTP status the request was answered with. */
  status: number;
}

export type SessionCounts = Record<SessionStatus, number>;

export interface SessionStore {
  readonly kind: StoreKind;
  /** Connects and runs migrations. Idempotent. */
  init(): Promise<void>;
  create(record: SessionRecord): Promise<void>;
  get(sessionId: string): Promise<SessionRecord | undefined>;
  /** The newest session linked to an application session id. */
  getByAppSessionId(appSessionId: string): Promise<SessionRecord | undefined>;
  /** Records activity and pushes out the expiry. */
  touch(sessionId: string, now: number, expiresAt: number): Promise<void>;
  /**
   * `touch` for many sessions in one backend round trip, for a session layer that writes activity
   * behind in batches. Never moves a session's `lastActivityAt` or `expiresAt` backwards (a late batch,
   * or one from another instance, must not shorten a session); unknown ids, and app sessions no longer active, are ignored.
   */
  touchMany(touches: readonly SessionTouch[]): Promise<void>;
  /** Saves what the client set up during the session (subscriptions, logging level). */
  saveSessionState(sessionId: string, state: SessionState): Promise<void>;
  /**
   * Claims an app session id for `principalHash`, atomically (a unique key or a script, never check-then-create):
   * of concurrent claims of one free id exactly one gets `created`. `existing` pushes out its expiry.
   *
   * `syncWithNextWrite: true` is for a caller that acknowledges nothing before its next durable write to this store
   * (the legacy `initialize`: the claim, then `create` of the protocol session, then the answer). A backend whose
   * writes land in one ordered log (file) may then resolve the claim before it is on disk: that next write makes
   * it durable too, with one sync instead of two. Others ignore it.
   */
  claimAppSession(claim: AppSessionClaimRequest): Promise<AppSessionClaim>;
  getAppSession(appSessionId: string): Promise<AppSessionRecord | undefined>;
  /** Marks an app session expired (a forced expiry of its protocol session). */
  expireAppSession(appSessionId: string): Promise<void>;
  /**
   * Returns the value stored under `name`, storing `candidate` first when there is none, atomically: every
   * instance sharing the store gets the same value (the request-state key).
   */
  claimSecret(name: string, candidate: string): Promise<string>;
  setStatus(sessionId: string, status: SessionStatus, reason?: string | null): Promise<void>;
  /** Makes this instance the owner (adoption after restart or failover). */
  setOwner(sessionId: string, ownerInstance: string): Promise<void>;
  counts(): Promise<SessionCounts>;
  /** Marks every `active`/`draining` session with `expiresAt <= now` as `expired`; returns their ids. */
  expire(now: number): Promise<string[]>;
  /**
   * Deletes non-active sessions (and their request records) last active before `before`, and app sessions that
   * expired before it; returns how many protocol sessions.
   */
  purge(before: number): Promise<number>;
  trackRequest(record: RequestRecord): Promise<void>;
  /** Many request records in one round trip (the write-behind batch). */
  trackRequests(records: readonly RequestRecord[]): Promise<void>;
  listRequests(sessionId: string, limit?: number): Promise<RequestRecord[]>;
  /** Leader lock for cleanup when instances share a store. True when `owner` holds it now. */
  tryAcquireLock(name: string, owner: string, ttlMs: number): Promise<boolean>;
  releaseLock(name: string, owner: string): Promise<void>;
  /** Throws when the backend is unreachable. Used by `/health`. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Options every event store honours. */
export interface EventStoreLimits {
  /** How long events are kept. @default 300_000 */
  ttlMs: number;
  /** Cap on events kept per stream (oldest dropped). @default 1_000 */
  maxEventsPerStream: number;
}

/**
 * Holds SSE events for resumption. The SDK's GET stream id is the constant `_GET_stream`, so a store
 * shared by sessions MUST be scoped: `forSession` returns an SDK `EventStore` whose ids and streams
 * belong to that session only (SDK issues #1004, #2560).
 */
export interface SessionEventStore {
  forSession(sessionId: string): EventStore;
  /** Deletes every event of a session. */
  deleteSession(sessionId: string): Promise<void>;
  /** Deletes events older than the TTL and events of sessions that no longer exist; returns how many. */
  purgeExpired(now: number, liveSessionIds?: ReadonlySet<string>): Promise<number>;
  close(): Promise<void>;
}
