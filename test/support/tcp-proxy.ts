/**
 * A loopback TCP proxy that sits between the client and the reference server so chaos tests can break
 * the network while the server (and its sessions) stay alive: `cut(ms)` is a network outage (every open
 * connection reset, new ones refused), `resetAll()` a blip, `resetWhenServerSends()` a reset timed to
 * land mid-stream. Resets use `resetAndDestroy()` so the client sees a real RST (ECONNRESET), not a FIN.
 */
import net from 'node:net';

/** Options of {@link startTcpProxy}. */
export interface TcpProxyOptions {
  /** Port of the server behind the proxy (always on 127.0.0.1). */
  readonly targetPort: number;
  /** Port to listen on; 0 picks a free one, which is then kept across `cut()`. @default 0 */
  readonly port?: number;
}

/** Counters of a {@link TcpProxy}. Live object: read it when you need the figures. */
export interface TcpProxyStats {
  /** Client connections accepted since start. */
  connections: number;
  /** Client connections open right now. */
  open: number;
  /** Connections this proxy reset (cut, resetAll, resetWhenServerSends). */
  resets: number;
  /** Outages started with `cut()` or `refuseWhile()`. Connections refused meanwhile never reach this process, so no count. */
  cuts: number;
}

export interface TcpProxy extends AsyncDisposable {
  readonly port: number;
  readonly stats: TcpProxyStats;
  /** `http://127.0.0.1:<port><path>`. */
  url(path?: string): string;
  /**
   * Network outage: resets every open connection and stops listening for `ms`, then listens again on
   * the same port. Resolves once the proxy accepts connections again, with that moment (`Date.now()`).
   */
  cut(ms: number): Promise<number>;
  /**
   * Like `cut`, for as long as `work` runs: e.g. a server restart, so that clients see the refused
   * connections a dead server gives (not an accepted connection that the proxy then resets, which a
   * client must treat as a possibly delivered request). Resolves with `work`'s value once listening again.
   */
  refuseWhile<T>(work: () => Promise<T>): Promise<T>;
  /** Resets every open connection; keeps listening. Returns how many were reset. */
  resetAll(): number;
  /**
   * Resets the connection on which the server's output contained `pattern` for the `count`-th time
   * (counted across connections, from now). Resolves once that reset happened.
   */
  resetWhenServerSends(pattern: string, count: number): Promise<void>;
  /**
   * Resets the open connections whose latest client bytes (the last 16 KiB) contain `pattern`, e.g. the
   * connection carrying one in-flight `tools/call`, leaving the GET stream alone. Returns how many.
   */
  resetWhereClientSent(pattern: string): number;
  close(): Promise<void>;
}

interface Pipe {
  readonly client: net.Socket;
  readonly upstream: net.Socket;
  /** The last client->server bytes, to find the connection of one request. */
  clientTail: string;
}

/** Enough for the headers and JSON body of any request the chaos tests send. */
const CLIENT_TAIL_CHARS = 16 * 1024;

interface ServerDataWatch {
  readonly pattern: string;
  remaining: number;
  readonly done: () => void;
}

function listen(server: net.Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => reject(error);
    server.once('error', onError);
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => {
      server.off('error', onError);
      const address = server.address();
      if (address === null || typeof address === 'string') throw new Error('proxy has no TCP address');
      resolve(address.port);
    });
  });
}

function reset(socket: net.Socket): void {
  if (!socket.destroyed) socket.resetAndDestroy();
}

function countOccurrences(text: string, pattern: string): number {
  let count = 0;
  for (let at = text.indexOf(pattern); at !== -1; at = text.indexOf(pattern, at + pattern.length)) count++;
  return count;
}

/**
 * Starts the proxy on 127.0.0.1.
 *
 * @example
 * ```ts
 * await using proxy = await startTcpProxy({ targetPort: server.port });
 * const client = new MCPClient({ url: proxy.url('/mcp') });
 * const backAt = await proxy.cut(4_000);
 * ```
 */
export async function startTcpProxy(options: TcpProxyOptions): Promise<TcpProxy> {
  const pipes = new Set<Pipe>();
  const watches = new Set<ServerDataWatch>();
  const stats: TcpProxyStats = { connections: 0, open: 0, resets: 0, cuts: 0 };
  let closed = false;

  function resetPipe(pipe: Pipe): void {
    if (pipe.client.destroyed && pipe.upstream.destroyed) return;
    stats.resets++;
    reset(pipe.client);
    reset(pipe.upstream);
  }

  function watchServerData(pipe: Pipe, chunk: Buffer): void {
    if (watches.size === 0) return;
    // SSE events are small; a pattern split across two TCP chunks is possible but rare on loopback and
    // only delays the reset by one event, which every caller of this helper tolerates.
    const text = chunk.toString('utf8');
    for (const watch of watches) {
      watch.remaining -= countOccurrences(text, watch.pattern);
      if (watch.remaining > 0) continue;
      watches.delete(watch);
      resetPipe(pipe);
      watch.done();
    }
  }

  const server = net.createServer((client) => {
    stats.connections++;
    stats.open++;
    const upstream = net.connect({ host: '127.0.0.1', port: options.targetPort });
    const pipe: Pipe = { client, upstream, clientTail: '' };
    pipes.add(pipe);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    client.on('data', (chunk: Buffer) => {
      pipe.clientTail = (pipe.clientTail + chunk.toString('utf8')).slice(-CLIENT_TAIL_CHARS);
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      // Forward first, then maybe reset: the watched event must reach the client before the cut.
      client.write(chunk, () => watchServerData(pipe, chunk));
    });
    // Half-closes pass through so HTTP keep-alive behaves as without the proxy.
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
    // The server refusing or resetting is passed on to the client as a reset.
    upstream.on('error', () => reset(client));
    client.on('error', () => reset(upstream));
    client.on('close', () => {
      stats.open--;
      pipes.delete(pipe);
      if (!upstream.destroyed) upstream.destroy();
    });
    upstream.on('close', () => {
      if (!client.destroyed) client.end();
    });
  });

  const port = await listen(server, options.port ?? 0);

  function resetAll(): number {
    const open = [...pipes];
    for (const pipe of open) resetPipe(pipe);
    return open.length;
  }

  function stopListening(): Promise<void> {
    return new Promise((resolve) => server.close(() => resolve()));
  }

  const proxy: TcpProxy = {
    port,
    stats,
    url: (path = '/mcp') => `http://127.0.0.1:${port}${path}`,
    async cut(ms) {
      await proxy.refuseWhile(() => new Promise((resolve) => setTimeout(resolve, ms)));
      return Date.now();
    },
    async refuseWhile(work) {
      stats.cuts++;
      const stopped = stopListening();
      resetAll();
      await stopped;
      try {
        return await work();
      } finally {
        if (!closed) await listen(server, port);
      }
    },
    resetAll,
    resetWhereClientSent(pattern) {
      const matching = [...pipes].filter((pipe) => pipe.clientTail.includes(pattern));
      for (const pipe of matching) resetPipe(pipe);
      return matching.length;
    },
    resetWhenServerSends(pattern, count) {
      return new Promise((done) => watches.add({ pattern, remaining: count, done }));
    },
    async close() {
      if (closed) return;
      closed = true;
      watches.clear();
      const stopped = server.listening ? stopListening() : Promise.resolve();
      for (const pipe of pipes) {
        pipe.client.destroy();
        pipe.upstream.destroy();
      }
      await stopped;
    },
    [Symbol.asyncDispose]() {
      return proxy.close();
    },
  };
  return proxy;
}
