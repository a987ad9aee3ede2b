/**
 * The chaos rows trust the proxy to forward faithfully and to break exactly what it is told to break,
 * so its own behaviour is pinned here against a plain node:http server (no MCP involved).
 */
import http from 'node:http';
import net from 'node:net';
import { once } from 'node:events';
import { Client } from 'undici';
import { describe, expect, test } from 'vitest';
import { startTcpProxy } from '../support/tcp-proxy';

async function startPlainServer(handler: http.RequestListener): Promise<http.Server & AsyncDisposable> {
  const server = http.createServer(handler);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return Object.assign(server, {
    async [Symbol.asyncDispose]() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  });
}

function portOf(server: net.Server): number {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return address.port;
}

function connectError(port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(undefined);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code));
  });
}

describe('tcp proxy', () => {
  test('forwards requests and answers unchanged over one keep-alive connection', async () => {
    await using server = await startPlainServer((_request, response) => response.end('pong'));
    await using proxy = await startTcpProxy({ targetPort: portOf(server) });
    const client = new Client(proxy.url(''));
    const bodies: string[] = [];
    for (let i = 0; i < 3; i++) bodies.push(await (await client.request({ path: '/ping', method: 'GET' })).body.text());
    await client.close();
    expect(bodies).toEqual(['pong', 'pong', 'pong']);
    // One undici Client keeps its socket alive between sequential requests: one connection carried all three.
    expect(proxy.stats.connections).toBe(1);
    expect(proxy.stats.resets).toBe(0);
  });

  test('cut(ms) resets open connections, refuses new ones while cut, and listens again on the same port', async () => {
    await using server = await startPlainServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write('data: first\n\n');
    });
    await using proxy = await startTcpProxy({ targetPort: portOf(server) });
    const response = await fetch(proxy.url('/stream'));
    const reader = response.body?.getReader();
    if (!reader) throw new Error('no body');
    await reader.read();

    const startedAt = Date.now();
    const back = proxy.cut(300);
    await expect(reader.read()).rejects.toThrow();
    expect(await connectError(proxy.port)).toBe('ECONNREFUSED');
    const backAt = await back;

    expect(backAt - startedAt).toBeGreaterThanOrEqual(290);
    expect(await connectError(proxy.port)).toBeUndefined();
    expect(proxy.stats.resets).toBe(1);
    expect(proxy.stats.cuts).toBe(1);
  });

  test('resetWhenServerSends resets the connection right after the n-th matching chunk reached the client', async () => {
    await using server = await startPlainServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      let sent = 0;
      const timer = setInterval(() => {
        response.write(`data: tick ${++sent}\n\n`);
        if (sent === 10) clearInterval(timer);
      }, 20);
      response.on('close', () => clearInterval(timer));
    });
    await using proxy = await startTcpProxy({ targetPort: portOf(server) });
    const resetDone = proxy.resetWhenServerSends('tick', 3);
    const response = await fetch(proxy.url('/stream'));
    const text = response.text();

    await resetDone;
    await expect(text).rejects.toThrow();
    expect(proxy.stats.resets).toBe(1);
  });
});
