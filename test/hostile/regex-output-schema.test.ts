/**
 * Issue 9 case 1: a server's outputSchema `pattern` must not stall the event loop. Measured before the fix:
 * `^(a+)+$` against 36 `a`s and a `!` spun forever on V8's backtracking engine. Patterns now run on RE2 under
 * compile and match budgets (src/typed/safe-regexp.ts).
 */
import { describe, expect, test } from 'vitest';
import { MCPClient, OutputValidationError } from '../../src/index';
import { type HostileServer, startHostileServer } from './support/hostile-server';
import { STACKS, reportFigures, startLoopMonitor } from './support/loop-monitor';

/** A server with a benign `warm` tool (its first call loads ajv and re2js, ~70 ms once) and the hostile `evil`. */
function toolWith(outputSchema: Record<string, unknown>, structuredContent: unknown) {
  return {
    'tools/list': () => ({
      tools: [
        { name: 'warm', inputSchema: { type: 'object' }, outputSchema: { type: 'object', properties: { ok: { type: 'string', pattern: '^y' } } } },
        { name: 'evil', inputSchema: { type: 'object' }, outputSchema },
      ],
    }),
    'tools/call': (request: { params: Record<string, unknown> | undefined }) => ({
      content: [{ type: 'text', text: 'x' }],
      structuredContent: request.params?.name === 'warm' ? { ok: 'yes' } : structuredContent,
    }),
  };
}

function client(server: HostileServer, extra: object): MCPClient {
  return new MCPClient({ url: server.url, listen: false, retry: false, ...extra });
}

describe.each(STACKS)('on the %s stack', (_name, stack) => {
  test('a catastrophic pattern fails the output check typed, with the loop never blocked', async () => {
    await using server = await startHostileServer({
      methods: toolWith({ type: 'object', properties: { s: { type: 'string', pattern: '^(a+)+$' } } }, { s: `${'a'.repeat(36)}!` }),
    });
    await using mcp = client(server, stack);
    await mcp.callTool('warm', {});
    const monitor = startLoopMonitor();
    const started = performance.now();
    const error = await mcp.callTool('evil', {}).catch((caught: unknown) => caught);
    const gaps = monitor.stop();
    reportFigures(`case 1 ^(a+)+$ on 36 a's + '!' (${_name})`, { ...gaps, wallMs: performance.now() - started });
    expect(error).toBeInstanceOf(OutputValidationError);
    expect((error as OutputValidationError).code).toBe('OUTPUT_VALIDATION');
    expect((error as OutputValidationError).issues).toEqual([{ path: '/s', message: 'must match pattern "^(a+)+$"' }]);
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(gaps.maxBlockedMs).toBeLessThan(100);
  });

  test('the same pattern against a long hostile key and value stays responsive (patternProperties too)', async () => {
    await using server = await startHostileServer({
      methods: toolWith(
        { type: 'object', patternProperties: { '^(x+x+)+y$': { type: 'number' } }, properties: { s: { type: 'string', pattern: '^(a|a)*$' } } },
        { s: `${'a'.repeat(200_000)}!`, [`${'x'.repeat(5_000)}y`]: 'not a number' },
      ),
    });
    await using mcp = client(server, stack);
    await mcp.callTool('warm', {});
    const monitor = startLoopMonitor();
    const error = await mcp.callTool('evil', {}).catch((caught: unknown) => caught);
    const gaps = monitor.stop();
    reportFigures(`case 1 200k-char value, 5k-char key (${_name})`, { ...gaps });
    expect(error).toBeInstanceOf(OutputValidationError);
    expect(gaps.maxBlockedMs).toBeLessThan(100);
  });
});

test('patterns RE2 cannot run (lookahead, backreference) are skipped, as documented: the call succeeds', async () => {
  await using server = await startHostileServer({
    methods: toolWith(
      { type: 'object', properties: { a: { type: 'string', pattern: '^(?=(a+))\\1+$' }, b: { type: 'string', pattern: '(.)\\1' } } },
      { a: `${'a'.repeat(40)}!`, b: 'xy' },
    ),
  });
  await using mcp = client(server, {});
  await mcp.callTool('warm', {});
  const monitor = startLoopMonitor();
  const result = await mcp.callTool('evil', {});
  expect(monitor.stop().maxBlockedMs).toBeLessThan(100);
  expect(result.structuredContent).toEqual({ a: `${'a'.repeat(40)}!`, b: 'xy' });
});

test('a pattern whose program is huge is skipped instead of compiled, and the loop stays responsive', async () => {
  // 30 groups of [a-z]{1,1000}: a ~60,000-instruction RE2 program, ~0.5 s to compile (measured).
  const pattern = `^${'(?:[a-z]{1,1000}|b)'.repeat(30)}$`;
  await using server = await startHostileServer({ methods: toolWith({ type: 'string', pattern }, 'a'.repeat(100_000)) });
  await using mcp = client(server, {});
  await mcp.callTool('warm', {});
  const monitor = startLoopMonitor();
  const result = await mcp.callTool('evil', {});
  const gaps = monitor.stop();
  reportFigures('case 1 60,000-instruction pattern on 100k chars', { ...gaps });
  expect(gaps.maxBlockedMs).toBeLessThan(100);
  expect(result.structuredContent).toBe('a'.repeat(100_000));
});
