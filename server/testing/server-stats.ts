import type { IncomingHttpHeaders } from 'node:http';

/** Per-request app session ids kept for `appSessionIds`; older ones are dropped. */
const MAX_APP_SESSION_IDS = 1_000;

/** Headers whose values are credentials: never exposed, even to tests (STYLE.md 15). */
const REDACTED_HEADERS = new Set(['authorization', 'cookie', 'proxy-authorization']);

/**
 * A copy of what the server has seen, for tests to assert counts on.
 *
 * @example
 * ```ts
 * const { requests, toolRuns } = server.stats();
 * expect(toolRuns['counter']).toBe(1);
 * ```
 */
export interface ServerStatsSnapshot {
  /** Every request to the MCP path, including rejected and fault-injected ones. */
  requests: number;
  byHttpMethod: Record<string, number>;
  /** JSON-RPC methods of POSTed messages (each message of a batch counts). */
  byRpcMethod: Record<string, number>;
  /** HTTP status of answered MCP requests (SSE streams count once, when their headers go out). */
  byStatus: Record<string, number>;
  /** Tool executions by tool name (callbacks that actually ran). */
  toolRuns: Record<string, number>;
  /** Tool executions stopped by `notifications/cancelled` (or a closed session), by tool name. */
  toolCancellations: Record<string, number>;
  initializeCount: number;
  deleteCount: number;
  /** Requests answered by `failNext`. */
  faultsInjected: number;
  /** SSE responses cut by `cutStreams`/`cutAfterEvents`. */
  streamsCut: number;
  sessionsCreated: number;
  sessionsRecovered: number;
  /** Headers of the last MCP request, lower-cased names; credentials redacted. */
  lastHeaders: Record<string, string>;
  /** The app session id header of each MCP request (null when absent), oldest first, bounded. */
  appSessionIds: (string | null)[];
  /** MCP responses open right now (SSE streams, POSTs awaiting results). Not reset by `reset()`. */
  openResponses: number;
}

/** The session layer's lifecycle counts the stats report. */
export interface SessionCountsSource {
  created: number;
  adopted: number;
}

function increment(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

/**
 * Counts what the server saw. `server.stats()` and `GET /__archon/stats` return a snapshot.
 *
 * @example
 * ```ts
 * const stats = new ServerStats('x-archon-session-id');
 * stats.snapshot().requests; // 0
 * ```
 */
export class ServerStats {
  readonly #appHeader: string;
  readonly #openResponses: () => number;
  readonly #sessions: () => SessionCountsSource;
  #stats: ServerStatsSnapshot = ServerStats.#empty();
  #baseline: SessionCountsSource;

  /** `sessions` reads the session layer's own counts (created, adopted); snapshots show them since the last reset. */
  constructor(appSessionHeader: string, openResponses: () => number = () => 0, sessions: () => SessionCountsSource = () => ({ created: 0, adopted: 0 })) {
    this.#appHeader = appSessionHeader.toLowerCase();
    this.#openResponses = openResponses;
    this.#sessions = sessions;
    this.#baseline = sessions();
  }

  static #empty(): ServerStatsSnapshot {
    return {
      requests: 0,
      byHttpMethod: {},
      byRpcMethod: {},
      byStatus: {},
      toolRuns: {},
      toolCancellations: {},
      initializeCount: 0,
      deleteCount: 0,
      faultsInjected: 0,
      streamsCut: 0,
      sessionsCreated: 0,
      sessionsRecovered: 0,
      lastHeaders: {},
      appSessionIds: [],
      openResponses: 0,
    };
  }

  recordRequest(httpMethod: string, headers: IncomingHttpHeaders): void {
    const stats = this.#stats;
    stats.requests += 1;
    increment(stats.byHttpMethod, httpMethod);
    if (httpMethod === 'DELETE') stats.deleteCount += 1;
    const lastHeaders: Record<string, string> = {};
    for (const [name, value] of Object.entries(headers)) {
      if (value === undefined) continue;
      lastHeaders[name] = REDACTED_HEADERS.has(name) ? '[redacted]' : [value].flat().join(', ');
    }
    stats.lastHeaders = lastHeaders;
    const appId = headers[this.#appHeader];
    stats.appSessionIds.push(typeof appId === 'string' ? appId : null);
    if (stats.appSessionIds.length > MAX_APP_SESSION_IDS) stats.appSessionIds.shift();
  }

  recordRpcMethods(methods: readonly string[]): void {
    for (const method of methods) {
      increment(this.#stats.byRpcMethod, method);
      if (method === 'initialize') this.#stats.initializeCount += 1;
    }
  }

  recordStatus(status: number): void {
    increment(this.#stats.byStatus, String(status));
  }

  recordToolRun(name: string): void {
    increment(this.#stats.toolRuns, name);
  }

  recordToolCancelled(name: string): void {
    increment(this.#stats.toolCancellations, name);
  }

  recordFault(): void {
    this.#stats.faultsInjected += 1;
  }

  recordStreamCut(): void {
    this.#stats.streamsCut += 1;
  }

  snapshot(): ServerStatsSnapshot {
    const sessions = this.#sessions();
    return {
      ...structuredClone(this.#stats),
      sessionsCreated: sessions.created - this.#baseline.created,
      sessionsRecovered: sessions.adopted - this.#baseline.adopted,
      openResponses: this.#openResponses(),
    };
  }

  reset(): void {
    this.#stats = ServerStats.#empty();
    this.#baseline = this.#sessions();
  }
}
