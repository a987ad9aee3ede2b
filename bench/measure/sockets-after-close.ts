/**
 * Sockets a client leaves open after `close()`. Every TCP socket the bench process opens while a client is
 * tracked is recorded through the `net.client.socket` diagnostics channel (works for undici 7 and for Node's
 * bundled undici behind `fetch`), so only this client's sockets are counted - never pooled ones of another mode.
 * Counted on both ends after a settle: client side (not destroyed) and server side (the server child's open
 * connections whose remote port is one of ours).
 *
 * With `besideAnotherClient`, one more client of the same mode stays connected throughout (opened before the
 * tracking starts, closed after the count): a client sharing a process-wide pool (the SDK's global dispatcher,
 * MCPClient's shared Agent) then leaves its idle pooled sockets open after its own close().
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ClientMode } from '../clients/types';
import type { ServerChild } from '../server/launch';

export interface SocketsResult {
  /** Sockets the clients opened in total. */
  readonly opened: number;
  readonly openClientSide: number;
  readonly openServerSide: number;
}

export interface SocketsOptions {
  readonly clients: number;
  /** Calls per client, made `concurrency` at a time so the client opens several pooled sockets. */
  readonly callsEach: number;
  readonly concurrency: number;
  readonly settleMs: number;
  readonly text: string;
  readonly deadlineMs: number;
  readonly besideAnotherClient: boolean;
  /**
   * After counting, wait up to this long for the sockets still open to close (keep-alive expiry), so that a
   * following measurement of a pooled client does not silently reuse them instead of opening tracked ones.
   */
  readonly drainMs: number;
}

/** Records the sockets this process opens between `start()` and `stop()`. */
class SocketTracker {
  readonly #sockets = new Set<Socket>();
  readonly #localPorts = new Set<number>();
  readonly #onSocket = (message: unknown): void => {
    const { socket } = message as { socket: Socket };
    this.#sockets.add(socket);
    socket.once('connect', () => {
      if (socket.localPort !== undefined) this.#localPorts.add(socket.localPort);
    });
  };

  start(): void {
    subscribe('net.client.socket', this.#onSocket);
  }

  stop(): void {
    unsubscribe('net.client.socket', this.#onSocket);
  }

  get opened(): number {
    return this.#sockets.size;
  }

  openCount(): number {
    return [...this.#sockets].filter((s) => !s.destroyed).length;
  }

  /** How many of `remotePorts` (as the server sees its peers) are sockets of ours. */
  ours(remotePorts: readonly number[]): number {
    return remotePorts.filter((port) => this.#localPorts.has(port)).length;
  }
}

/** Runs the tracked clients one after the other, then counts what is still open after the settle. */
async function runTracked(
  mode: ClientMode,
  server: ServerChild,
  options: SocketsOptions,
  tracker: SocketTracker,
): Promise<SocketsResult> {
  tracker.start();
  const stopAt = performance.now() + options.deadlineMs;
  try {
    for (let i = 0; i < options.clients && performance.now() < stopAt; i++) {
      const session = await mode.connect(server.url);
      try {
        for (let made = 0; made < options.callsEach && performance.now() < stopAt; made += options.concurrency) {
          await Promise.all(Array.from({ length: options.concurrency }, () => session.call(options.text)));
        }
      } finally {
        await session.close();
      }
    }
  } finally {
    tracker.stop();
  }
  await sleep(options.settleMs);
  const openClientSide = tracker.openCount();
  const { openRemotePorts } = await server.stats();
  return { opened: tracker.opened, openClientSide, openServerSide: tracker.ours(openRemotePorts) };
}

export async function measureSocketsAfterClose(
  mode: ClientMode,
  server: ServerChild,
  options: SocketsOptions,
): Promise<SocketsResult> {
  const tracker = new SocketTracker();
  const other = options.besideAnotherClient ? await mode.connect(server.url) : undefined;
  let result: SocketsResult;
  try {
    await other?.call(options.text);
    result = await runTracked(mode, server, options, tracker);
  } finally {
    // Only after the count: closing the last client of a shared pool closes the pool and the sockets counted.
    await other?.close();
  }
  const drainUntil = performance.now() + options.drainMs;
  while (tracker.openCount() > 0 && performance.now() < drainUntil) await sleep(100);
  return result;
}
