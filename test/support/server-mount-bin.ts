/**
 * Child-process entry for the mount tests: the session layer serving a USER-DEFINED server (the notes app),
 * mounted the way `ARCHON_MOUNT` says: `node` (node:http + mcp.handle), `express` (app.all + mcp.handle) or
 * `hono` (@hono/node-server + mcp.fetch). Options come as JSON in `ARCHON_SERVER_OPTIONS` (`store`, `port`,
 * and any session layer option). When listening it prints ONE JSON line `{"url":...,"port":...,"pid":...}`
 * on stdout, like server-bin.ts. SIGTERM closes gracefully; SIGKILL is the crash the tests want.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import express from 'express';
import { Hono } from 'hono';
import { createSessionHandler, type SessionHandler, type SessionLayerOptions } from '../../server/index';
import { createNotesApp } from './server-notes-app';

const mount = process.env['ARCHON_MOUNT'] ?? 'node';
const { port = 0, testHooks: _testHooks, ...options } = JSON.parse(process.env['ARCHON_SERVER_OPTIONS'] ?? '{}') as SessionLayerOptions & {
  port?: number;
  testHooks?: boolean;
};
const mcp: SessionHandler = await createSessionHandler({ ...options, createServer: createNotesApp().createServer });

function listenNode(): Promise<Server> {
  if (mount === 'express') {
    const app = express();
    app.use(express.json({ limit: '4mb' }));
    app.all('/mcp', mcp.handle);
    app.get('/health', mcp.health);
    return new Promise((resolve) => {
      const server = app.listen(port, '127.0.0.1', () => resolve(server));
    });
  }
  if (mount === 'hono') {
    const app = new Hono();
    app.all('/mcp', (c) => mcp.fetch(c.req.raw));
    app.get('/health', () => mcp.healthResponse());
    return new Promise((resolve) => {
      const server = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, () => resolve(server as Server));
    });
  }
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path === '/mcp') void mcp.handle(req, res);
    else if (path === '/health') void mcp.health(req, res);
    else res.writeHead(404).end();
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

const server = await listenNode();
const address = server.address() as AddressInfo;
process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${address.port}/mcp`, port: address.port, pid: process.pid, instanceId: mcp.instanceId })}\n`);

let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
  mcp.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
