/**
 * The session layer on Express: `app.all('/mcp', mcp.handle)`. Works with or without `express.json()` in front
 * (a parsed `req.body` is used as is). Starts on a free port, calls a tool through MCPClient, shuts down.
 *
 *   npx tsx examples/session-layer-express.ts
 */
import type { AddressInfo } from 'node:net';
import express from 'express';
import { createSessionHandler } from '../server/index'; // in your project: from 'archon-mcp-client/server'
import { MCPClient } from '../src/index'; // in your project: from 'archon-mcp-client'
import { createNotesServer } from './notes-server';

const mcp = await createSessionHandler({ createServer: createNotesServer, store: 'memory' });

const app = express();
app.use(express.json({ limit: '4mb' }));
app.all('/mcp', mcp.handle);
app.get('/health', mcp.health);
app.get('/metrics', mcp.metrics);

const server = app.listen(0, '127.0.0.1');
await new Promise((resolve) => server.once('listening', resolve));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;

try {
  await using client = new MCPClient({ url });
  const result = await client.callTool('add_note', { text: 'mounted on Express' });
  console.log('add_note ->', result.structuredContent);
  console.log('metrics:', (await (await fetch(new URL('/metrics', url))).text()).split('\n').find((line) => line.startsWith('mcp_sessions_active')));
} finally {
  await mcp.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}
