/**
 * A 2025-era server that sends a running tool's elicitation on the GET stream, and drops it when that stream is not
 * open (as the official SDK server does for messages without a related request): the first call must not start
 * before the GET stream has its answer, or the tool waits forever for an elicitation nobody saw.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test } from 'vitest';
import { MCPClient } from '../../src/index';

const SESSION = 'session-stream-first';
/** The GET stream's head comes this late: later than the first call, were the client not waiting for it. */
const GET_HEAD_DELAY_MS = 60;

type Message = { id?: string | number; method?: string; result?: { action?: string; content?: Record<string, unknown> } };

async function readJson(req: IncomingMessage): Promise<Message> {
  let text = '';
  for await (const chunk of req) text += String(chunk);
  return JSON.parse(text) as Message;
}

function json(res: ServerResponse, id: string | number | undefined, result: Record<string, unknown>): void {
  res.writeHead(200, { 'content-type': 'application/json', 'mcp-session-id': SESSION }).end(JSON.stringify({ jsonrpc: '2.0', id, result }));
}

test('the first call waits for the GET stream, so an elicitation sent on it reaches the handler', async () => {
  const seen = { elicitationsSent: 0, elicitationsDropped: 0, toolCalls: 0 };
  let getStream: ServerResponse | undefined;
  let heldCall: { id: string | number | undefined; res: ServerResponse } | undefined;
  const server = createServer((req, res) => {
    void (async () => {
      if (req.method === 'GET') {
        setTimeout(() => {
          res.writeHead(200, { 'content-type': 'text/event-stream', 'mcp-session-id': SESSION });
          res.write(': open\n\n');
          getStream = res;
        }, GET_HEAD_DELAY_MS);
        return;
      }
      if (req.method === 'DELETE') return void res.writeHead(200).end();
      const message = await readJson(req);
      if (message.method === 'initialize') {
        return json(res, message.id, { protocolVersion: '2025-11-25', capabilities: { tools: {} }, serverInfo: { name: 'stream-first', version: '1.0.0' } });
      }
      if (message.method === 'tools/list') {
        return json(res, message.id, { tools: [{ name: 'ask', inputSchema: { type: 'object' }, annotations: { readOnlyHint: true } }] });
      }
      if (message.method === 'tools/call') {
        seen.toolCalls += 1;
        heldCall = { id: message.id, res };
        const elicitation = { jsonrpc: '2.0', id: 'e-1', method: 'elicitation/create', params: { message: 'ok?', requestedSchema: { type: 'object', properties: { ok: { type: 'boolean' } } } } };
        if (getStream === undefined) seen.elicitationsDropped += 1;
        else {
          seen.elicitationsSent += 1;
          getStream.write(`event: message\ndata: ${JSON.stringify(elicitation)}\n\n`);
        }
        return;
      }
      if (message.id === 'e-1' && message.result !== undefined) {
        res.writeHead(202).end();
        if (heldCall !== undefined) json(heldCall.res, heldCall.id, { content: [{ type: 'text', text: `answered ${JSON.stringify(message.result.content)}` }] });
        return;
      }
      res.writeHead(202).end();
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
  let handled = 0;
  try {
    await using client = new MCPClient({
      url,
      era: 'legacy',
      timeoutMs: 3_000,
      retry: false,
      handlers: { elicitation: () => ((handled += 1), { action: 'accept', content: { ok: true } }) },
    });
    const result = await client.callTool('ask', {});

    expect(result.content).toEqual([{ type: 'text', text: 'answered {"ok":true}' }]);
    expect(seen).toEqual({ elicitationsSent: 1, elicitationsDropped: 0, toolCalls: 1 });
    expect(handled).toBe(1);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});
