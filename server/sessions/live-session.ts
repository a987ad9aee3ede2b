import type { NodeStreamableHTTPServerTransport } from '@modelcontextprotocol/node';
import type { McpServer } from '@modelcontextprotocol/server';
import type { SessionHealth } from '../mcp/tool-context';

export interface LiveSessionInit {
  sessionId: string;
  appSessionId: string;
  principalHash: string | null;
  createdAt: number;
  expiresAt: number;
  transport: NodeStreamableHTTPServerTransport;
  server: McpServer;
}

/**
 * One session served by this process: the SDK transport + McpServer pair, plus the bookkeeping
 * the manager needs (activity, in-flight count, the per-session rate window).
 *
 * @example
 * ```ts
 * const live = new LiveSession({ sessionId, appSessionId, principalHash: null, createdAt, expiresAt, transport, server });
 * live.allowRequest(Date.now(), 100, 1_000); // true
 * ```
 */
export class LiveSession {
  readonly sessionId: string;
  readonly appSessionId: string;
  readonly principalHash: string | null;
  readonly createdAt: number;
  readonly transport: NodeStreamableHTTPServerTransport;
  readonly server: McpServer;
  lastActivityAt: number;
  expiresAt: number;
  requestCount = 0;
  inFlight = 0;
  #windowStartedAt = 0;
  #windowRequests = 0;

  constructor(init: LiveSessionInit) {
    this.sessionId = init.sessionId;
    this.appSessionId = init.appSessionId;
    this.principalHash = init.principalHash;
    this.createdAt = init.createdAt;
    this.lastActivityAt = init.createdAt;
    this.expiresAt = init.expiresAt;
    this.transport = init.transport;
    this.server = init.server;
  }

  /** Fixed-window rate limit: false when this request exceeds `limit` per `windowMs`. */
  allowRequest(now: number, limit: number, windowMs: number): boolean {
    if (now - this.#windowStartedAt >= windowMs) {
      this.#windowStartedAt = now;
      this.#windowRequests = 0;
    }
    this.#windowRequests += 1;
    return this.#windowRequests <= limit;
  }

  /** Milliseconds until the current rate window ends. */
  retryAfterMs(now: number, windowMs: number): number {
    return Math.max(0, this.#windowStartedAt + windowMs - now);
  }

  describe(): SessionHealth {
    return {
      mcpSessionId: this.sessionId,
      appSessionId: this.appSessionId,
      createdAt: new Date(this.createdAt).toISOString(),
      lastActivityAt: new Date(this.lastActivityAt).toISOString(),
      expiresAt: new Date(this.expiresAt).toISOString(),
      requestCount: this.requestCount,
    };
  }

  /** Closes the McpServer and its transport (open SSE streams end). The store record is untouched. */
  async close(): Promise<void> {
    await this.server.close();
  }
}
