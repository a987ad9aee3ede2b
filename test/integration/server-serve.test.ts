import { describe, expect, test } from 'vitest';
import { parseServeOptions, runServe, SERVE_DEFAULTS, serveHelp } from '../../server/serve';

describe('archon-mcp serve options', () => {
  test('defaults to port 8051 and the embedded file store', () => {
    expect(parseServeOptions([], {})).toEqual({ help: false, options: { port: 8051, store: 'file:.mcp-data' } });
    expect(SERVE_DEFAULTS).toEqual({ port: 8051, store: 'file:.mcp-data' });
  });

  test('reads flags, and environment variables where no flag is given', () => {
    const command = parseServeOptions(
      ['--port', '0', '--store=memory', '--session-ttl', '60000', '--no-event-store', '--allowed-origins', 'https://a.example, https://b.example'],
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
    expect(() => parseServeOptions(['--store', 'sqlite:x'], {})).toThrow('Expected `store` to be');
    expect(() => parseServeOptions(['--bogus'], {})).toThrow(/bogus/);
    expect(() => parseServeOptions([], { MCP_EVENT_STORE: 'maybe' })).toThrow('Expected `MCP_EVENT_STORE` to be true or false');
  });

  test('--help asks for the help text, which lists every flag', () => {
    expect(parseServeOptions(['--help'], {})).toEqual({ help: true });
    for (const flag of ['--port', '--store', '--session-ttl', '--max-sessions', '--auth-token', '--no-event-store', '--cleanup-regular-interval']) {
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
