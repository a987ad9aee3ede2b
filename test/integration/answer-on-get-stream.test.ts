/**
 * A 2025-era server that answers a call on the GET notification stream instead of the call's own POST stream
 * (the conformance suite's sse-retry server does this when its GET arrives after the call): the answer reaches the
 * caller, the call's own stream is let go, and nothing is sent twice.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test } from 'vitest';
import { MCPClient } from '../../src/index';

const SESSION = 'session-answer-elsewhere';

async function readJson(req: IncomingMessage): Promise<{ id?: number; method?: string }> {
  let text = '';
  for await (const chunk of req) text += String(chunk);
  return JSON.parse(text) as { id?: number; method?: string };
}

function json(res: ServerResponse, id: number | undefined, result: Record<string, unknown>): void {
  res.writeHead(200, { 'content-type': 'application/json', 'mcp-session-id': SESSION }).end(JSON.stringify({ jsonrpc: '2.0', id, result }));
}

test('an answer on the GET stream reaches its call; the call is sent once and never resumed', async () => {
  const seen = { toolCalls: 0, resumes: 0, gets: 0 };
  let getStream: ServerResponse | undefined;
  let heldCall: { id: number; res: ServerResponse } | undefined;
  const answerOnGet = (): void => {
    if (getStream === undefined || heldCall === undefined) return;
    const answer = { jsonrpc: '2.0', id: heldCall.id, result: { content: [{ type: 'text', text: 'answered on GET' }] } };
    getStream.write(`event: message\nid: g-1\ndata: ${JSON.stringify(answer)}\n\n`);
  };
  const server = createServer((req, res) => {
    void (async () => {
      if (req.method === 'GET') {
        seen.gets += 1;
        if (req.headers['last-event-id'] !== undefined) seen.resumes += 1;
        res.writeHead(200, { 'content-type': 'text/event-stream', 'mcp-session-id': SESSION });
        res.write(': open\n\n');
        getStream ??= res;
        answerOnGet();
        return;
      }
      if (req.method === 'DELETE') return void res.writeHead(200).end();
      const message = await readJson(req);
      if (message.method === 'initialize') {
        return json(res, message.id, { protocolVersion: '2025-11-25', capabilities: { tools: {} }, serverInfo: { name: 'answers-elsewhere', version: '1.0.0' } });
      }
      if (message.method === 'tools/list') {
        return json(res, message.id, { tools: [{ name: 'once', inputSchema: { type: 'object' }, annotations: { readOnlyHint: false, idempotentHint: false } }] });
      }
      if (message.method === 'tools/call') {
        seen.toolCalls += 1;
        // The call's own stream opens and stays silent: its answer goes out on the GET stream.
        res.writeHead(200, { 'content-type': 'text/event-stream', 'mcp-session-id': SESSION });
        res.write('id: p-1\ndata: \n\n');
        heldCall = { id: message.id ?? -1, res };
        answerOnGet();
        return;
      }
      res.writeHead(202).end();
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
  try {
    await using client = new MCPClient({ url, era: 'legacy', timeoutMs: 10_000 });
    const result = await client.callTool('once', {});

    expect(result.content).toEqual([{ type: 'text', text: 'answered on GET' }]);
    expect(seen.toolCalls).toBe(1);
    expect(seen.resumes).toBe(0);
    expect(client.stats().retries).toBe(0);
    // The client let go of the call's silent stream once the answer came elsewhere.
    await expect.poll(() => heldCall?.res.destroyed || heldCall?.res.writableEnded || heldCall?.res.socket?.destroyed, { timeout: 5_000 }).toBe(true);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});
