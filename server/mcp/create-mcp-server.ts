import { McpServer } from '@modelcontextprotocol/server';
import type { SessionInfo, SessionServerContext, SessionServerFactory } from '../session-server';
import { registerConformanceFixtures } from './conformance-fixtures';
import { registerConformanceInputFixtures } from './conformance-input-fixtures';
import { CounterLedger } from './counter-ledger';
import { registerResourcesAndPrompts } from './resources-and-prompts';
import type { SessionHealth, ToolContext } from './tool-context';
import { registerBasicTools } from './tools/basic-tools';
import { registerStatefulTools } from './tools/stateful-tools';

/** Name and version the reference server announces in `initialize`. */
export const SERVER_INFO = { name: 'archon-reference-server', version: '0.1.0' } as const;

/**
 * 2026-07-28 cache hints (SEP-2549) for what never changes between deploys here: the lists and the server's
 * identity are the same for every client (public), and a change would be announced with `list_changed` anyway.
 * Without them the SDK sends `ttlMs: 0` (immediately stale) and every modern `listTools()` is a round trip.
 * `resources/read` keeps the SDK's default: `archon://status` changes all the time.
 */
const STATIC_LIST_HINT = { ttlMs: 60_000, cacheScope: 'public' } as const;
const CACHE_HINTS = {
  'server/discover': STATIC_LIST_HINT,
  'tools/list': STATIC_LIST_HINT,
  'prompts/list': STATIC_LIST_HINT,
  'resources/list': STATIC_LIST_HINT,
  'resources/templates/list': STATIC_LIST_HINT,
};

/**
 * Builds the demo McpServer for ONE session (legacy) or ONE request (modern). Everything the client can call
 * is registered here.
 *
 * @example
 * ```ts
 * const server = createMcpServer(context);
 * ```
 */
export function createMcpServer(
  context: ToolContext,
  options: { requestState?: SessionServerContext['requestState']; conformanceFixtures?: boolean } = {},
): McpServer {
  const server = new McpServer(SERVER_INFO, {
    capabilities: { logging: {}, resources: { subscribe: true, listChanged: true }, completions: {} },
    cacheHints: CACHE_HINTS,
    ...(options.requestState === undefined ? {} : { requestState: { verify: options.requestState.verify } }),
  });
  registerBasicTools(server, context);
  registerStatefulTools(server, context);
  registerResourcesAndPrompts(server, context);
  if (options.conformanceFixtures === true) {
    registerConformanceFixtures(server);
    if (options.requestState !== undefined) registerConformanceInputFixtures(server, options.requestState);
  }
  return server;
}

/**
 * What the demo tools report to whoever runs them (the reference server's test stats).
 *
 * @example
 * ```ts
 * const hooks: DemoToolHooks = { recordToolRun: (name) => stats.recordToolRun(name), recordToolCancelled: () => {} };
 * ```
 */
export interface DemoToolHooks {
  recordToolRun(name: string): void;
  recordToolCancelled(name: string): void;
}

function describe(session: SessionInfo): SessionHealth {
  return {
    mcpSessionId: session.sessionId,
    appSessionId: session.appSessionId,
    createdAt: new Date(session.createdAt).toISOString(),
    lastActivityAt: new Date(session.lastActivityAt).toISOString(),
    expiresAt: new Date(session.expiresAt).toISOString(),
    requestCount: session.requestCount,
  };
}

/**
 * The demo tools as a session-layer factory: one counter ledger for the process, one `McpServer` per session or
 * request, built from the context the session layer hands in.
 *
 * @example
 * ```ts
 * const demo = createDemoServerFactory({ startedAt: Date.now(), liveSessions: () => 0 });
 * const mcp = await createSessionHandler({ createServer: demo.createServer });
 * ```
 */
export function createDemoServerFactory(options: {
  startedAt: number;
  liveSessions(): number;
  counterFile?: string | undefined;
  hooks?: DemoToolHooks | undefined;
  /** Also register the official conformance suite's fixtures (`test_simple_text`, ...). */
  conformanceFixtures?: boolean | undefined;
}): { createServer: SessionServerFactory; counter: CounterLedger } {
  const counter = new CounterLedger(options.counterFile);
  const createServer: SessionServerFactory = ({ session, requestState }) =>
    createMcpServer(
      {
        startedAt: options.startedAt,
        liveSessions: options.liveSessions,
        describeSession: () => (session === undefined ? undefined : describe(session)),
        recordToolRun: (name) => options.hooks?.recordToolRun(name),
        recordToolCancelled: (name) => options.hooks?.recordToolCancelled(name),
        counter,
        eventStore: session?.resumable ?? false,
        closeRequestStream: (requestId) => session?.closeRequestStream(requestId),
        subscriptions: new Set(),
      },
      { requestState, conformanceFixtures: options.conformanceFixtures === true },
    );
  return { createServer, counter };
}
