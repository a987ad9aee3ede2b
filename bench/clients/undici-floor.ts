/**
 * The transport floor: `undici.request` of a pre-built `tools/call` body on a session initialized by hand, the
 * body read fully as text (JSON or SSE alike). No parsing, no validation, no GET stream: what any client built
 * on undici must pay at least. Own `Agent` per session so its sockets are released on close and never mix with
 * the SDK's (which uses the global dispatcher through `fetch`).
 */
import { randomUUID } from 'node:crypto';
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';
import { Agent, request } from 'undici';
import { APP_SESSION_HEADER, type BenchSession, type ClientMode } from './types';

/** Pulls the JSON-RPC message out of a body that is either plain JSON or one SSE `data:` event. */
function firstMessage(body: string): unknown {
  const trimmed = body.trimStart();
  if (trimmed.startsWith('{')) return JSON.parse(trimmed);
  const data = trimmed.split('\n').find((line) => line.startsWith('data:'));
  if (data === undefined) throw new Error(`floor: no JSON-RPC message in ${JSON.stringify(body.slice(0, 200))}`);
  return JSON.parse(data.slice(5));
}

function negotiatedVersion(message: unknown): string {
  if (typeof message === 'object' && message !== null && 'result' in message) {
    const { result } = message;
    if (
      typeof result === 'object' &&
      result !== null &&
      'protocolVersion' in result &&
      typeof result.protocolVersion === 'string'
    ) {
      return result.protocolVersion;
    }
  }
  throw new Error(`floor: initialize failed: ${JSON.stringify(message)}`);
}

export const floorMode: ClientMode = {
  id: 'floor',
  label: 'undici floor',
  async connect(url) {
    const dispatcher = new Agent();
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      [APP_SESSION_HEADER]: randomUUID(),
    };
    const init = await request(url, {
      method: 'POST',
      dispatcher,
      headers,
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 0,
        method: 'initialize',
        params: {
          protocolVersion: LATEST_PROTOCOL_VERSION,
          capabilities: {},
          clientInfo: { name: 'archon-bench-floor', version: '0.0.0' },
        },
      }),
    });
    const sessionId = init.headers['mcp-session-id'];
    const version = negotiatedVersion(firstMessage(await init.body.text()));
    if (typeof sessionId !== 'string')
      throw new Error(`floor: initialize answered ${init.statusCode} without Mcp-Session-Id`);
    headers['mcp-session-id'] = sessionId;
    headers['mcp-protocol-version'] = version;
    const initialized = await request(url, {
      method: 'POST',
      dispatcher,
      headers,
      body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
    });
    await initialized.body.text();

    // Ids must stay unique per session (the server routes answers by id), so only the id is spliced in.
    let nextId = 1;
    const head = '{"jsonrpc":"2.0","id":';
    const tail = (text: string): string =>
      `,"method":"tools/call","params":{"name":"echo","arguments":{"text":${JSON.stringify(text)}}}}`;
    let cachedText = '';
    let cachedTail = '';
    const session: BenchSession = {
      async call(text) {
        if (text !== cachedText) {
          cachedText = text;
          cachedTail = tail(text);
        }
        const response = await request(url, {
          method: 'POST',
          dispatcher,
          headers,
          body: head + nextId++ + cachedTail,
        });
        const body = await response.body.text();
        if (response.statusCode !== 200)
          throw new Error(`floor: tools/call answered ${response.statusCode}: ${body.slice(0, 200)}`);
        return body;
      },
      async close() {
        // DELETE like a well-behaved client, then release the sockets.
        await request(url, { method: 'DELETE', dispatcher, headers })
          .then((r) => r.body.text())
          .catch(() => undefined);
        await dispatcher.close();
      },
    };
    return session;
  },
};
