/**
 * callMcpTool and checkMcpHealth against the real reference server.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ToolCallError, callMcpTool, checkMcpHealth } from '../../src/index';
import { type ReferenceServer, startServer } from '../transport/wire-fixture';

let server: ReferenceServer;

beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server.close();
});

describe('callMcpTool', () => {
  test('2025 era: connects, calls once, and closes with a DELETE', async () => {
    const before = server.stats();
    const result = await callMcpTool('echo', { text: 'one shot' }, { era: 'legacy', url: server.url });
    expect(result.structuredContent).toEqual({ text: 'one shot' });
    const after = server.stats();
    expect(after.initializeCount).toBe(before.initializeCount + 1);
    expect(after.toolRuns.echo).toBe((before.toolRuns.echo ?? 0) + 1);
    expect(after.deleteCount).toBe(before.deleteCount + 1);
    // No GET stream for a one-shot call.
    expect(after.byHttpMethod.GET ?? 0).toBe(before.byHttpMethod.GET ?? 0);
  });

  test('2026-07-28 (the default against this server): calls once, with no session to open or close and no listen stream', async () => {
    const before = server.stats();
    const result = await callMcpTool('echo', { text: 'one shot' }, { url: server.url });
    expect(result.structuredContent).toEqual({ text: 'one shot' });
    const after = server.stats();
    expect(after.initializeCount).toBe(before.initializeCount);
    expect(after.toolRuns.echo).toBe((before.toolRuns.echo ?? 0) + 1);
    expect(after.deleteCount).toBe(before.deleteCount);
    expect(after.byRpcMethod['subscriptions/listen'] ?? 0).toBe(before.byRpcMethod['subscriptions/listen'] ?? 0);
    expect(after.byHttpMethod.GET ?? 0).toBe(before.byHttpMethod.GET ?? 0);
  });

  test('2025 era: closes the session even when the tool fails', async () => {
    const before = server.stats().deleteCount;
    await expect(callMcpTool('fail', {}, { era: 'legacy', url: server.url })).rejects.toBeInstanceOf(ToolCallError);
    expect(server.stats().deleteCount).toBe(before + 1);
  });
});

describe('checkMcpHealth', () => {
  test.each([
    ['legacy', '2025-11-25'],
    ['modern', '2026-07-28'],
  ] as const)(
    '%s era: a healthy server passes initialize (the handshake), ping, tools/list and the named tool',
    async (era, protocolVersion) => {
      const report = await checkMcpHealth({ era, url: server.url, tool: { name: 'health_check' } });
      expect(report.healthy).toBe(true);
      expect(report.checks.map((check) => [check.name, check.ok])).toEqual([
        ['initialize', true],
        ['ping', true],
        ['tools/list', true],
        ['tool:health_check', true],
      ]);
      expect(report.url).toBe(server.url);
      expect(report.protocolVersion).toBe(protocolVersion);
      expect(report.toolCount).toBeGreaterThanOrEqual(9);
      expect(report.serverInfo?.name).toEqual(expect.any(String));
      expect(report.latencyMs).toBeGreaterThanOrEqual(0);
    },
  );

  test('a failing tool makes the report unhealthy without throwing', async () => {
    const report = await checkMcpHealth({ url: server.url, tool: { name: 'fail' } });
    expect(report.healthy).toBe(false);
    expect(report.checks.at(-1)).toMatchObject({ name: 'tool:fail', ok: false, error: expect.stringContaining('TOOL_CALL_ERROR') });
  });

  test('a dead server is reported, not thrown', async () => {
    const dead = await startServer();
    const url = dead.url;
    await dead.close();
    const started = performance.now();
    const report = await checkMcpHealth({ url, timeoutMs: 1_000 });
    // No retries by default in a probe: the check failed with the refusal itself, not RetryExhaustedError.
    expect(report.checks[0]?.error).toMatch(/^CONNECTION_ERROR: .*ECONNREFUSED/);
    expect(performance.now() - started).toBeLessThan(5_000); // a wide bound for a busy machine (issue #10 item 13)
    expect(report.healthy).toBe(false);
    expect(report.checks).toHaveLength(1);
    expect(report.checks[0]).toMatchObject({ name: 'initialize', ok: false, error: expect.stringContaining('CONNECTION_ERROR') });
    expect(report.serverInfo).toBeUndefined();
  });

  test('throws only for invalid options', async () => {
    await expect(checkMcpHealth({ url: 'ftp://nope' })).rejects.toThrow(TypeError);
    await expect(checkMcpHealth({ url: server.url, timeoutMs: -1 })).rejects.toThrow(
      'Expected `timeoutMs` to be a positive integer, got -1',
    );
  });
});
