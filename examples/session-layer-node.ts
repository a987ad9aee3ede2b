/**
 * The session layer on plain node:http: your `McpServer` behind persistent sessions, /health and /metrics
 * beside it. Starts on a free port, calls a tool through MCPClient, publishes a change, and shuts down.
 *
 *   npx tsx examples/session-layer-node.ts
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSessionHandler } from '../server/index'; // in your project: from 'archon-mcp-client/server'
import { MCPClient } from '../src/index'; // in your project: from 'archon-mcp-client'
import { createNotesServer, NOTES_URI } from './notes-server';

// 'pglite:.mcp-data' keeps sessions across restarts; memory keeps this example self-cleaning.
const mcp = await createSessionHandler({ createServer: createNotesServer, store: 'memory' });

const http = createServer((req, res) => {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  if (path === '/mcp') void mcp.handle(req, res);
  else if (path === '/health') void mcp.health(req, res);
  else if (path === '/metrics') void mcp.metrics(req, res);
  else res.writeHead(404).end();
});
await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve)); // loopback: Host/Origin checks stay on
const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`;

try {
  await using client = new MCPClient({ url });
  const result = await client.callTool('add_note', { text: 'mounted on node:http' });
  console.log('add_note ->', result.structuredContent);
  // A change made outside any request reaches every subscribed session (and 2026-07-28 listen streams).
  mcp.notify.resourceUpdated(NOTES_URI);
  const health = (await (await fetch(new URL('/health', url))).json()) as { status: string; sessions: { live: number } };
  console.log(`health: ${health.status}, ${health.sessions.live} live session(s)`);
} finally {
  // Graceful: in-flight requests finish, sessions are kept as `draining` for the next start.
  await mcp.close();
  http.closeAllConnections();
  await new Promise((resolve) => http.close(resolve));
}
