/**
 * The debug switch from the environment (issue #10, "Debugging"): a client given no `logger` writes one line
 * per decision to stderr when ARCHON_MCP_LOG or DEBUG asks, with no credentials, and nothing otherwise. Runs
 * the client in a child process (the switch is read once per process) against the real reference server.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createLineLogger, envLogLevel } from '../../src/client/env-logger';
import { type ReferenceServer, startServer } from '../transport/wire-fixture';

const ENTRY = resolve(import.meta.dirname, '../support/debug-log-client.ts');
let server: ReferenceServer;

beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server.close();
});

/** Runs the child with `env` added (and DEBUG/ARCHON_MCP_LOG cleared first); resolves its output. */
function runClient(env: Record<string, string>, url: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const base = { ...process.env };
  delete base.DEBUG;
  delete base.ARCHON_MCP_LOG;
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, url], { env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
  });
}

function withCredentials(url: string): string {
  const parsed = new URL(url);
  parsed.username = 'alice';
  parsed.password = 'hunter2';
  return parsed.href;
}

describe('ARCHON_MCP_LOG / DEBUG', () => {
  test.each<Record<string, string>>([{ ARCHON_MCP_LOG: 'debug' }, { DEBUG: 'express,archon-mcp*' }])(
    '%o: one stderr line per decision, without credentials',
    async (env) => {
      server.faults.failNext({ status: 503, match: { rpcMethod: 'tools/list' } });
      const { code, stdout, stderr } = await runClient(env, withCredentials(server.url));
      expect(code).toBe(0);
      expect(stdout).toBe('ok\n');
      const lines = stderr.trimEnd().split('\n');
      // One handshake: era negotiation ('auto' against the reference server, which serves both eras) logs its verdict once.
      const handshakes = lines.filter((line) => line.includes(' MCP handshake done '));
      expect(handshakes).toHaveLength(1);
      expect(handshakes[0]).toContain(' era=modern protocolVersion=2026-07-28');
      const retries = lines.filter((line) => line.includes(' retrying an MCP request '));
      expect(retries).toHaveLength(1);
      expect(retries[0]).toMatch(/^\S+Z archon-mcp debug retrying an MCP request method=tools\/list attempt=1 delayMs=\d+ error="HTTP 503/);
      expect(stderr).toContain(`url=${server.url}`);
      expect(stderr).not.toMatch(/alice|hunter2/);
    },
    30_000,
  );

  // The other spellings that stay quiet are covered by envLogLevel below, without a process each.
  test.each([{ ARCHON_MCP_LOG: 'warn' }])(
    '%o: no debug lines',
    async (env) => {
      server.faults.failNext({ status: 503, match: { rpcMethod: 'tools/list' } });
      const { code, stderr } = await runClient(env, server.url);
      expect(code).toBe(0);
      expect(stderr).toBe('');
    },
    30_000,
  );
});

describe('envLogLevel and the line format', () => {
  test.each([
    [{ ARCHON_MCP_LOG: 'debug' }, 'debug'],
    [{ ARCHON_MCP_LOG: 'INFO' }, 'info'],
    [{ ARCHON_MCP_LOG: '1' }, 'debug'],
    [{ ARCHON_MCP_LOG: 'off' }, undefined],
    [{ DEBUG: 'archon-mcp*' }, 'debug'],
    [{ DEBUG: '*' }, 'debug'],
    [{ DEBUG: 'archon-mcp:server' }, undefined],
    [{ DEBUG: 'archon-mcp*,-archon-mcp:client' }, undefined],
    [{ ARCHON_MCP_LOG: 'error', DEBUG: 'archon-mcp*' }, 'error'],
    [{}, undefined],
  ])('%o -> %s', (env, level) => {
    expect(envLogLevel(env)).toBe(level);
  });

  test('lines are key=value, quoted when needed, at the level and above only', () => {
    const lines: string[] = [];
    const logger = createLineLogger('info', (line) => lines.push(line));
    expect(logger.debug).toBeUndefined();
    logger.warn?.({ method: 'tools/call', attempt: 2, error: 'connection refused (ECONNREFUSED)', skipped: undefined }, 'retrying');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\S+Z archon-mcp warn retrying method=tools\/call attempt=2 error="connection refused \(ECONNREFUSED\)"\n$/);
  });
});
