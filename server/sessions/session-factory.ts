import { NodeStreamableHTTPServerTransport } from '@modelcontextprotocol/node';
import type { McpServer } from '@modelcontextprotocol/server';
import type { CounterLedger } from '../mcp/counter-ledger';
import { createMcpServer } from '../mcp/create-mcp-server';
import type { SessionHealth } from '../mcp/tool-context';
import type { ServerLogger } from '../options';
import type { SessionEventStore } from '../stores/types';

/** What every session's transport and tools share. */
export interface SessionFactoryDeps {
  /** Null when the event store is disabled (`eventStore: false`). */
  events: SessionEventStore | null;
  retryIntervalMs: number;
  startedAt: number;
  counter: CounterLedger;
  liveSessions(): number;
  recordToolRun(name: string): void;
  recordToolCancelled(name: string): void;
  logger: ServerLogger;
}

export interface SessionPairHooks {
  /** Called by the SDK once `initialize` is accepted (new sessions only). */
  onInitialized?(): Promise<void>;
  /** Called by the SDK on DELETE. */
  onDeleted(): Promise<void>;
  /** Called whenever the transport closes (DELETE, expiry, eviction, shutdown). */
  onClosed(): void;
  describe(): SessionHealth | undefined;
}

/**
 * Builds the SDK transport + McpServer pair of one session, connected. The session id is chosen
 * before the transport exists because the event store must be scoped to it (`_GET_stream` is the
 * same constant in every session, SDK #1004).
 *
 * @example
 * ```ts
 * const { transport, server } = await buildSessionPair(randomUUID(), deps, hooks);
 * ```
 */
export async function buildSessionPair(
  sessionId: string,
  deps: SessionFactoryDeps,
  hooks: SessionPairHooks,
): Promise<{ transport: NodeStreamableHTTPServerTransport; server: McpServer }> {
  const transport = new NodeStreamableHTTPServerTransport({
    sessionIdGenerator: () => sessionId,
    ...(deps.events === null ? {} : { eventStore: deps.events.forSession(sessionId), retryInterval: deps.retryIntervalMs }),
    ...(hooks.onInitialized === undefined ? {} : { onsessioninitialized: () => hooks.onInitialized?.() }),
    onsessionclosed: () => hooks.onDeleted(),
  });
  // Set before connect(): Protocol.connect chains an existing onclose instead of replacing it.
  transport.onclose = () => hooks.onClosed();
  // The SDK reports every refusal it answers (406, 409, bad replays...) here; debug level keeps them quiet.
  transport.onerror = (error) => deps.logger.debug?.({ msg: 'transport error', sessionId, error: error.message });
  const server = createMcpServer({
    startedAt: deps.startedAt,
    counter: deps.counter,
    eventStore: deps.events !== null,
    liveSessions: deps.liveSessions,
    recordToolRun: deps.recordToolRun,
    recordToolCancelled: deps.recordToolCancelled,
    describeSession: () => hooks.describe(),
    closeRequestStream: (requestId) => transport.closeSSEStream(requestId),
    subscriptions: new Set(),
  });
  await server.connect(transport);
  return { transport, server };
}
