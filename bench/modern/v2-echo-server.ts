/**
 * The modern-era bench server: the official v2 SDK's `createMcpHandler` (`@modelcontextprotocol/server`
 * 2.4.0, `legacy: 'reject'`, so every mode speaks 2026-07-28) with an `echo` tool, mounted on node:http with a
 * minimal Request/Response bridge. Run in a child process (`v2-child.ts`) so its CPU never counts as client CPU.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createMcpHandler, McpServer } from '@modelcontextprotocol/server';
import * as z from 'zod/v4';
import type { RunningServer } from '../server/sdk-echo-server';

function buildServer(): McpServer {
  const server = new McpServer({ name: 'bench-v2-echo', version: '0.0.0' });
  server.registerTool('echo', { description: 'Echoes text', inputSchema: z.object({ text: z.string() }) }, async ({ text }) => ({
    content: [{ type: 'text', text }],
  }));
  return server;
}

async function bridge(handler: ReturnType<typeof createMcpHandler>, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const aborted = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) aborted.abort();
  });
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string') headers.set(name, value);
  const body = req.method === 'POST' ? new Uint8Array(Buffer.concat(chunks)) : undefined;
  const response = await handler.fetch(new Request(`http://127.0.0.1${req.url ?? '/mcp'}`, { method: req.method, headers, body, signal: aborted.signal }));
  const out: Record<string, string> = {};
  response.headers.forEach((value, name) => (out[name] = value));
  res.writeHead(response.status, out);
  const reader = response.body?.getReader();
  for (let next = await reader?.read(); next !== undefined && !next.done; next = await reader?.read()) res.write(next.value);
  res.end();
}

/** Starts the v2 server on 127.0.0.1 and an ephemeral port. */
export async function startV2EchoServer(): Promise<RunningServer> {
  const handler = createMcpHandler(buildServer, { legacy: 'reject' });
  const http = createServer((req, res) => {
    bridge(handler, req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  http.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    async close() {
      await handler.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
