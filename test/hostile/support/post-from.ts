/**
 * HTTP requests from a chosen loopback address (127.0.0.2 is another client IP than 127.0.0.1), for the server
 * flood cases: one undici Agent per address, closed by the caller.
 */
import { Agent, request } from 'undici';
import { initializeMessage } from '../../support/server-raw-client';
import { MODERN_VERSION } from '../../support/server-modern-client';

/** One answer, body read whole. */
export interface PostAnswer {
  status: number;
  retryAfter: string | undefined;
  appSessionId: string | undefined;
  text: string;
}

/** A client bound to one local address. */
export interface AddressClient extends AsyncDisposable {
  /** POSTs `body` to `url` with MCP's content negotiation headers plus `headers`. */
  post(url: string, body: unknown, headers?: Record<string, string>): Promise<PostAnswer>;
}

/**
 * @example
 * ```ts
 * await using hostile = clientFrom('127.0.0.2');
 * const answer = await hostile.post(server.url, initializeMessage());
 * ```
 */
export function clientFrom(localAddress: string): AddressClient {
  const dispatcher = new Agent({ localAddress, connections: 16 });
  return {
    async post(url, body, headers = {}) {
      const response = await request(url, {
        method: 'POST',
        dispatcher,
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
        body: JSON.stringify(body),
      });
      const text = await response.body.text();
      const header = (name: string): string | undefined => {
        const value = response.headers[name];
        return Array.isArray(value) ? value[0] : value;
      };
      return { status: response.statusCode, retryAfter: header('retry-after'), appSessionId: header('x-archon-session-id'), text };
    },
    [Symbol.asyncDispose]: () => dispatcher.close(),
  };
}

/** An `initialize` from this client. */
export function initializeFrom(client: AddressClient, url: string, headers: Record<string, string> = {}): Promise<PostAnswer> {
  return client.post(url, initializeMessage(1), headers);
}

/** A 2026-07-28 `tools/call echo` from this client under app session `appSessionId`. */
export function modernEchoFrom(client: AddressClient, url: string, appSessionId: string, headers: Record<string, string> = {}): Promise<PostAnswer> {
  const body = {
    jsonrpc: '2.0',
    id: 1,
    method: 'tools/call',
    params: {
      name: 'echo',
      arguments: { text: 'modern' },
      _meta: {
        'io.modelcontextprotocol/protocolVersion': MODERN_VERSION,
        'io.modelcontextprotocol/clientCapabilities': {},
        'io.modelcontextprotocol/clientInfo': { name: 'hostile-modern', version: '1.0.0' },
      },
    },
  };
  return client.post(url, body, {
    'mcp-protocol-version': MODERN_VERSION,
    'mcp-method': 'tools/call',
    'mcp-name': 'echo',
    'x-archon-session-id': appSessionId,
    ...headers,
  });
}

/** Runs `tasks` with at most `concurrency` at a time; results in order. */
export async function inBatches<T>(tasks: readonly (() => Promise<T>)[], concurrency: number): Promise<T[]> {
  const results: T[] = [];
  for (let offset = 0; offset < tasks.length; offset += concurrency) {
    results.push(...(await Promise.all(tasks.slice(offset, offset + concurrency).map((task) => task()))));
  }
  return results;
}

/** Counts of each status. */
export function countStatuses(answers: readonly PostAnswer[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const answer of answers) counts[String(answer.status)] = (counts[String(answer.status)] ?? 0) + 1;
  return counts;
}
