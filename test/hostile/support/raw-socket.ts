/**
 * Hostile raw-socket clients for the issue 9 SERVER cases: plain `node:net` connections to 127.0.0.x that send
 * exactly the bytes a test chooses (headers a byte at a time, a body that trickles or stalls, nothing at all) and
 * record what came back and how long the server let them hold the connection.
 */
import { connect, type Socket } from 'node:net';

/** How a connection ended: after how long, and what the server had sent by then. */
export interface RawClosure {
  /** Connect to close, ms. */
  readonly heldMs: number;
  readonly received: string;
  /** The status of the first answer, if one arrived. */
  readonly status: number | undefined;
}

/** One raw connection. */
export interface RawConnection {
  readonly socket: Socket;
  /** Everything received so far. */
  received(): string;
  /** True once the socket closed. */
  isClosed(): boolean;
  /** Resolves when the socket closes (never rejects). */
  readonly closed: Promise<RawClosure>;
  /** Writes `text` one byte every `intervalMs` (cycling), until the socket closes or `stop()`. */
  trickle(text: string, intervalMs: number): { stop(): void };
  destroy(): void;
}

/** The status code of the first HTTP answer in `received`. */
export function statusOf(received: string): number | undefined {
  const match = /^HTTP\/1\.1 (\d{3})/.exec(received);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/** A header of the first HTTP answer in `received`, lower-cased name. */
export function headerOf(received: string, name: string): string | undefined {
  const head = received.split('\r\n\r\n')[0] ?? '';
  const line = head.split('\r\n').find((candidate) => candidate.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line?.slice(line.indexOf(':') + 1).trim();
}

/**
 * Opens a connection to 127.0.0.1:`port`, from `localAddress` (another loopback address is another client IP).
 *
 * @example
 * ```ts
 * const conn = await connectRaw(server.port, { localAddress: '127.0.0.2' });
 * conn.socket.write(postHead(1_000));
 * ```
 */
export function connectRaw(port: number, options: { localAddress?: string } = {}): Promise<RawConnection> {
  const openedAt = performance.now();
  const socket = connect({ port, host: '127.0.0.1', ...(options.localAddress === undefined ? {} : { localAddress: options.localAddress }) });
  let received = '';
  let closed = false;
  socket.setEncoding('latin1');
  socket.on('data', (chunk: string) => {
    received += chunk;
  });
  socket.on('error', () => undefined);
  const closure = new Promise<RawClosure>((resolve) => {
    socket.once('close', () => {
      closed = true;
      resolve({ heldMs: performance.now() - openedAt, received, status: statusOf(received) });
    });
  });
  const connection: RawConnection = {
    socket,
    received: () => received,
    isClosed: () => closed,
    closed: closure,
    trickle(text, intervalMs) {
      let index = 0;
      const timer = setInterval(() => {
        if (closed || socket.destroyed) {
          clearInterval(timer);
          return;
        }
        socket.write(text[index % text.length] ?? ' ');
        index += 1;
      }, intervalMs);
      void closure.then(() => clearInterval(timer));
      return { stop: () => clearInterval(timer) };
    },
    destroy: () => socket.destroy(),
  };
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(connection));
    socket.once('error', reject);
  });
}

/**
 * The head of an MCP POST announcing `contentLength` body bytes.
 *
 * @example
 * ```ts
 * conn.socket.write(postHead(100_000) + '{"jsonrpc"');
 * ```
 */
export function postHead(contentLength: number, headers: Record<string, string> = {}, path = '/mcp'): string {
  const extra = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('');
  return (
    `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\n` +
    `Content-Length: ${contentLength}\r\n${extra}\r\n`
  );
}

/**
 * Opens `count` connections (in batches, so the listen backlog is never the bound being measured).
 *
 * @example
 * ```ts
 * const stalled = await connectMany(300, server.port, (conn) => conn.socket.write(postHead(1_000) + '{'));
 * ```
 */
export async function connectMany(
  count: number,
  port: number,
  start: (connection: RawConnection) => void,
  options: { localAddress?: string } = {},
): Promise<RawConnection[]> {
  const BATCH = 50;
  const connections: RawConnection[] = [];
  for (let offset = 0; offset < count; offset += BATCH) {
    const batch = await Promise.all(Array.from({ length: Math.min(BATCH, count - offset) }, () => connectRaw(port, options)));
    for (const connection of batch) start(connection);
    connections.push(...batch);
  }
  return connections;
}

/** Resolves once `predicate` holds, polling every 10 ms; rejects after `timeoutMs` (never hangs a test). */
export async function until(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!predicate()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Counts of each status among closures (`none` when no answer arrived). */
export function statusCounts(closures: readonly RawClosure[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const closure of closures) {
    const key = String(closure.status ?? 'none');
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}
