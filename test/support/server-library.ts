/**
 * The session layer as a user mounts it: `createSessionHandler` on a plain node:http server (the path is the
 * user's choice), `/health` and `/metrics` beside it. For tests that exercise the LIBRARY with a user-defined
 * server rather than the reference server.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSessionHandler, type SessionHandler, type SessionHandlerOptions } from '../../server/index';

export interface LibraryServer extends AsyncDisposable {
  readonly url: string;
  readonly port: number;
  readonly mcp: SessionHandler;
  close(): Promise<void>;
}

/**
 * @example
 * ```ts
 * await using server = await startLibraryServer({ createServer: createNotesApp().createServer });
 * ```
 */
export async function startLibraryServer(options: SessionHandlerOptions, port = 0): Promise<LibraryServer> {
  const mcp = await createSessionHandler(options);
  const http: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path === '/mcp') void mcp.handle(req, res);
    else if (path === '/health') void mcp.health(req, res);
    else if (path === '/metrics') void mcp.metrics(req, res);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(port, '127.0.0.1', () => resolve());
  });
  const address = http.address() as AddressInfo;
  let closed: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closed ??= (async () => {
      const stopped = new Promise<void>((resolve) => http.close(() => resolve()));
      http.closeIdleConnections();
      await mcp.close();
      http.closeAllConnections();
      await stopped;
    })());
  return { url: `http://127.0.0.1:${address.port}/mcp`, port: address.port, mcp, close, [Symbol.asyncDispose]: close };
}
