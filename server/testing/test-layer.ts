/**
 * The reference server's opt-in test layer: wraps the session handler's node handler FROM OUTSIDE (the session
 * layer knows nothing of it) to count what it saw, inject faults before a request reaches the handler, and cut
 * responses on their way out. Never in the production path: `archon-mcp serve` mounts it only with --test-hooks.
 */
import type { ServerResponse } from 'node:http';
import { readLimited } from '../http/http-input';
import { jsonRpcErrorResponse, RPC_ERROR } from '../http/json-rpc-error';
import { writeNodeResponse, type NodeRequestLike } from '../http/node-adapter';
import { bodyReadRefusal } from '../http/read-mcp-messages';
import type { SessionHandler } from '../session-handler';
import { FaultInjector, type ServerFaults } from './fault-injector';
import { OpenResponses } from './open-responses';
import { ServerStats } from './server-stats';
import { handleTestHook } from './test-hooks-endpoint';

type NodeHandler = SessionHandler['handle'];

export interface TestLayer {
  /** The wrapped `/mcp` handler. */
  readonly handle: NodeHandler;
  readonly faults: ServerFaults;
  readonly stats: ServerStats;
  /** Serves `/__archon/*`; false for paths it does not know. */
  hooks(req: NodeRequestLike, res: ServerResponse, path: string): Promise<boolean>;
}

/** The JSON-RPC methods of a body, if it parses; the handler decides what a bad body gets. */
function rpcMethodsOf(bytes: Uint8Array | undefined): string[] {
  if (bytes === undefined || bytes.byteLength === 0) return [];
  try {
    const parsed: unknown = JSON.parse(new TextDecoder().decode(bytes));
    const messages = Array.isArray(parsed) ? parsed : [parsed];
    return messages.flatMap((message: unknown) => {
      const method = typeof message === 'object' && message !== null ? (message as { method?: unknown }).method : undefined;
      return typeof method === 'string' ? [method] : [];
    });
  } catch {
    return [];
  }
}

function replyIdOf(bytes: Uint8Array | undefined): string | number | null {
  try {
    const parsed: unknown = JSON.parse(new TextDecoder().decode(bytes ?? new Uint8Array()));
    const id = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as { id?: unknown }).id : undefined;
    return typeof id === 'string' || typeof id === 'number' ? id : null;
  } catch {
    return null;
  }
}

/** What the test layer reads a body under: the session layer's own limits, so a hostile body is cut here as there. */
export interface TestLayerOptions {
  maxBodyBytes: number;
  sessionHeader: string;
  bodyReadTimeoutMs: number;
  bodyTimeoutMs: number;
}

/**
 * @example
 * ```ts
 * const layer = createTestLayer(mcp, { maxBodyBytes: 4 * 1024 * 1024, sessionHeader: 'X-Archon-Session-Id', bodyReadTimeoutMs: 30_000, bodyTimeoutMs: 60_000 });
 * http.createServer((req, res) => void layer.handle(req, res));
 * layer.faults.failNext({ status: 503, retryAfter: 1 });
 * ```
 */
export function createTestLayer(mcp: SessionHandler, options: TestLayerOptions): TestLayer {
  const openResponses = new OpenResponses(() => stats.recordStreamCut());
  const stats: ServerStats = new ServerStats(
    options.sessionHeader,
    () => openResponses.size,
    () => {
      const { sessionsCreated, sessionsAdopted } = mcp.stats();
      return { created: sessionsCreated, adopted: sessionsAdopted };
    },
  );
  const faults = new FaultInjector(openResponses, (sessionId) => mcp.expire(sessionId));

  const handle: NodeHandler = async (req, res) => {
    const httpMethod = (req.method ?? 'GET').toUpperCase();
    stats.recordRequest(httpMethod, req.headers);
    // 'finish' (all written) usually comes first and right after end(), so a test reading stats just after its
    // response sees the count; 'close' covers responses cut before they finished.
    let counted = false;
    const countStatus = (): void => {
      if (counted) return;
      counted = true;
      stats.recordStatus(res.statusCode);
    };
    res.once('finish', countStatus);
    res.once('close', countStatus);
    let body: Uint8Array | undefined;
    if (httpMethod === 'POST') {
      const deadlines = { readTimeoutMs: options.bodyReadTimeoutMs, totalTimeoutMs: options.bodyTimeoutMs };
      const read = await readLimited(req, req.headers['content-length'], options.maxBodyBytes, deadlines);
      if (read.kind !== 'ok') {
        await writeNodeResponse(res, bodyReadRefusal(read, options));
        return;
      }
      body = read.bytes;
    }
    const rpcMethods = rpcMethodsOf(body);
    stats.recordRpcMethods(rpcMethods);
    const failure = faults.takeFailure(httpMethod, rpcMethods);
    if (failure !== undefined) {
      stats.recordFault();
      const refusal = jsonRpcErrorResponse({
        status: failure.status,
        code: RPC_ERROR.serverError,
        message: `Injected failure: HTTP ${failure.status}`,
        id: replyIdOf(body),
        ...(failure.retryAfter === undefined ? {} : { headers: { 'retry-after': String(failure.retryAfter) } }),
      });
      await writeNodeResponse(res, refusal);
      return;
    }
    openResponses.track(res, faults.takeCutAfterEvents(httpMethod, rpcMethods));
    const replay: NodeRequestLike = {
      method: req.method,
      url: req.url,
      headers: req.headers,
      socket: req.socket,
      ...(req.auth === undefined ? {} : { auth: req.auth }),
      async *[Symbol.asyncIterator]() {
        if (body !== undefined && body.byteLength > 0) yield body;
      },
    };
    await mcp.handle(replay, res);
  };

  return {
    handle,
    faults,
    stats,
    hooks: (req, res, path) =>
      handleTestHook(req, res, path, { stats, faults, store: mcp.stores.sessions, liveSessions: () => mcp.stats().liveSessions }),
  };
}
