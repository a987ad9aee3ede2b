/**
 * The baseline of `npm run bench:server`: a plain stateful MCP server built only from the official v2 SDK,
 * as its docs show it (`examples/legacy-routing/server.ts`): one `McpServer` + `NodeStreamableHTTPServerTransport`
 * per session on node:http, an in-memory event store per session (resumption on, like ours), the same
 * `echo` tool as the reference server (input and output schema). No persistence, no validation beyond the
 * SDK's, no metrics: what a server costs before any session management.
 *
 * Usage: `node sdk-baseline-server.js [--port N]`; prints `listening on <url>` once it accepts connections.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { NodeStreamableHTTPServerTransport } from '@modelcontextprotocol/node';
import { McpServer, type EventStore, type JSONRPCMessage } from '@modelcontextprotocol/server';
import { z } from 'zod';

/** Per session, like the SDK example's InMemoryEventStore but scoped, with O(1) writes. */
function createEventStore(): EventStore {
  const streams = new Map<string, { id: string; message: JSONRPCMessage }[]>();
  let seq = 0;
  return {
    async storeEvent(streamId, message) {
      const id = `${streamId}_${++seq}`;
      let events = streams.get(streamId);
      if (events === undefined) streams.set(streamId, (events = []));
      events.push({ id, message });
      return id;
    },
    async getStreamIdForEventId(eventId) {
      return eventId.slice(0, eventId.lastIndexOf('_'));
    },
    async replayEventsAfter(lastEventId, { send }) {
      const streamId = lastEventId.slice(0, lastEventId.lastIndexOf('_'));
      const events = streams.get(streamId) ?? [];
      const from = events.findIndex((event) => event.id === lastEventId);
      for (const event of events.slice(from + 1)) await send(event.id, event.message);
      return streamId;
    },
  };
}

function buildServer(): McpServer {
  const server = new McpServer({ name: 'sdk-baseline', version: '1.0.0' });
  server.registerTool(
    'echo',
    {
      description: 'Returns the text it was given.',
      inputSchema: z.object({ text: z.string() }),
      outputSchema: z.object({ text: z.string() }),
      annotations: { readOnlyHint: true, idempotentHint: true },
    },
    ({ text }) => ({ content: [{ type: 'text', text }], structuredContent: { text } }),
  );
  return server;
}

const sessions = new Map<string, NodeStreamableHTTPServerTransport>();

function reject(res: ServerResponse, status: number, code: number, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }));
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const sessionId = req.headers['mcp-session-id'];
  if (typeof sessionId === 'string') {
    const transport = sessions.get(sessionId);
    if (transport === undefined) return reject(res, 404, -32_001, 'Session not found');
    return transport.handleRequest(req, res);
  }
  if (req.method !== 'POST') return reject(res, 400, -32_000, 'Bad Request: Session ID required');
  // No session yet: the transport itself rejects anything but an initialize.
  const transport: NodeStreamableHTTPServerTransport = new NodeStreamableHTTPServerTransport({
    sessionIdGenerator: () => randomUUID(),
    eventStore: createEventStore(),
    onsessioninitialized: (id) => {
      sessions.set(id, transport);
    },
    onsessionclosed: (id) => {
      sessions.delete(id);
    },
  });
  transport.onclose = () => {
    if (transport.sessionId !== undefined) sessions.delete(transport.sessionId);
  };
  await buildServer().connect(transport);
  await transport.handleRequest(req, res);
}

const { values } = parseArgs({ options: { port: { type: 'string', default: '0' } } });
const http = createServer((req, res) => {
  handle(req, res).catch((error: unknown) => {
    if (!res.headersSent) reject(res, 500, -32_603, String(error));
  });
});
http.listen(Number(values.port), '127.0.0.1', () => {
  const { port } = http.address() as AddressInfo;
  process.stdout.write(`sdk-baseline listening on http://127.0.0.1:${port}/mcp\n`);
});
process.on('SIGTERM', () => {
  http.closeAllConnections();
  http.close(() => process.exit(0));
});
