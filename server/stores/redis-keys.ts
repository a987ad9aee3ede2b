import type { SessionStatus } from './types';

/**
 * Every Redis key the stores use, under one prefix (default `mcp:`) so several deployments or test
 * suites can share one Redis. Layout (server-anchors.md):
 * - `session:{id}` hash: the session record
 * - `app:{appSessionId}` zset: session ids by createdAt (newest = getByAppSessionId)
 * - `sessions:status:{status}` set: ids per status (`counts()` is four SCARDs)
 * - `sessions:expiry` zset: active/draining ids by expiresAt (`expire()`)
 * - `sessions:inactive` zset: non-active ids by lastActivityAt (`purge()`)
 * - `req:{id}` list: request records, newest first, capped
 * - `lock:{name}` string: the owner, with PX expiry
 * - `app-session:{appSessionId}` hash: the app session record; `app-sessions:expiry` zset: ids by expiresAt
 * - `secret:{name}` string: a value every instance shares (the request-state key)
 * - `ev:{sessionId}:{streamId}` stream: events; `ev-streams:{sessionId}` set: a session's stream ids;
 *   `ev-index` zset: every stream by last write (purge without SCAN)
 *
 * @example
 * ```ts
 * new RedisKeys('mcp:').session('abc'); // 'mcp:session:abc'
 * ```
 */
export class RedisKeys {
  readonly prefix: string;

  constructor(prefix: string) {
    this.prefix = prefix;
  }

  session(sessionId: string): string {
    return `${this.prefix}session:${sessionId}`;
  }

  app(appSessionId: string): string {
    return `${this.prefix}app:${appSessionId}`;
  }

  status(status: SessionStatus): string {
    return `${this.prefix}sessions:status:${status}`;
  }

  requests(sessionId: string): string {
    return `${this.prefix}req:${sessionId}`;
  }

  appSession(appSessionId: string): string {
    return `${this.prefix}app-session:${appSessionId}`;
  }

  secret(name: string): string {
    return `${this.prefix}secret:${name}`;
  }

  lock(name: string): string {
    return `${this.prefix}lock:${name}`;
  }

  stream(sessionId: string, streamId: string): string {
    return `${this.prefix}ev:${sessionId}:${streamId}`;
  }

  sessionStreams(sessionId: string): string {
    return `${this.prefix}ev-streams:${sessionId}`;
  }

  get streamIndex(): string {
    return `${this.prefix}ev-index`;
  }
}
