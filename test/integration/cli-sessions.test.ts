/**
 * `archon-mcp sessions`: session counts without --test-hooks, from the reference server's /health.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { MCPClient } from '../../src/index';
import { runCliCaptured } from '../support/run-cli-captured';
import { type ReferenceServer, startServer } from '../transport/wire-fixture';

let server: ReferenceServer;
let origin: string;

beforeAll(async () => {
  server = await startServer();
  origin = new URL(server.url).origin;
});
afterAll(async () => {
  await server.close();
});

describe('archon-mcp sessions', () => {
  test('counts a live session, then an expired one', async () => {
    // The counts are of protocol sessions, which only the 2025 era has (2026-07-28 traffic is served per request).
    const client = new MCPClient({ url: server.url, era: 'legacy', listen: false });
    try {
      await client.ping();
      const live = await runCliCaptured(['sessions', server.url]);
      expect(live.code).toBe(0);
      expect(live.stderr).toBe('');
      expect(live.stdout).toMatch(new RegExp(`^ok: ${origin.replace(/[.]/g, '\\.')}, up \\d+ s\\n`));
      expect(live.stdout).toContain('  store     memory, connected\n');
      expect(live.stdout).toContain('  sessions  1 live in this process; in the store: 1 active, 0 draining, 0 expired, 0 closed\n');
      expect(live.stdout).toContain('  adoption  enabled');

      await server.faults.expireSession(client.mcpSessionId);
      const { code, stdout } = await runCliCaptured(['sessions', server.url, '--json']);
      expect(code).toBe(0);
      const report = JSON.parse(stdout) as { url: string; status: string; sessions: Record<string, number>; store: { kind: string } };
      expect(report).toMatchObject({ url: origin, status: 'ok', store: { kind: 'memory', connected: true } });
      expect(report.sessions).toMatchObject({ live: 0, active: 0, expired: 1 });
    } finally {
      await client.close();
    }
  });

  test('a refused port: one line naming the /health URL and ECONNREFUSED, exit 1', async () => {
    const dead = await startServer();
    const url = dead.url;
    await dead.close();
    const { code, stdout, stderr } = await runCliCaptured(['sessions', url]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe(`archon-mcp: Could not connect to ${new URL('/health', url).href}: connection refused (ECONNREFUSED)\n`);
  });

  test('URL from $ARCHON_MCP_URL, usage errors exit 2', async () => {
    const fromEnv = await runCliCaptured(['sessions', '--json'], { ARCHON_MCP_URL: server.url });
    expect(fromEnv.code).toBe(0);
    const usage = await runCliCaptured(['sessions', server.url, 'extra']);
    expect(usage.code).toBe(2);
  });
});
