/**
 * The transport floor of the 2026-07-28 era: `undici.request` of a pre-built `tools/call` body carrying the
 * `_meta` envelope, with the era's headers (`MCP-Protocol-Version`, `Mcp-Method`, `Mcp-Name`), the body read
 * fully as text. No handshake (the era has none), no parsing, no validation: what any modern client built on
 * undici must pay at least. Own `Agent` per session so its sockets are released on close.
 */
import { randomUUID } from 'node:crypto';
import { Agent, request } from 'undici';
import { APP_SESSION_HEADER, type BenchSession, type ClientMode } from './types';

const VERSION = '2026-07-28';

export const modernFloorMode: ClientMode = {
  id: 'floor',
  label: 'undici floor',
  async connect(url) {
    const dispatcher = new Agent();
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': VERSION,
      'mcp-method': 'tools/call',
      'mcp-name': 'echo',
      [APP_SESSION_HEADER]: randomUUID(),
    };
    const meta = JSON.stringify({
      'io.modelcontextprotocol/protocolVersion': VERSION,
      'io.modelcontextprotocol/clientCapabilities': {},
      'io.modelcontextprotocol/clientInfo': { name: 'archon-bench-floor', version: '0.0.0' },
    });
    // Ids stay unique per client (one JSON-RPC id space per connection's caller), so only the id is spliced in.
    let nextId = 1;
    const head = '{"jsonrpc":"2.0","id":';
    let cachedText = '';
    let cachedTail = '';
    const session: BenchSession = {
      async call(text) {
        if (text !== cachedText) {
          cachedText = text;
          cachedTail = `,"method":"tools/call","params":{"name":"echo","arguments":{"text":${JSON.stringify(text)}},"_meta":${meta}}}`;
        }
        const response = await request(url, { method: 'POST', dispatcher, headers, body: head + nextId++ + cachedTail });
        const body = await response.body.text();
        if (response.statusCode !== 200) throw new Error(`floor: tools/call answered ${response.statusCode}: ${body.slice(0, 200)}`);
        return body;
      },
      async close() {
        await dispatcher.close();
      },
    };
    return session;
  },
};
