/**
 * The session layer on Hono (any web-standard host: Workers, Bun, Deno): `mcp.fetch(c.req.raw)`. Here Hono runs
 * on Node through @hono/node-server. Starts on a free port, calls a tool through MCPClient, shuts down.
 *
 *   npx tsx examples/session-layer-hono.ts
 */
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { createSessionHandler } from '../server/index'; // in your project: from 'archon-mcp-client/server'
import { MCPClient } from '../src/index'; // in your project: from 'archon-mcp-client'
import { createNotesServer } from './notes-server';

const mcp = await createSessionHandler({ createServer: createNotesServer, store: 'memory' });

const app = new Hono();
app.all('/mcp', (c) => mcp.fetch(c.req.raw));
app.get('/health', () => mcp.healthResponse());
app.get('/metrics', () => mcp.metricsResponse());

let started: ReturnType<typeof serve> | undefined;
const port = await new Promise<number>((resolve) => {
  started = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => resolve(info.port));
});
const url = `http://127.0.0.1:${port}/mcp`;

try {
  await using client = new MCPClient({ url });
  const result = await client.callTool('add_note', { text: 'mounted on Hono' });
  console.log('add_note ->', result.structuredContent);
} finally {
  await mcp.close();
  await new Promise<void>((resolve) => (started === undefined ? resolve() : started.close(() => resolve())));
}
