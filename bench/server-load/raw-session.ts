/**
 * The load of the server bench: raw `undici.request` calls, the same for every server measured, so the
 * client side costs the same whoever answers. One legacy (2025-11-25) session: `initialize`, the
 * `initialized` notification, `tools/call echo` with a pre-built body, `DELETE`.
 */
import { randomUUID } from 'node:crypto';
import { request, type Dispatcher } from 'undici';

const PROTOCOL_VERSION = '2025-11-25';
/** A body larger than this is not an echo reply: read no further. */
const MAX_BODY_CHARS = 64 * 1024;

async function readBody(body: Dispatcher.ResponseData['body']): Promise<string> {
  const text = await body.text();
  if (text.length > MAX_BODY_CHARS) throw new Error(`reply of ${text.length} chars`);
  return text;
}

/** One session on `url`. */
export class RawSession {
  readonly #url: string;
  readonly #dispatcher: Dispatcher;
  readonly #headers: Record<string, string>;
  #nextId = 1;

  private constructor(url: string, dispatcher: Dispatcher, headers: Record<string, string>) {
    this.#url = url;
    this.#dispatcher = dispatcher;
    this.#headers = headers;
  }

  /** Initializes a session (and sends `notifications/initialized`). */
  static async open(url: string, dispatcher: Dispatcher): Promise<RawSession> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'x-archon-session-id': randomUUID(),
    };
    const init = await request(url, {
      method: 'POST',
      dispatcher,
      headers,
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 0,
        method: 'initialize',
        params: { protocolVersion: PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'bench-server', version: '0.0.0' } },
      }),
    });
    const text = await readBody(init.body);
    const sessionId = init.headers['mcp-session-id'];
    if (init.statusCode !== 200 || typeof sessionId !== 'string' || !text.includes('"result"')) {
      throw new Error(`initialize answered ${init.statusCode}: ${text.slice(0, 200)}`);
    }
    const session = new RawSession(url, dispatcher, { ...headers, 'mcp-session-id': sessionId, 'mcp-protocol-version': PROTOCOL_VERSION });
    const initialized = await request(url, {
      method: 'POST',
      dispatcher,
      headers: session.#headers,
      body: '{"jsonrpc":"2.0","method":"notifications/initialized"}',
    });
    await readBody(initialized.body);
    if (initialized.statusCode !== 202) throw new Error(`notifications/initialized answered ${initialized.statusCode}`);
    return session;
  }

  /** `tools/call echo`; throws unless the reply carries a result. */
  async call(text: string): Promise<void> {
    const body = `{"jsonrpc":"2.0","id":${this.#nextId++},"method":"tools/call","params":{"name":"echo","arguments":{"text":${JSON.stringify(text)}}}}`;
    const response = await request(this.#url, { method: 'POST', dispatcher: this.#dispatcher, headers: this.#headers, body });
    const reply = await readBody(response.body);
    if (response.statusCode !== 200 || !reply.includes('"result"')) {
      throw new Error(`tools/call answered ${response.statusCode}: ${reply.slice(0, 200)}`);
    }
  }

  /** `DELETE`: ends the session on the server. */
  async close(): Promise<void> {
    const response = await request(this.#url, { method: 'DELETE', dispatcher: this.#dispatcher, headers: this.#headers });
    await readBody(response.body);
    if (response.statusCode >= 300) throw new Error(`DELETE answered ${response.statusCode}`);
  }
}
