/**
 * Entry of the modern-era server child (forked by `launch-v2.ts`): the v2 echo server, its accepted sockets
 * tracked through the `net.server.socket` diagnostics channel, stats over IPC - the same protocol as the
 * legacy section's child (`../server/child-entry.ts`), so `round.ts` treats both alike.
 */
import { subscribe } from 'node:diagnostics_channel';
import type { Socket } from 'node:net';
import { isParentMessage, type ChildMessage } from '../server/protocol';
import { startV2EchoServer } from './v2-echo-server';

const openSockets = new Set<Socket>();
subscribe('net.server.socket', (message) => {
  const { socket } = message as { socket: Socket };
  openSockets.add(socket);
  socket.once('close', () => openSockets.delete(socket));
});

function send(message: ChildMessage): void {
  process.send?.(message);
}

async function main(): Promise<void> {
  const server = await startV2EchoServer();
  process.on('message', (message: unknown) => {
    if (!isParentMessage(message)) return;
    if (message.type === 'stop') {
      void Promise.race([server.close(), new Promise((resolve) => setTimeout(resolve, 2_000).unref())]).then(() => process.exit(0));
      return;
    }
    const cpu = process.cpuUsage();
    const openRemotePorts = [...openSockets].flatMap((s) => (s.remotePort === undefined ? [] : [s.remotePort]));
    send({ type: 'stats', id: message.id, stats: { openRemotePorts, cpuMicros: cpu.user + cpu.system } });
  });
  process.on('disconnect', () => process.exit(0));
  // The IPC kind is the legacy child's vocabulary; the section reports its own server name.
  send({ type: 'ready', url: server.url, kind: 'sdk' });
}

main().catch((error: unknown) => {
  send({ type: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exit(1);
});
