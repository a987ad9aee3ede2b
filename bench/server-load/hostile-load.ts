/**
 * The hostile side of `bench:server --hostile` (issue 9): a constant number of hostile raw connections from
 * another loopback address (127.0.0.2, another client IP than the good client's), in four kinds: slowloris
 * headers (a byte every 200 ms), slow bodies (a byte every 200 ms), stalled POSTs (a partial body, then
 * silence) and idle sockets (nothing at all). A connection the server closes is replaced after
 * `REPLACE_DELAY_MS`, so the pressure stays near `connections` for the whole measurement without the bench
 * turning into an unbounded reconnect loop against a server that closes at once.
 */
import { connect, type Socket } from 'node:net';

export const HOSTILE_KINDS = ['slow-headers', 'slow-body', 'stalled-post', 'idle'] as const;
export type HostileKind = (typeof HOSTILE_KINDS)[number];

/** What the hostile side did and saw. */
export interface HostileTally {
  /** Connections open now. */
  open: number;
  /** Connections opened in all (replacements included). */
  opened: number;
  /** Connections the server closed, by kind. */
  closedByServer: Record<HostileKind, number>;
  /** Statuses of the answers they got before closing (408, 429, ...). */
  statuses: Record<string, number>;
}

/** A running hostile load. */
export interface HostileLoad {
  tally(): HostileTally;
  /** Closes every connection and stops replacing them. */
  stop(): void;
}

const TRICKLE_MS = 200;
/** Connections opened per event-loop turn, so the server's accept queue is never what is measured. */
const OPEN_BATCH = 25;
/** Delay before a closed hostile connection is replaced: at most `connections` x 20 opens per second. */
const REPLACE_DELAY_MS = 50;

function head(host: string, port: number, contentLength: number): string {
  return `POST /mcp HTTP/1.1\r\nHost: ${host}:${port}\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\nContent-Length: ${contentLength}\r\n\r\n`;
}

/**
 * @example
 * ```ts
 * const hostile = await startHostileLoad(new URL(child.url), 300);
 * // ... measure the good client ...
 * hostile.stop();
 * ```
 */
export async function startHostileLoad(url: URL, connections: number, localAddress = '127.0.0.2'): Promise<HostileLoad> {
  const host = url.hostname;
  const port = Number(url.port);
  const sockets = new Set<Socket>();
  const tally: HostileTally = {
    open: 0,
    opened: 0,
    closedByServer: { 'slow-headers': 0, 'slow-body': 0, 'stalled-post': 0, idle: 0 },
    statuses: {},
  };
  let stopped = false;
  const replacements = new Set<NodeJS.Timeout>();

  const open = (kind: HostileKind): Promise<void> =>
    new Promise((resolve) => {
      const socket = connect({ host, port, localAddress });
      sockets.add(socket);
      tally.opened += 1;
      let timer: NodeJS.Timeout | undefined;
      let firstBytes = '';
      let connected = false;
      socket.setEncoding('latin1');
      socket.on('data', (chunk: string) => {
        if (firstBytes.length < 16) firstBytes += chunk;
      });
      socket.on('error', () => undefined);
      socket.once('connect', () => {
        connected = true;
        tally.open += 1;
        resolve();
        if (kind === 'slow-headers') {
          socket.write(`POST /mcp HTTP/1.1\r\nHost: ${host}:${port}\r\nX-Slow: `);
          timer = setInterval(() => socket.write('a'), TRICKLE_MS);
        } else if (kind === 'slow-body') {
          socket.write(head(host, port, 1_000_000));
          timer = setInterval(() => socket.write(' '), TRICKLE_MS);
        } else if (kind === 'stalled-post') {
          socket.write(`${head(host, port, 10_000)}{"jsonrpc":"2.0","id":1,`);
        }
      });
      socket.once('close', () => {
        clearInterval(timer);
        sockets.delete(socket);
        if (connected) tally.open -= 1;
        if (stopped) return;
        tally.closedByServer[kind] += 1;
        const status = /^HTTP\/1\.1 (\d{3})/.exec(firstBytes)?.[1] ?? 'none';
        tally.statuses[status] = (tally.statuses[status] ?? 0) + 1;
        const replacement = setTimeout(() => {
          replacements.delete(replacement);
          if (!stopped) void open(kind);
        }, REPLACE_DELAY_MS);
        replacements.add(replacement);
      });
      // A connection that cannot even be made still counts as settled for the batch.
      socket.once('error', () => resolve());
    });

  for (let index = 0; index < connections; index += OPEN_BATCH) {
    const batch = Array.from({ length: Math.min(OPEN_BATCH, connections - index) }, (_, offset) => HOSTILE_KINDS[(index + offset) % HOSTILE_KINDS.length] ?? 'idle');
    await Promise.all(batch.map((kind) => open(kind)));
  }
  return {
    tally: () => ({ ...tally, closedByServer: { ...tally.closedByServer }, statuses: { ...tally.statuses } }),
    stop() {
      stopped = true;
      for (const replacement of replacements) clearTimeout(replacement);
      replacements.clear();
      for (const socket of sockets) socket.destroy();
      sockets.clear();
    },
  };
}
