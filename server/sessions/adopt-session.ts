/**
 * Adoption: serving, in this process, a legacy session that was initialized by another process (a restart, or
 * another instance behind the same store). The SDK has no API for it (SDK #1658, #1882 open; PRs #1668, #1786,
 * #1912 closed). Where Cloudflare agents, mcp-use, FrontMCP and 1mcp write the transport's private
 * `_initialized`/`sessionId` (server-anchors.md), this module uses public API only: it REPLAYS the session's
 * opening through a fresh transport whose session id generator returns the old id — the saved `initialize`,
 * `notifications/initialized`, then the saved `logging/setLevel` and one `resources/subscribe` per saved URI —
 * so the SDK and YOUR server reach the state they had, by their own handlers. An SDK upgrade changes this file
 * only. `checkAdoptionSupport()` runs at start-up; when it fails, adoption is off and sessions that are not live
 * here get 404 so clients re-initialize.
 */
import { McpServer, type EventStore, type JSONRPCMessage } from '@modelcontextprotocol/server';
import { SessionTransport } from './session-transport';

/** What was saved of a session besides its `initialize` params. */
export interface AdoptedState {
  subscriptions: readonly string[];
  loggingLevel: string | null;
}

/** Result of the start-up self-test. */
export type AdoptionSupport = { ok: true } | { ok: false; reason: string };

const REPLAY_URL = 'http://localhost/mcp';
const ACCEPT = 'application/json, text/event-stream';

interface Replayed {
  status: number;
  /** The JSON-RPC message answering the replayed request, when there was one. */
  answer: Record<string, unknown> | undefined;
}

/** The last `data:` line of an SSE body (or a JSON body) as a JSON-RPC message. */
function answerOf(text: string): Record<string, unknown> | undefined {
  const lines = text.split('\n').filter((line) => line.startsWith('data:') && line.length > 'data:'.length + 1);
  const json = lines.length > 0 ? (lines.at(-1) ?? '').slice('data:'.length).trim() : text.trim();
  if (json === '') return undefined;
  try {
    const parsed: unknown = JSON.parse(json);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

async function replay(transport: SessionTransport, message: JSONRPCMessage, headers: Record<string, string>): Promise<Replayed> {
  const request = new Request(REPLAY_URL, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: ACCEPT, ...headers },
  });
  const response = await transport.handleRequest(request, { parsedBody: message });
  return { status: response.status, answer: answerOf(await response.text()) };
}

/**
 * An event store that can be muted: replayed requests open SSE responses whose priming events nobody will
 * ever resume, so they are not written.
 *
 * @example
 * ```ts
 * const gate = new MutableEventStore(events.forSession(sessionId));
 * ```
 */
export class MutableEventStore implements EventStore {
  readonly #inner: EventStore;
  muted = false;
  #mutedIds = 0;

  constructor(inner: EventStore) {
    this.#inner = inner;
    if (inner.getStreamIdForEventId !== undefined) {
      const lookup = inner.getStreamIdForEventId.bind(inner);
      this.getStreamIdForEventId = (eventId) => lookup(eventId);
    }
  }

  getStreamIdForEventId?: EventStore['getStreamIdForEventId'];

  storeEvent(streamId: string, message: JSONRPCMessage): Promise<string> {
    if (this.muted) return Promise.resolve(`adoption-replay~${(this.#mutedIds += 1)}`);
    return this.#inner.storeEvent(streamId, message);
  }

  replayEventsAfter(...args: Parameters<EventStore['replayEventsAfter']>): ReturnType<EventStore['replayEventsAfter']> {
    return this.#inner.replayEventsAfter(...args);
  }
}

/**
 * The stream id the SDK's sessionful transport stores GET-stream (standalone) events under: the same constant in
 * every session (SDK #1004). A notification for a session that has no pair at the moment is stored under it
 * directly, exactly as the transport would store it with no GET stream connected, so a resuming GET replays it.
 * `checkAdoptionSupport` proves the installed SDK still uses it.
 */
export const STANDALONE_STREAM_ID = '_GET_stream';

/**
 * Turns a fresh, connected transport (its generator returns `sessionId`) into the continuation of that session.
 * Throws when the saved params are refused or the SDK no longer behaves as relied upon.
 *
 * @example
 * ```ts
 * await adoptSession(transport, sessionId, record.initializeParams, { subscriptions: record.subscriptions, loggingLevel: record.loggingLevel });
 * ```
 */
export async function adoptSession(
  transport: SessionTransport,
  sessionId: string,
  initializeParams: Record<string, unknown>,
  state: AdoptedState,
  events?: MutableEventStore,
): Promise<void> {
  if (events !== undefined) events.muted = true;
  try {
    const opened = await replay(transport, { jsonrpc: '2.0', id: 'adopt-initialize', method: 'initialize', params: initializeParams }, {});
    const result = opened.answer?.['result'] as { protocolVersion?: unknown } | undefined;
    if (opened.status !== 200 || result === undefined) {
      throw new Error(`replayed initialize was refused: HTTP ${opened.status} ${JSON.stringify(opened.answer?.['error'] ?? null)}`);
    }
    if (transport.sessionId !== sessionId) throw new Error('the replayed initialize did not take the session id');
    const headers = {
      'mcp-session-id': sessionId,
      'mcp-protocol-version': typeof result.protocolVersion === 'string' ? result.protocolVersion : String(initializeParams['protocolVersion']),
    };
    const initialized = await replay(transport, { jsonrpc: '2.0', method: 'notifications/initialized' }, headers);
    if (initialized.status !== 202) throw new Error(`replayed notifications/initialized got HTTP ${initialized.status}`);
    // Your server may not implement these; what matters is that it sees them again if it does.
    if (state.loggingLevel !== null) {
      await replay(transport, { jsonrpc: '2.0', id: 'adopt-set-level', method: 'logging/setLevel', params: { level: state.loggingLevel } }, headers);
    }
    let index = 0;
    for (const uri of state.subscriptions) {
      index += 1;
      await replay(transport, { jsonrpc: '2.0', id: `adopt-subscribe-${index}`, method: 'resources/subscribe', params: { uri } }, headers);
    }
  } finally {
    if (events !== undefined) events.muted = false;
  }
}

const SELF_TEST_SESSION_ID = 'adoption-self-test';
const SELF_TEST_PARAMS = { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'self-test', version: '0.0.0' } };

/**
 * Adopts a throw-away session, then sends it a `ping` the way a client would: proves that the installed SDK
 * still serves a replayed session under its old id.
 *
 * @example
 * ```ts
 * const support = await checkAdoptionSupport();
 * if (!support.ok) logger.warn?.({ msg: 'session adoption disabled', reason: support.reason });
 * ```
 */
export async function checkAdoptionSupport(): Promise<AdoptionSupport> {
  const noop = { requestReceived: () => undefined, responseSent: () => undefined };
  const outgoing = { beforeResponse: async () => undefined, interceptNotification: () => false };
  const streams: string[] = [];
  const eventStore: EventStore = {
    storeEvent: async (streamId) => {
      streams.push(streamId);
      return `${streamId}~${streams.length}`;
    },
    replayEventsAfter: async () => STANDALONE_STREAM_ID,
  };
  const transport = new SessionTransport({ sessionIdGenerator: () => SELF_TEST_SESSION_ID, eventStore }, noop, outgoing);
  const server = new McpServer({ name: 'self-test', version: '0.0.0' });
  try {
    await server.connect(transport);
    await adoptSession(transport, SELF_TEST_SESSION_ID, SELF_TEST_PARAMS, { subscriptions: [], loggingLevel: null });
    const ping = await replay(transport, { jsonrpc: '2.0', id: 1, method: 'ping' }, {
      'mcp-session-id': SELF_TEST_SESSION_ID,
      'mcp-protocol-version': SELF_TEST_PARAMS.protocolVersion,
    });
    if (ping.status !== 200 || ping.answer?.['result'] === undefined) {
      return { ok: false, reason: `adopted session refused a ping: HTTP ${ping.status} ${JSON.stringify(ping.answer ?? null)}` };
    }
    // With no GET stream open, a server notification is stored under the standalone stream id.
    streams.length = 0;
    await transport.deliver({ jsonrpc: '2.0', method: 'notifications/tools/list_changed' });
    if (streams.length !== 1 || streams[0] !== STANDALONE_STREAM_ID) {
      return { ok: false, reason: `GET-stream events are stored under ${JSON.stringify(streams)}, not ${STANDALONE_STREAM_ID}` };
    }
    return { ok: true };
  } catch (error) {
    return { ok: false, reason: String(error) };
  } finally {
    await server.close().catch(() => undefined);
  }
}
