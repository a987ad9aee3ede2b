/**
 * Child-process entry of the v2 fixture server: the official `@modelcontextprotocol/server` 2.4.0
 * `createMcpHandler` on node:http, bound to 127.0.0.1. Environment:
 * - `FIXTURE_PORT` (0 = a free port), `FIXTURE_LEGACY` (`reject` for a modern-only endpoint, else the SDK's
 *   default stateless legacy serving), `FIXTURE_COUNTER_FILE` (the `counter` ledger), `FIXTURE_TOOLS_TTL_MS`.
 * Test endpoints beside `/mcp`: `POST /__fixture/fail-next {count,status,retryAfter}` (the next MCP POSTs get
 * that status), `POST /__fixture/change-tools`, `POST /__fixture/touch {uri}`, `POST /__fixture/region-header {on}`
 * (whether `region` mirrors its parameter, without telling clients), `GET /__fixture/stats`.
 * Prints one JSON line `{"url","port","pid"}` when listening. SIGKILL is the crash the chaos rows want.
 */
import http from 'node:http';
import { createMcpHandler } from '@modelcontextprotocol/server';
import { buildFixtureServer, type FixtureState } from './v2-fixture-tools';

const state: FixtureState = {
  counterFile: process.env['FIXTURE_COUNTER_FILE'] || undefined,
  toolsTtlMs: Number(process.env['FIXTURE_TOOLS_TTL_MS'] ?? 0),
  extraTool: false,
  regionHeader: true,
  toolRuns: new Map(),
};
const legacy = process.env['FIXTURE_LEGACY'] === 'reject' ? 'reject' : 'stateless';
const handler = createMcpHandler((context) => buildFixtureServer(state, context), { legacy });

const stats = { byMethod: new Map<string, number>(), byStatus: new Map<number, number>(), listenOpen: 0, appSessionIds: new Map<string, number>() };
const failures: { remaining: number; status: number; retryAfter: number | undefined } = { remaining: 0, status: 503, retryAfter: undefined };

function bump<K>(map: Map<K, number>, key: K): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

async function serveFixtureEndpoint(req: http.IncomingMessage, res: http.ServerResponse, path: string): Promise<void> {
  const body = req.method === 'POST' ? (JSON.parse((await readBody(req)).toString('utf8') || '{}') as Record<string, unknown>) : {};
  if (path === '/__fixture/stats') {
    return json(res, 200, {
      byMethod: Object.fromEntries(stats.byMethod),
      byStatus: Object.fromEntries(stats.byStatus),
      toolRuns: Object.fromEntries(state.toolRuns),
      listenOpen: stats.listenOpen,
      appSessionIds: Object.fromEntries(stats.appSessionIds),
    });
  }
  if (path === '/__fixture/fail-next') {
    failures.remaining = Number(body.count ?? 1);
    failures.status = Number(body.status ?? 503);
    failures.retryAfter = body.retryAfter === undefined ? undefined : Number(body.retryAfter);
    return json(res, 200, { ok: true });
  }
  if (path === '/__fixture/change-tools') {
    state.extraTool = !state.extraTool;
    handler.notify.toolsChanged();
    return json(res, 200, { ok: true, extraTool: state.extraTool });
  }
  if (path === '/__fixture/region-header') {
    state.regionHeader = body.on !== false;
    return json(res, 200, { ok: true });
  }
  if (path === '/__fixture/touch') {
    handler.notify.resourceUpdated(String(body.uri));
    return json(res, 200, { ok: true });
  }
  json(res, 404, { ok: false });
}

/** The JSON-RPC method of a legacy POST (which carries no Mcp-Method header), for the stats. */
function bodyMethod(body: Buffer | undefined): string {
  try {
    return String((JSON.parse(body?.toString('utf8') ?? '{}') as { method?: unknown }).method ?? '(response)');
  } catch {
    return '(unparsable)';
  }
}

async function serveMcp(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const body = req.method === 'POST' ? await readBody(req) : undefined;
  const method = req.headers['mcp-method'];
  bump(stats.byMethod, typeof method === 'string' ? method : `legacy ${req.method} ${bodyMethod(body)}`);
  const appSession = req.headers['x-archon-session-id'];
  bump(stats.appSessionIds, typeof appSession === 'string' ? appSession : '(none)');
  if (failures.remaining > 0 && req.method === 'POST') {
    failures.remaining--;
    bump(stats.byStatus, failures.status);
    const headers: Record<string, string> = failures.retryAfter === undefined ? {} : { 'retry-after': String(failures.retryAfter) };
    return json(res, failures.status, { jsonrpc: '2.0', id: null, error: { code: -32000, message: `Injected HTTP ${failures.status}` } }, headers);
  }
  // Closing the response stream is the modern cancellation: abort the Request when the client goes away.
  const aborted = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) aborted.abort();
  });
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string') headers.set(name, value);
  const request = new Request(`http://127.0.0.1${req.url ?? '/mcp'}`, {
    method: req.method,
    headers,
    body: body === undefined ? undefined : new Uint8Array(body),
    signal: aborted.signal,
  });
  const response = await handler.fetch(request);
  bump(stats.byStatus, response.status);
  const listen = method === 'subscriptions/listen' && response.status === 200;
  if (listen) stats.listenOpen++;
  const responseHeaders: Record<string, string> = {};
  response.headers.forEach((value, name) => (responseHeaders[name] = value));
  res.writeHead(response.status, responseHeaders);
  try {
    const reader = response.body?.getReader();
    for (let next = await reader?.read(); next !== undefined && !next.done; next = await reader?.read()) res.write(next.value);
  } catch {
    // The client went away mid-stream.
  } finally {
    if (listen) stats.listenOpen--;
    res.end();
  }
}

const server = http.createServer((req, res) => {
  const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
  const work = path.startsWith('/__fixture/') ? serveFixtureEndpoint(req, res, path) : path === '/mcp' ? serveMcp(req, res) : Promise.resolve(json(res, 404, {}));
  work.catch((error: unknown) => {
    process.stderr.write(`fixture error: ${String(error)}\n`);
    if (!res.headersSent) json(res, 500, { error: String(error) });
    else res.destroy();
  });
});
server.keepAliveTimeout = 30_000;
server.listen(Number(process.env['FIXTURE_PORT'] ?? 0), '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}/mcp`, port, pid: process.pid })}\n`);
});
const stop = (): void => {
  void handler.close().finally(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
