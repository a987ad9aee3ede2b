/**
 * A small hostile MCP server on real sockets (node:http, 127.0.0.1, port 0) for the issue 9 client cases.
 * It speaks just enough of Streamable HTTP (initialize, notifications, JSON or SSE answers) for the client to
 * reach the hostile part, which each test supplies as a handler per JSON-RPC method or for the GET stream.
 * It counts what the client did to it: requests by method, open sockets, open responses.
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One JSON-RPC request as the server received it. */
export interface HostileRequest {
  readonly id: string | number;
  readonly method: string;
  readonly params: Record<string, unknown> | undefined;
  readonly headers: IncomingMessage['headers'];
}

/** Answers one JSON-RPC request; write to `res` yourself (return true) or return a result object. */
export type MethodHandler = (request: HostileRequest, res: ServerResponse) => Record<string, unknown> | true;

/** Handles a GET (the notification stream or a resume). */
export type GetHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** Options of {@link startHostileServer}. */
export interface HostileServerOptions {
  readonly methods?: Record<string, MethodHandler>;
  readonly get?: GetHandler;
  /** Sees every HTTP request first; return true when it answered. */
  readonly intercept?: (req: IncomingMessage, res: ServerResponse) => boolean;
}

/** A running hostile server. */
export interface HostileServer extends AsyncDisposable {
  readonly url: string;
  readonly origin: string;
  /** JSON-RPC requests by method (notifications included). */
  readonly calls: Map<string, number>;
  /** HTTP requests by method (GET, POST, DELETE). */
  readonly httpRequests: Map<string, number>;
  /** Headers of every HTTP request, in order. */
  readonly seenHeaders: IncomingMessage['headers'][];
  /** Sockets open now. */
  openSockets(): number;
  /** Responses the server started and that are not closed yet (by end or by the peer). */
  openResponses(): number;
  close(): Promise<void>;
}

const TOOL_RESULT = { content: [{ type: 'text', text: 'ok' }] };

const DEFAULT_METHODS: Record<string, MethodHandler> = {
  initialize: (request) => ({
    protocolVersion: typeof request.params?.protocolVersion === 'string' ? request.params.protocolVersion : '2025-11-25',
    capabilities: { tools: {} },
    serverInfo: { name: 'hostile', version: '1.0.0' },
  }),
  'tools/list': () => ({ tools: [{ name: 'probe', inputSchema: { type: 'object' } }] }),
  'tools/call': () => TOOL_RESULT,
  ping: () => ({}),
};

function count(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

/** Writes one JSON-RPC result as an `application/json` body. */
export function answerJson(res: ServerResponse, id: string | number, result: Record<string, unknown>): true {
  const body = JSON.stringify({ jsonrpc: '2.0', id, result });
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'mcp-session-id': 'hostile-session' });
  res.end(body);
  return true;
}

/** Starts an SSE answer (200, text/event-stream) and returns the response to write events to. */
export function startSse(res: ServerResponse): ServerResponse {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  res.flushHeaders();
  return res;
}

/** One SSE event carrying a JSON-RPC result. */
export function resultEvent(id: string | number, result: Record<string, unknown>): string {
  return `data: ${JSON.stringify({ jsonrpc: '2.0', id, result })}\n\n`;
}

async function readBody(req: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of req) text += String(chunk);
  return text;
}

/**
 * Starts the server; dispose it with `await using`.
 *
 * @example
 * ```ts
 * await using server = await startHostileServer({ methods: { 'tools/call': (request, res) => answerJson(res, request.id, {}) } });
 * ```
 */
export async function startHostileServer(options: HostileServerOptions = {}): Promise<HostileServer> {
  const methods = { ...DEFAULT_METHODS, ...options.methods };
  const calls = new Map<string, number>();
  const httpRequests = new Map<string, number>();
  const seenHeaders: IncomingMessage['headers'][] = [];
  const sockets = new Set<Socket>();
  const responses = new Set<ServerResponse>();

  const server: Server = createServer((req, res) => {
    count(httpRequests, req.method ?? '?');
    seenHeaders.push(req.headers);
    responses.add(res);
    res.on('close', () => {
      responses.delete(res);

    });
    if (options.intercept?.(req, res)) return;
    if (req.method === 'DELETE') {
      res.writeHead(200).end();
      return;
    }
    if (req.method === 'GET') {
      if (options.get) options.get(req, res);
      else res.writeHead(405).end();
      return;
    }
    void readBody(req).then((text) => {
      const message = JSON.parse(text) as { id?: string | number; method?: string; params?: Record<string, unknown> };
      if (typeof message.method !== 'string') {
        res.writeHead(202).end(); // a response to a server request
        return;
      }
      count(calls, message.method);
      if (message.id === undefined) {
        res.writeHead(202).end();
        return;
      }
      const handler = methods[message.method];
      if (!handler) {
        const body = JSON.stringify({ jsonrpc: '2.0', id: message.id, error: { code: -32601, message: 'Method not found' } });
        res.writeHead(200, { 'content-type': 'application/json' }).end(body);
        return;
      }
      const request: HostileRequest = { id: message.id, method: message.method, params: message.params, headers: req.headers };
      const answer = handler(request, res);
      if (answer !== true) answerJson(res, message.id, answer);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;

  const close = async (): Promise<void> => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return {
    url: `${origin}/mcp`,
    origin,
    calls,
    httpRequests,
    seenHeaders,
    openSockets: () => sockets.size,
    openResponses: () => responses.size,
    close,
    [Symbol.asyncDispose]: close,
  };
}
