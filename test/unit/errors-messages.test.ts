import { describe, expect, test } from 'vitest';
import { describeFailure, summarizeBody } from '../../src/errors/describe-failure';
import { type WireFailure, createErrorFromFailure } from '../../src/errors/factory';
import { describeTarget, redactUrl } from '../../src/errors/redact-url';
import { ConnectionError, HttpError, RetryExhaustedError, RpcError, TimeoutError } from '../../src/errors/tree';
import { resolveRetryOptions } from '../../src/retry/retry-options';
import { runWithRetry } from '../../src/retry/run-with-retry';

const URL_WITH_SECRETS = 'https://alice:hunter2@mcp.example.com:8443/mcp?api_key=k1&region=eu&token=t1#frag';

function systemError(code: string): Error {
  return Object.assign(new Error(`connect ${code} 127.0.0.1:4199`), { code });
}

describe('redactUrl', () => {
  test.each([
    [URL_WITH_SECRETS, 'https://mcp.example.com:8443/mcp?api_key=REDACTED&region=eu&token=REDACTED'],
    ['http://127.0.0.1:8051/mcp', 'http://127.0.0.1:8051/mcp'],
    [new URL('http://u@localhost/mcp?sig=abc&Session=x'), 'http://localhost/mcp?sig=REDACTED&Session=REDACTED'],
    ['not a url', '(invalid URL)'],
  ])('%s -> %s', (input, expected) => {
    expect(redactUrl(input)).toBe(expected);
  });

  test('describeTarget names the method and the redacted URL', () => {
    expect(describeTarget('tools/call', URL_WITH_SECRETS)).toBe(
      'tools/call to https://mcp.example.com:8443/mcp?api_key=REDACTED&region=eu&token=REDACTED',
    );
  });
});

describe('createErrorFromFailure messages: where and what', () => {
  const url = URL_WITH_SECRETS;
  const where = 'https://mcp.example.com:8443/mcp?api_key=REDACTED&region=eu&token=REDACTED';
  test.each<[string, WireFailure, string]>([
    ['refused', { kind: 'network', error: systemError('ECONNREFUSED'), requestSent: true, url }, `Could not connect to ${where}: connection refused (ECONNREFUSED)`],
    ['dns', { kind: 'network', error: systemError('ENOTFOUND'), requestSent: true, url }, `Could not connect to ${where}: host name not found (ENOTFOUND)`],
    [
      'reset after sending',
      { kind: 'network', error: systemError('ECONNRESET'), requestSent: true, url },
      `Connection to ${where} failed after the request was sent: connection reset (ECONNRESET)`,
    ],
    [
      'unknown network failure',
      { kind: 'network', error: new Error('something odd'), requestSent: false, url },
      `Could not connect to ${where}: connection failed: something odd`,
    ],
    ['HTTP 503 without body', { kind: 'http', status: 503, url }, `HTTP 503 from ${where}`],
    [
      'HTTP 401 with a JSON-RPC body',
      { kind: 'http', status: 401, body: '{"jsonrpc":"2.0","error":{"code":-32001,"message":"Unauthorized"},"id":null}', url },
      `HTTP 401 from ${where}: Unauthorized (JSON-RPC -32001)`,
    ],
    ['HTTP 502 with an HTML page', { kind: 'http', status: 502, body: '<html>Bad gateway</html>\n<body>', url }, `HTTP 502 from ${where}: <html>Bad gateway</html>`],
    [
      'session lost',
      { kind: 'http', status: 404, mcpSessionId: 'abc', url },
      `The server at ${where} no longer knows MCP session abc (HTTP 404)`,
    ],
    ['JSON-RPC error', { kind: 'rpc', error: { code: -32602, message: 'Invalid params' }, url }, `Invalid params (JSON-RPC -32602 from ${where})`],
    ['without a URL', { kind: 'http', status: 500 }, 'HTTP 500 from the MCP server'],
    [
      'legacy 400 "No valid session ID" (session lost)',
      { kind: 'http', status: 400, mcpSessionId: 'abc', body: 'Bad Request: No valid session ID provided', url },
      `The server at ${where} no longer knows MCP session abc (HTTP 400)`,
    ],
    [
      'modern request refused with an empty 405 (era changed)',
      { kind: 'http', status: 405, era: 'modern', url },
      `The server at ${where} refused a 2026-07-28 request with HTTP 405: it no longer speaks that era`,
    ],
    [
      'modern request refused with a legacy JSON-RPC body (era changed)',
      { kind: 'http', status: 400, era: 'modern', body: '{"jsonrpc":"2.0","error":{"code":-32000,"message":"Bad Request: Server not initialized"},"id":null}', url },
      `The server at ${where} refused a 2026-07-28 request with HTTP 400: it no longer speaks that era: Bad Request: Server not initialized (JSON-RPC -32000)`,
    ],
    [
      'modern JSON-RPC error in a 404 body',
      { kind: 'http', status: 404, era: 'modern', body: '{"jsonrpc":"2.0","error":{"code":-32601,"message":"Method not found"},"id":1}', url },
      `Method not found (JSON-RPC -32601, HTTP 404 from ${where})`,
    ],
  ])('%s', (_, failure, message) => {
    const error = createErrorFromFailure(failure);
    expect(error.message).toBe(message);
    expect(error.message).not.toMatch(/alice|hunter2|k1|t1|frag/);
  });
});

describe('describeFailure: the cause in a few words', () => {
  test.each<[string, unknown, string]>([
    ['refused', createErrorFromFailure({ kind: 'network', error: systemError('ECONNREFUSED'), requestSent: false }), 'connection refused (ECONNREFUSED)'],
    ['HTTP', new HttpError('x', { status: 429, body: 'slow down\nplease' }), 'HTTP 429: slow down'],
    ['RPC', new RpcError('x', { rpcCode: -32603, cause: { code: -32603, message: 'Internal error\n  at zod...' } }), 'JSON-RPC error -32603: Internal error'],
    [
      'modern RPC in an HTTP body',
      createErrorFromFailure({ kind: 'http', status: 400, era: 'modern', body: '{"jsonrpc":"2.0","error":{"code":-32602,"message":"Invalid params"},"id":1}' }),
      'JSON-RPC error -32602 (HTTP 400): Invalid params',
    ],
    [
      'era changed',
      createErrorFromFailure({ kind: 'http', status: 405, era: 'modern', body: 'Method Not Allowed' }),
      'HTTP 405 to a 2026-07-28 request: Method Not Allowed',
    ],
    ['timeout', new TimeoutError('x', { timeoutMs: 500, kind: 'attempt' }), 'attempt timeout after 500 ms'],
    ['a plain error', new Error('boom\nstack'), 'boom'],
    ['a string', 'nope', 'nope'],
  ])('%s', (_, error, phrase) => {
    expect(describeFailure(error)).toBe(phrase);
  });

  test('long bodies are cut to one short line', () => {
    expect(summarizeBody('x'.repeat(500)).length).toBeLessThanOrEqual(160);
  });
});

describe('RetryExhaustedError message', () => {
  test('names the operation, the attempts, why the loop stopped and the last cause; the cause is kept', async () => {
    const refused = createErrorFromFailure({ kind: 'network', error: systemError('ECONNREFUSED'), requestSent: false, url: 'http://127.0.0.1:4199/mcp' });
    let clock = 0;
    const error = await runWithRetry(() => Promise.reject(refused), {
      retry: resolveRetryOptions({ retries: 2, minDelayMs: 0, maxDelayMs: 0 }),
      shouldRetry: () => true,
      now: () => (clock += 10),
      operation: () => 'tools/call to http://127.0.0.1:4199/mcp',
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RetryExhaustedError);
    expect((error as RetryExhaustedError).message).toBe(
      'Gave up on tools/call to http://127.0.0.1:4199/mcp after 3 attempts in 30 ms (all 2 retries used): connection refused (ECONNREFUSED)',
    );
    expect((error as RetryExhaustedError).cause).toBe(refused);
    expect((error as RetryExhaustedError).cause).toBeInstanceOf(ConnectionError);
  });
});
