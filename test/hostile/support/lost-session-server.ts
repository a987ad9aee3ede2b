/**
 * The hostile server of issue 9 case 2: it accepts `initialize` every time, then answers every GET stream with
 * 404, so each new session is "lost" at once. Measured before any rate limit: an idle client made 17,731
 * initializes and 17,731 GETs in 10 s (stream 404 -> recover -> initialize -> GET, with no delay; backoff only
 * applied when the re-initialize itself failed).
 */
import { type HostileServer, startHostileServer } from './hostile-server';

/**
 * @example
 * ```ts
 * await using server = await startLostSessionServer();
 * console.log(server.calls.get('initialize'), server.httpRequests.get('GET'));
 * ```
 */
export function startLostSessionServer(): Promise<HostileServer> {
  let sessions = 0;
  return startHostileServer({
    methods: {
      initialize: (request, res) => {
        sessions++;
        const body = JSON.stringify({
          jsonrpc: '2.0',
          id: request.id,
          result: { protocolVersion: '2025-11-25', capabilities: { tools: {} }, serverInfo: { name: 'lost-session', version: '1.0.0' } },
        });
        res.writeHead(200, { 'content-type': 'application/json', 'mcp-session-id': `session-${sessions}` }).end(body);
        return true;
      },
    },
    get: (_req, res) => {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32001, message: 'Session not found' } }));
    },
  });
}
