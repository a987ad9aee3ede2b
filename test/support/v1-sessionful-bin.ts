/**
 * Child-process entry of a sessionful legacy server on the v1 SDK (`@modelcontextprotocol/sdk` 1.32), routed
 * the way `@modelcontextprotocol/server-everything` 2026.8.31 and seven SDK 1.x examples route: a session map
 * in memory, and ANY request whose session id is not in it (a restart lost them all) answered
 * `400 {"code":-32000,"message":"Bad Request: No valid session ID provided"}` - POST, GET and DELETE alike.
 * Issue 8 measured what that does to a client that only knows 404. Tools: `echo`, `counter` (ledger file).
 * `GET /__fixture/stats` counts requests by HTTP method and status, and initializations.
 * Environment: `FIXTURE_PORT`, `FIXTURE_COUNTER_FILE`. Prints `{"url","port","pid"}` when listening.
 */
import { randomUUID } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import http from 'node:http';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { CreateMessageResultSchema, ElicitResultSchema, isInitializeRequest, ListRootsResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';

const counterFile = process.env['FIXTURE_COUNTER_FILE'] || undefined;
const transports = new Map<string, StreamableHTTPServerTransport>();
const stats = { byRequest: {} as Record<string, number>, initializations: 0 };

function count(key: string): void {
  stats.byRequest[key] = (stats.byRequest[key] ?? 0) + 1;
}

function buildServer(): McpServer {
  const server = new McpServer({ name: 'archon-v1-sessionful-fixture', version: '1.0.0' });
  server.registerTool('echo', { description: 'Echoes text', inputSchema: { text: z.string() }, annotations: { readOnlyHint: true } }, async ({ text }) => ({
    content: [{ type: 'text', text }],
  }));
  server.registerTool('counter', { description: 'Not idempotent: one ledger line per execution', inputSchema: { key: z.string() } }, async ({ key }) => {
    if (counterFile !== undefined) appendFileSync(counterFile, `${key}\n`);
    return { content: [{ type: 'text', text: key }] };
  });
  // Server->client requests of the legacy era, answered by the client's typed handlers; the answer (or the
  // client's JSON-RPC error) is echoed back as the tool result.
  const echoOutcome = async (ask: () => Promise<unknown>) => {
    try {
      return { content: [{ type: 'text' as const, text: JSON.stringify(await ask()) }] };
    } catch (error) {
      return { content: [{ type: 'text' as const, text: `error: ${error instanceof Error ? error.message : String(error)}` }], isError: true };
    }
  };
  // extra.sendRequest ties each request to the tool call, so it travels on that call's POST stream.
  server.registerTool('ask_legacy', { description: 'Elicits a name (a team default applies)' }, async (extra) =>
    echoOutcome(() =>
      extra.sendRequest(
        {
          method: 'elicitation/create',
          params: {
            message: 'Your name?',
            requestedSchema: { type: 'object', properties: { name: { type: 'string' }, team: { type: 'string', default: 'core' } }, required: ['name'] },
          },
        },
        ElicitResultSchema,
      ),
    ),
  );
  server.registerTool('roots_legacy', { description: 'Lists the client roots' }, async (extra) =>
    echoOutcome(() => extra.sendRequest({ method: 'roots/list' }, ListRootsResultSchema)),
  );
  server.registerTool('sample_legacy', { description: 'Asks the client to sample' }, async (extra) =>
    echoOutcome(() =>
      extra.sendRequest({ method: 'sampling/createMessage', params: { messages: [{ role: 'user', content: { type: 'text', text: 'hi' } }], maxTokens: 10 } }, CreateMessageResultSchema),
    ),
  );
  return server;
}

async function readJson(req: http.IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text === '' ? undefined : (JSON.parse(text) as unknown);
}

function noValidSession(res: http.ServerResponse): void {
  res.writeHead(400, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message: 'Bad Request: No valid session ID provided' }, id: null }));
}

async function serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
  if (path === '/__fixture/stats') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(stats));
    return;
  }
  const body = req.method === 'POST' ? await readJson(req) : undefined;
  const sessionId = req.headers['mcp-session-id'];
  const known = typeof sessionId === 'string' ? transports.get(sessionId) : undefined;
  res.once('finish', () => count(`${req.method} ${res.statusCode}`));
  if (known !== undefined) return known.handleRequest(req, res, body);
  if (sessionId === undefined && req.method === 'POST' && isInitializeRequest(body)) {
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        transports.set(id, transport);
        stats.initializations++;
      },
    });
    transport.onclose = () => {
      if (transport.sessionId !== undefined) transports.delete(transport.sessionId);
    };
    await buildServer().connect(transport);
    return transport.handleRequest(req, res, body);
  }
  noValidSession(res);
}

const server = http.createServer((req, res) => {
  serve(req, res).catch((error: unknown) => {
    process.stderr.write(`fixture error: ${String(error)}\n`);
    if (!res.headersSent) res.writeHead(500).end();
  });
});
server.listen(Number(process.env['FIXTURE_PORT'] ?? 0), '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}/mcp`, port, pid: process.pid })}\n`);
});
process.on('SIGTERM', () => process.exit(0));
