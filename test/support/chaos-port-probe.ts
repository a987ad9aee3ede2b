/**
 * Measures the moment a restarted server starts accepting TCP connections, independently of the
 * harness that started it: the "first success within 300 ms of the server accepting connections"
 * criterion needs that moment, and the child's own "ready" message arrives later than the real listen.
 */
import net from 'node:net';

export interface PortProbe {
  /** Resolves with `Date.now()` of the first successful connect; never rejects. */
  readonly acceptingAt: Promise<number>;
  /** Stops probing (idempotent); `acceptingAt` then never resolves if nothing connected. */
  stop(): void;
}

function tryConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Connects to `port` every `intervalMs` until one connect succeeds or `maxMs` passes; the probe's
 * error is therefore at most `intervalMs` plus one loopback connect (well under 1 ms).
 *
 * @example
 * ```ts
 * const probe = probePortAccepting(server.port, { maxMs: 15_000 });
 * await server.start();
 * const acceptingAt = await probe.acceptingAt;
 * ```
 */
export function probePortAccepting(port: number, options: { intervalMs?: number; maxMs: number }): PortProbe {
  const intervalMs = options.intervalMs ?? 10;
  let stopped = false;
  const deadline = Date.now() + options.maxMs;
  const acceptingAt = (async (): Promise<number> => {
    while (!stopped && Date.now() < deadline) {
      if (await tryConnect(port)) return Date.now();
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
    return new Promise<number>(() => undefined);
  })();
  return {
    acceptingAt,
    stop() {
      stopped = true;
    },
  };
}
