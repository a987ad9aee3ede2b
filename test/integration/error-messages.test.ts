/**
 * Issue #10 item 4: every failure says where (the URL, without credentials) and what (ECONNREFUSED, the
 * status, the JSON-RPC code), in the library's `message` and in the CLI's one line. Real reference server,
 * real dead port.
 */
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  ConnectionError,
  HttpError,
  MCPClient,
  RetryExhaustedError,
  RpcError,
  TimeoutError,
} from '../../src/index';
import { runCliCaptured } from '../support/run-cli-captured';
import { type ReferenceServer, startServer } from '../transport/wire-fixture';

let server: ReferenceServer;
let guarded: ReferenceServer;
let deadUrl: string;

/** A port nothing listens on: bound by the OS, then released. */
async function deadPortUrl(): Promise<string> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return `http://127.0.0.1:${port}/mcp`;
}

/** The same URL with a user, a password and a token in the query: none of them may reach a message. */
function withCredentials(url: string): string {
  const parsed = new URL(url);
  parsed.username = 'alice';
  parsed.password = 'hunter2';
  parsed.searchParams.set('access_token', 's3cret');
  return parsed.href;
}

function expectNoCredentials(text: string): void {
  expect(text).not.toMatch(/alice|hunter2|s3cret/);
}

function failure(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) => error as Error,
  );
}

beforeAll(async () => {
  [server, guarded, deadUrl] = await Promise.all([startServer(), startServer({ authToken: 'right-token' }), deadPortUrl()]);
});
afterAll(async () => {
  await Promise.all([server.close(), guarded.close()]);
});

describe('library error messages name the URL and the root cause', () => {
  test('refused: ConnectionError names the URL without credentials and ECONNREFUSED', async () => {
    await using client = new MCPClient({ url: withCredentials(deadUrl), listen: false, retry: false });
    const error = await failure(client.ping());
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error.message).toBe(`Could not connect to ${deadUrl}?access_token=REDACTED: connection refused (ECONNREFUSED)`);
    expectNoCredentials(error.message);
  });

  test('4xx: HttpError names the URL, the status and the server’s reason', async () => {
    await using client = new MCPClient({ url: guarded.url, listen: false, retry: false, headers: { authorization: 'Bearer wrong' } });
    const error = await failure(client.ping());
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).status).toBe(401);
    expect(error.message).toMatch(new RegExp(`^HTTP 401 from ${escape(guarded.url)}: .+`));
  });

  test('5xx: HttpError names the URL and the status', async () => {
    await using client = new MCPClient({ url: server.url, listen: false, retry: false });
    await client.ping();
    server.faults.failNext({ status: 500, match: { rpcMethod: 'tools/call' } });
    const error = await failure(client.callTool('echo', { text: 'x' }));
    expect(error).toBeInstanceOf(HttpError);
    expect(error.message).toMatch(new RegExp(`^HTTP 500 from ${escape(server.url)}`));
  });

  test('JSON-RPC error: RpcError names the URL and the JSON-RPC code', async () => {
    await using client = new MCPClient({ url: server.url, listen: false, retry: false });
    const error = await failure(client.getPrompt('no_such_prompt'));
    expect(error).toBeInstanceOf(RpcError);
    expect(error.message).toContain(`(JSON-RPC -32602 from ${server.url})`);
  });

  test('timeout: TimeoutError names the method, the URL, the limit and the option', async () => {
    // Only the call under test has the tight limit: on a loaded machine the handshake or tools/list may take 100 ms too.
    await using client = new MCPClient({ url: server.url, listen: false, retry: false });
    await client.listTools();
    const error = await failure(client.callTool('slow', { steps: 5, intervalMs: 100 }, { timeoutMs: 100 }));
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.message).toBe(`tools/call to ${server.url} timed out after 100 ms (\`timeoutMs\`)`);
  });

  test('retry exhaustion: RetryExhaustedError says what, where, how long, and what the last attempt saw; cause kept', async () => {
    const retry = { retries: 2, minDelayMs: 1, maxDelayMs: 2 };
    await using client = new MCPClient({ url: withCredentials(deadUrl), listen: false, retry });
    const error = await failure(client.listTools());
    expect(error).toBeInstanceOf(RetryExhaustedError);
    expect((error as RetryExhaustedError).attempts).toBe(3);
    expect(error.message).toMatch(
      new RegExp(
        `^Gave up on tools/list to ${escape(deadUrl)}\\?access_token=REDACTED after 3 attempts in \\d+ ms ` +
          '\\(all 2 retries used\\): connection refused \\(ECONNREFUSED\\)$',
      ),
    );
    expect(error.cause).toBeInstanceOf(ConnectionError);
    expect((error.cause as ConnectionError).errorCode).toBe('ECONNREFUSED');
    expectNoCredentials(error.message);
  });

  test('retry exhaustion by budget says which budget ran out', async () => {
    server.faults.failNext({ count: 50, status: 503, retryAfter: 1, match: { rpcMethod: 'tools/list' } });
    try {
      // cache: false: an earlier test's listTools() left the server's list (public, ttlMs 60 s) in the process cache.
      await using client = new MCPClient({ url: server.url, listen: false, cache: false, retry: { maxElapsedMs: 500 } });
      const error = await failure(client.listTools());
      expect(error).toBeInstanceOf(RetryExhaustedError);
      expect(error.message).toMatch(
        new RegExp(`^Gave up on tools/list to ${escape(server.url)} after 1 attempts in \\d+ ms \\(waiting 1000 ms more would pass the 500 ms budget \`retry.maxElapsedMs\`\\): HTTP 503`),
      );
    } finally {
      server.faults.reset();
    }
  });
});

describe('the CLI prints the same one line', () => {
  test('call on a refused port: "archon-mcp: Gave up on ... connection refused (ECONNREFUSED)", exit 1', async () => {
    const { code, stdout, stderr } = await runCliCaptured(['call', 'echo', 'text=hi', '--url', withCredentials(deadUrl)]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    const lines = stderr.split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      new RegExp(`^archon-mcp: Gave up on tools/list to ${escape(deadUrl)}\\?access_token=REDACTED after 7 attempts in \\d+ ms \\(all 6 retries used\\): connection refused \\(ECONNREFUSED\\)$`),
    );
    expectNoCredentials(stderr);
  });

  test('tools with a wrong token: the HTTP status and the URL', async () => {
    const { code, stderr } = await runCliCaptured(['tools', guarded.url]);
    expect(code).toBe(1);
    expect(stderr).toMatch(new RegExp(`^archon-mcp: HTTP 401 from ${escape(guarded.url)}: .+\\n$`));
  });

  test('a non-idempotent call that times out: the tool, the URL and the limit', async () => {
    const { code, stderr } = await runCliCaptured(['call', 'counter', 'delayMs=2000', '--url', server.url, '--timeout', '300']);
    expect(code).toBe(1);
    // `counter` may have run, so the timed-out attempt is not resent: MaybeExecutedError quotes the timeout.
    expect(stderr).toBe(
      `archon-mcp: The answer to tool counter from ${server.url} was lost after the request reached the server ` +
        '(attempt timeout after 300 ms), and it is not safe to send it again\n',
    );
  });

  test('health on a refused port: the check line names the URL and ECONNREFUSED', async () => {
    const { code, stdout } = await runCliCaptured(['health', deadUrl]);
    expect(code).toBe(1);
    expect(stdout).toContain(`CONNECTION_ERROR: Could not connect to ${deadUrl}: connection refused (ECONNREFUSED)`);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
