/**
 * The ONLY module touching private fields of the MCP SDK (v2: `@modelcontextprotocol/server` 2.4.0 and
 * `@modelcontextprotocol/node` 2.1.2, whose sessionful transport keeps v1's fields). The SDK has no public way to
 * serve a session that was initialized by another process (SDK #1658, #1882 open; PRs #1668, #1786,
 * #1912 closed), so adoption does what Cloudflare agents, mcp-use, FrontMCP and 1mcp do
 * (server-anchors.md): mark the transport initialized with the old session id, and restore the
 * client's capabilities by replaying the saved `initialize` params into the Server. An SDK upgrade
 * changes this file only. `checkAdoptionSupport()` runs at start-up; when it fails,
 * adoption is off and unknown sessions get 404 so clients re-initialize.
 */
import { NodeStreamableHTTPServerTransport as StreamableHTTPServerTransport } from '@modelcontextprotocol/node';
import { isInitializeRequest, McpServer } from '@modelcontextprotocol/server';

interface WebTransportInternals {
  sessionId: string | undefined;
  _initialized: boolean;
}

type ReplayInitialize = (request: unknown) => Promise<unknown>;

function webTransportOf(transport: StreamableHTTPServerTransport): WebTransportInternals | undefined {
  const inner: unknown = Reflect.get(transport, '_webStandardTransport');
  if (typeof inner !== 'object' || inner === null) return undefined;
  if (typeof Reflect.get(inner, '_initialized') !== 'boolean') return undefined;
  // `inner` has the two fields we write; everything else about it stays opaque.
  return inner as WebTransportInternals;
}

function replayInitializeOf(server: McpServer): ReplayInitialize | undefined {
  const handler: unknown = Reflect.get(server.server, '_oninitialize');
  if (typeof handler !== 'function') return undefined;
  return (request) => Promise.resolve(Reflect.apply(handler, server.server, [request]));
}

/** Result of the start-up self-test. */
export type AdoptionSupport = { ok: true } | { ok: false; reason: string };

const SELF_TEST_SESSION_ID = 'adoption-self-test';
const SELF_TEST_PARAMS = { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'self-test', version: '0.0.0' } };

/**
 * Adopts a throw-away session and sends it a `ping` through the web-standard transport: proves
 * that the private fields still exist AND still mean what adoption assumes in the installed SDK.
 *
 * @example
 * ```ts
 * const support = await checkAdoptionSupport();
 * if (!support.ok) logger.warn?.({ msg: 'session adoption disabled', reason: support.reason });
 * ```
 */
export async function checkAdoptionSupport(): Promise<AdoptionSupport> {
  const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: () => SELF_TEST_SESSION_ID });
  const server = new McpServer({ name: 'self-test', version: '0.0.0' });
  try {
    await server.connect(transport);
    await adoptSession(transport, server, SELF_TEST_SESSION_ID, SELF_TEST_PARAMS);
    if (transport.sessionId !== SELF_TEST_SESSION_ID) return { ok: false, reason: 'sessionId did not take the adopted id' };
    const web: unknown = Reflect.get(transport, '_webStandardTransport');
    const handle: unknown = typeof web === 'object' && web !== null ? Reflect.get(web, 'handleRequest') : undefined;
    if (typeof handle !== 'function') return { ok: false, reason: 'web-standard handleRequest not found' };
    const request = new Request('http://127.0.0.1/mcp', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-session-id': SELF_TEST_SESSION_ID,
        'mcp-protocol-version': SELF_TEST_PARAMS.protocolVersion,
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
    });
    const response: unknown = await Reflect.apply(handle, web, [request]);
    if (!(response instanceof Response)) return { ok: false, reason: 'handleRequest returned no Response' };
    const body = await response.text();
    if (response.status !== 200 || !body.includes('"result":{}')) {
      return { ok: false, reason: `adopted session refused a ping: HTTP ${response.status} ${body.slice(0, 200)}` };
    }
    return { ok: true };
  } catch (error) {
    return { ok: false, reason: String(error) };
  } finally {
    await server.close().catch(() => undefined);
  }
}

/**
 * Turns a fresh transport + server pair into the continuation of session `sessionId`: the transport
 * accepts requests carrying that id, and the server knows the client's capabilities and info.
 * Throws when the saved params are not a valid `initialize` request or the SDK internals moved.
 *
 * @example
 * ```ts
 * await adoptSession(transport, server, record.sessionId, record.initializeParams);
 * ```
 */
export async function adoptSession(
  transport: StreamableHTTPServerTransport,
  server: McpServer,
  sessionId: string,
  initializeParams: Record<string, unknown>,
): Promise<void> {
  const request = { jsonrpc: '2.0' as const, id: 0, method: 'initialize' as const, params: initializeParams };
  if (!isInitializeRequest(request)) throw new Error(`Saved initialize params of ${sessionId} are not a valid initialize request`);
  const web = webTransportOf(transport);
  const replayInitialize = replayInitializeOf(server);
  if (web === undefined || replayInitialize === undefined) throw new Error('SDK internals needed for adoption are missing');
  await replayInitialize(request);
  web.sessionId = sessionId;
  web._initialized = true;
}
