/**
 * The "no timers or sockets left" assertion of the close() row is only as good as the tracker behind
 * it, so the tracker must be shown to SEE an undici socket that is still open, and to forget it (and
 * undici's per-socket timers) once the Agent is destroyed.
 */
import http from 'node:http';
import { once } from 'node:events';
import { Agent, request } from 'undici';
import { describe, expect, test } from 'vitest';
import { pollUntil } from '../support/chaos-poll';
import { trackResources } from '../support/chaos-resource-tracker';

describe('resource tracker', () => {
  test('reports an open undici socket, and nothing once its Agent is destroyed', async () => {
    const server = http.createServer((_request, response) => response.end('ok'));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as { port: number };
    const tracker = trackResources(['/node_modules/undici/']);
    try {
      const agent = new Agent();
      await (await request(`http://127.0.0.1:${port}/`, { dispatcher: agent })).body.text();

      expect(tracker.live().filter(({ type }) => type === 'TCPWRAP')).toHaveLength(1);
      await agent.destroy();
      await pollUntil(() => tracker.live().length === 0, { what: 'the socket to be released', timeoutMs: 2_000 }).catch(() => undefined);
      expect(tracker.live()).toEqual([]);
    } finally {
      tracker.stop();
      server.closeAllConnections();
      server.close();
    }
  });
});
