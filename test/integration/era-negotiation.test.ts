/**
 * Era negotiation against real servers (issue 8 item 1): the official v2 server in both postures
 * (`legacy: 'reject'` and the default stateless legacy serving), and our reference server (both eras by default,
 * or one with `eras`).
 * `era: 'auto'` sends `server/discover` first, lands on modern where the server speaks it and on legacy where
 * it does not; pinned eras never fall back; the verdict is cached per endpoint, so a second client skips the
 * probe. Counts come from the servers' own request statistics.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { startReferenceServer } from '../../server/index';
import { MCPClient, ProtocolError } from '../../src/index';
import { clearEraVerdicts } from '../../src/session/era-cache';
import { type FixtureProcess, startFixtureProcess } from '../support/fixture-process';

interface FixtureStats {
  byMethod: Record<string, number>;
  byStatus: Record<string, number>;
  toolRuns: Record<string, number>;
}

let strict: FixtureProcess;
let dual: FixtureProcess;

beforeAll(async () => {
  [strict, dual] = await Promise.all([
    startFixtureProcess('v2-fixture-bin.ts', { FIXTURE_LEGACY: 'reject' }),
    startFixtureProcess('v2-fixture-bin.ts'),
  ]);
}, 90_000);

afterAll(async () => {
  await Promise.all([strict?.kill(), dual?.kill()]);
});

beforeEach(() => clearEraVerdicts());

describe("era: 'auto'", () => {
  test.each([
    ['a modern-only v2 server (legacy: reject)', () => strict],
    ['a dual-era v2 server (default posture)', () => dual],
  ])('lands on modern against %s: discover, then the call, with the 2026-07-28 headers', async (_label, server) => {
    await using client = new MCPClient({ url: server().url });
    const before = await server().get<FixtureStats>('/__fixture/stats');
    const result = await client.callTool('echo', { text: 'hi' });
    const after = await server().get<FixtureStats>('/__fixture/stats');

    expect(result.content).toEqual([{ type: 'text', text: 'hi' }]);
    expect(client.era).toBe('modern');
    expect(client.protocolVersion).toBe('2026-07-28');
    expect(client.mcpSessionId).toBeUndefined();
    expect(client.serverInfo).toEqual({ name: 'archon-v2-fixture', version: '1.0.0' });
    expect(client.instructions).toBe('Fixture server for archon-mcp-client tests');
    expect(client.serverCapabilities?.tools).toBeDefined();
    const delta = (method: string): number => (after.byMethod[method] ?? 0) - (before.byMethod[method] ?? 0);
    // One probe, one tools/list (the catalog), one tools/call; nothing framed as legacy.
    expect([delta('server/discover'), delta('tools/list'), delta('tools/call')]).toEqual([1, 1, 1]);
    expect(Object.keys(after.byMethod).filter((method) => method.startsWith('legacy'))).toEqual([]);
  });

  test('lands on modern against the reference server, which serves both eras by default', async () => {
    await using server = await startReferenceServer({ port: 0 });
    await using client = new MCPClient({ url: server.url, listen: false });
    await client.callTool('echo', { text: 'modern' });

    expect(client.era).toBe('modern');
    expect(client.protocolVersion).toBe('2026-07-28');
    expect(client.mcpSessionId).toBeUndefined();
    expect(server.stats().byRpcMethod['server/discover']).toBe(1);
    expect(server.stats().initializeCount).toBe(0);
  });

  test("lands on legacy against a legacy-only reference server (eras: ['legacy']), and a second client of the endpoint skips the probe", async () => {
    await using server = await startReferenceServer({ port: 0, eras: ['legacy'] });
    await using first = new MCPClient({ url: server.url });
    await first.callTool('echo', { text: 'one' });
    const afterFirst = server.stats();
    await using second = new MCPClient({ url: server.url });
    await second.callTool('echo', { text: 'two' });
    const afterSecond = server.stats();

    expect(first.era).toBe('legacy');
    expect(first.protocolVersion).toBe('2025-11-25');
    expect(first.mcpSessionId).toBeDefined();
    // The first client's probe was refused with 400 before initialize; the second went straight to initialize.
    expect(afterFirst.byRpcMethod['server/discover']).toBe(1);
    expect(afterSecond.byRpcMethod['server/discover']).toBe(1);
    expect(afterSecond.initializeCount).toBe(2);
  });

  test('a server that is down during the probe is an outage, retried, never a legacy verdict', async () => {
    await strict.kill();
    await using client = new MCPClient({ url: strict.url, retry: { retries: 10_000, maxElapsedMs: 20_000, reconnectDelayMs: 50 } });
    const call = client.callTool('echo', { text: 'after the outage' });
    // Seen once before, the restart is probed every reconnectDelayMs; here the client never reached it, so
    // it uses its normal retries: start the server well within them.
    await new Promise((resolve) => setTimeout(resolve, 300));
    await strict.start();
    await expect(call).resolves.toMatchObject({ content: [{ type: 'text', text: 'after the outage' }] });
    expect(client.era).toBe('modern');
  }, 60_000);
});

describe('pinned eras never fall back', () => {
  test("era: 'legacy' speaks initialize to the dual-era server (served statelessly by the SDK)", async () => {
    await using client = new MCPClient({ url: dual.url, era: 'legacy', listen: false });
    const before = await dual.get<FixtureStats>('/__fixture/stats');
    await client.callTool('echo', { text: 'legacy' });
    const after = await dual.get<FixtureStats>('/__fixture/stats');
    expect(client.era).toBe('legacy');
    expect((after.byMethod['server/discover'] ?? 0) - (before.byMethod['server/discover'] ?? 0)).toBe(0);
    expect((after.byMethod['legacy POST initialize'] ?? 0) - (before.byMethod['legacy POST initialize'] ?? 0)).toBe(1);
  });

  test("era: 'legacy' against a modern-only server is ProtocolError era_mismatch", async () => {
    await using client = new MCPClient({ url: strict.url, era: 'legacy' });
    const error = await client.connect().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as ProtocolError).reason).toBe('era_mismatch');
    // Where, and what the server answered (issue 10: every message names the URL and the root cause).
    expect((error as ProtocolError).message).toMatch(new RegExp(`^The server at ${strict.url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} speaks only the modern \\(2026-07-28\\) protocol era, .*\\(the server answered: .+\\)$`));
  });

  test("era: 'legacy' speaks initialize to the reference server, which serves the 2025 era beside 2026-07-28", async () => {
    await using server = await startReferenceServer({ port: 0 });
    await using client = new MCPClient({ url: server.url, era: 'legacy', listen: false });
    await client.callTool('echo', { text: 'legacy' });
    expect(client.protocolVersion).toBe('2025-11-25');
    expect(server.stats().byRpcMethod['server/discover'] ?? 0).toBe(0);
    expect(server.stats().initializeCount).toBe(1);
  });

  test("era: 'modern' against a legacy-only reference server (eras: ['legacy']) is ProtocolError era_mismatch", async () => {
    await using server = await startReferenceServer({ port: 0, eras: ['legacy'] });
    await using client = new MCPClient({ url: server.url, era: 'modern' });
    const error = await client.connect().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as ProtocolError).reason).toBe('era_mismatch');
    expect((error as ProtocolError).message).toContain(`The server at ${server.url} speaks only the legacy (2025-11-25 or earlier) protocol era`);
    expect((error as ProtocolError).message).toMatch(/\(the server answered: .*HTTP \d{3}.*\)$/);
    expect(server.stats().initializeCount).toBe(0);
  });
});
