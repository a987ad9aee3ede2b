/**
 * The storage contract of the reference server. Every backend (memory, file, pglite, postgres, redis)
 * implements both interfaces; the session manager never knows which one it talks to.
 * Times are epoch milliseconds.
 *
 * Durability: when `create`, `setStatus`, `setOwner`, `expire`, `purge` and an event store's
 * `storeEvent` resolve, the write is as durable as the backend gets (on disk for file/pglite/postgres;
 * Redis as its own persistence is configured). `touch`, `touchMany` and `trackRequest` may resolve
 * before that: a crash can lose the last batch of activity timestamps and request records, never a
 * session or an event a client was given the id of. A priming event (`{}`, a bare cursor) may ride on
 * the durability of the next event of its stream: a backend with an ordered log (file) does not wait
 * for it alone.
 */
import type { EventStore } from '@modelcontextprotocol/sdk/server/streamableHttp.js';

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
}

/** One entry of {@link SessionStore.touchMany}. */
export interface SessionTouch {
  sessionId: string;
  lastActivityAt: number;
  expiresAt: number;
}

export interface RequestRecord {
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
   * or one from another instance, must not shorten a session); unknown ids are ignored.
   */
  touchMany(touches: readonly SessionTouch[]): Promise<void>;
  setStatus(sessionId: string, status: SessionStatus, reason?: string | null): Promise<void>;
  /** Makes this instance the owner (adoption after restart or failover). */
  setOwner(sessionId: string, ownerInstance: string): Promise<void>;
  counts(): Promise<SessionCounts>;
  /** Marks every `active`/`draining` session with `expiresAt <= now` as `expired`; returns their ids. */
  expire(now: number): Promise<string[]>;
  /** Deletes non-active sessions (and their request records) last active before `before`; returns how many. */
  purge(before: number): Promise<number>;
  trackRequest(record: RequestRecord): Promise<void>;
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
