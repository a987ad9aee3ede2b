/**
 * Entry of the server child process (forked by `launch.ts`). Starts the chosen server, tracks every accepted
 * TCP connection through the `net.server.socket` diagnostics channel (works whatever HTTP stack the server
 * uses, so the reference server needs no test hook for it) and answers stats requests over IPC.
 */
import { subscribe } from 'node:diagnostics_channel';
import type { Socket } from 'node:net';
import { isParentMessage, type ChildMessage, type ServerKind } from './protocol';
import { startSdkEchoServer, type RunningServer } from './sdk-echo-server';

const openSockets = new Set<Socket>();
subscribe('net.server.socket', (message) => {
  const { socket } = message as { socket: Socket };
  openSockets.add(socket);
  socket.once('close', () => openSockets.delete(socket));
});

function send(message: ChildMessage): void {
  process.send?.(message);
}

async function start(kind: ServerKind): Promise<RunningServer> {
  if (kind === 'sdk') return startSdkEchoServer();
  // Loaded only when asked so the SDK stand-in still runs if the reference server does not load.
  const { startBenchReferenceServer } = await import('./reference-server');
  return startBenchReferenceServer();
}

async function main(): Promise<void> {
  const kind: ServerKind = process.argv[2] === 'sdk' ? 'sdk' : 'reference';
  const server = await start(kind);
  process.on('message', (message: unknown) => {
    if (!isParentMessage(message)) return;
    if (message.type === 'stop') {
      // Bounded: a server that does not close in 2 s is left to the parent's kill.
      void Promise.race([server.close(), new Promise((resolve) => setTimeout(resolve, 2_000).unref())]).then(() =>
        process.exit(0),
      );
      return;
    }
    const cpu = process.cpuUsage();
    const openRemotePorts = [...openSockets].flatMap((s) => (s.remotePort === undefined ? [] : [s.remotePort]));
    send({ type: 'stats', id: message.id, stats: { openRemotePorts, cpuMicros: cpu.user + cpu.system } });
  });
  // The parent going away must not leave an orphan server holding a port.
  process.on('disconnect', () => process.exit(0));
  send({ type: 'ready', url: server.url, kind });
}

main().catch((error: unknown) => {
  send({ type: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exit(1);
});
