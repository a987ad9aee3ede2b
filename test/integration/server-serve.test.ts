import { describe, expect, test } from 'vitest';
import { parseServeOptions, runServe, SERVE_DEFAULTS, serveHelp } from '../../server/serve';

describe('archon-mcp serve options', () => {
  test('defaults to port 8051 and the embedded file store', () => {
    expect(parseServeOptions([], {})).toEqual({ help: false, options: { port: 8051, store: 'file:.mcp-data' } });
    expect(SERVE_DEFAULTS).toEqual({ port: 8051, store: 'file:.mcp-data' });
  });

  test('reads flags, and environment variables where no flag is given', () => {
    const command = parseServeOptions(
      [
        '--port',
        '0',
        '--store=memory',
        '--session-ttl',
        '60000',
        '--no-event-store',
        '--allowed-origins',
        'https://a.example, https://b.example',
      ],
      { MCP_AUTH_TOKEN: 'from-env', MCP_PORT: '9999', MCP_MAX_SESSIONS: '5', MCP_TEST_HOOKS: 'true' },
    );

    expect(command).toEqual({
      help: false,
      options: {
        port: 0,
        store: 'memory',
        sessionTtlMs: 60_000,
        maxSessions: 5,
        authToken: 'from-env',
        eventStore: false,
        testHooks: true,
        allowedOrigins: ['https://a.example', 'https://b.example'],
      },
    });
  });

  test('rejects bad values with messages naming the flag', () => {
    expect(() => parseServeOptions(['--port', 'abc'], {})).toThrow('Expected `--port` to be a non-negative integer, got "abc"');
    expect(() => parseServeOptions(['--store', 'sqlite:x'], {})).toThrow('Expected `--store` to be');
    expect(() => parseServeOptions([], { MCP_STORE: 'sqlite:x' })).toThrow('Expected `MCP_STORE` to be');
    expect(() => parseServeOptions([], { MCP_PORT: 'abc' })).toThrow('Expected `MCP_PORT` to be a non-negative integer, got "abc"');
    expect(() => parseServeOptions(['--bogus'], {})).toThrow(/bogus/);
    expect(() => parseServeOptions([], { MCP_EVENT_STORE: 'maybe' })).toThrow('Expected `MCP_EVENT_STORE` to be true or false');
  });

  test('--eras and --conformance-fixtures, from flags or the environment, checked like the rest', () => {
    expect(parseServeOptions(['--eras', 'modern', '--conformance-fixtures'], {})).toMatchObject({
      options: { eras: ['modern'], conformanceFixtures: true },
    });
    expect(parseServeOptions([], { MCP_ERAS: 'legacy, modern', MCP_CONFORMANCE_FIXTURES: 'false' })).toMatchObject({
      options: { eras: ['legacy', 'modern'], conformanceFixtures: false },
    });
    expect(() => parseServeOptions(['--eras', 'future'], {})).toThrow(
      'Expected `--eras` to be legacy, modern or legacy,modern, got "future"',
    );
    expect(() => parseServeOptions([], { MCP_ERAS: ',' })).toThrow('Expected `MCP_ERAS` to be legacy, modern or legacy,modern, got ","');
    expect(() => parseServeOptions([], { MCP_CONFORMANCE_FIXTURES: 'maybe' })).toThrow(
      'Expected `MCP_CONFORMANCE_FIXTURES` to be true or false',
    );
  });

  test('values the server would refuse are refused at parse time, naming the flag or the variable', () => {
    expect(() => parseServeOptions(['--auth-token', ''], {})).toThrow('Expected `--auth-token` to be a non-empty string');
    expect(() => parseServeOptions([], { MCP_HOST: '' })).toThrow('Expected `MCP_HOST` to be a non-empty string');
    expect(() => parseServeOptions(['--session-header', 'bad header'], {})).toThrow(
      'Expected `--session-header` to be a valid header name',
    );
    expect(() => parseServeOptions(['--counter-file', ''], {})).toThrow('Expected `--counter-file` to be a non-empty path');
    expect(() => parseServeOptions(['--rate-limit', '0'], {})).toThrow('Expected `--rate-limit` to be a positive integer, got 0');
  });

  test('--help asks for the help text, which lists every flag', () => {
    expect(parseServeOptions(['--help'], {})).toEqual({ help: true });
    for (const flag of [
      '--port',
      '--store',
      '--session-ttl',
      '--max-sessions',
      '--auth-token',
      '--no-event-store',
      '--cleanup-regular-interval',
      '--eras',
      '--conformance-fixtures',
    ]) {
      expect(serveHelp).toContain(flag);
    }
  });

  test('runServe prints the URL, serves, and shuts down when its signal aborts', async () => {
    const output: string[] = [];
    const controller = new AbortController();
    const running = runServe({ port: 0, store: 'memory' }, { stdout: { write: (chunk) => output.push(chunk) }, signal: controller.signal });
    const deadline = Date.now() + 10_000;
    while (output.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    const url = /listening on (\S+)/.exec(output.join(''))?.[1];
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);

    const health = await fetch(new URL('/health', String(url)));
    expect(health.status).toBe(200);
    await health.body?.cancel();
    controller.abort();
    await running;
    await expect(fetch(new URL('/health', String(url)))).rejects.toThrow();
  });
});
