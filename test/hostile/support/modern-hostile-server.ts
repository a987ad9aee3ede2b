/**
 * The hostile server of the 2026-07-28 era: it answers `server/discover` (so `era: 'auto'` lands on modern,
 * with `tools.listChanged`, so the client opens a `subscriptions/listen` stream) and lets each test supply the
 * hostile `subscriptions/listen`. Counts are the hostile server's (`calls` by JSON-RPC method).
 */
import type { ServerResponse } from 'node:http';
import { type HostileRequest, type HostileServer, type MethodHandler, startHostileServer, startSse } from './hostile-server';

const DISCOVER_RESULT = {
  supportedVersions: ['2026-07-28'],
  capabilities: { tools: { listChanged: true } },
  serverInfo: { name: 'modern-hostile', version: '1.0.0' },
};

/** Writes the acknowledgement of a listen request on an SSE response (and leaves the response open). */
export function acknowledge(res: ServerResponse, request: HostileRequest, retry?: number): ServerResponse {
  const notifications = (request.params?.notifications ?? {}) as Record<string, unknown>;
  const ack = { jsonrpc: '2.0', method: 'notifications/subscriptions/acknowledged', params: { notifications } };
  startSse(res).write(`${retry === undefined ? '' : `retry: ${retry}\n`}data: ${JSON.stringify(ack)}\n\n`);
  return res;
}

/** Answers with a 400 carrying -32022 UnsupportedProtocolVersion (the server refuses the negotiated version). */
export function refuseVersion(res: ServerResponse, request: HostileRequest): true {
  const body = JSON.stringify({ jsonrpc: '2.0', id: request.id, error: { code: -32022, message: 'Unsupported protocol version', data: { supported: ['2026-07-28'] } } });
  res.writeHead(400, { 'content-type': 'application/json' }).end(body);
  return true;
}

/**
 * @example
 * ```ts
 * await using server = await startModernHostileServer((request, res) => refuseVersion(res, request));
 * ```
 */
export function startModernHostileServer(listen: MethodHandler, methods: Record<string, MethodHandler> = {}): Promise<HostileServer> {
  return startHostileServer({
    methods: {
      'server/discover': () => DISCOVER_RESULT,
      'subscriptions/listen': listen,
      ...methods,
    },
  });
}
