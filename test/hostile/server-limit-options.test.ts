/**
 * The issue 9 server bounds are named options: defaults declared once, validated like the others, and passed
 * through `archon-mcp serve` flags and environment variables.
 */
import { describe, expect, test } from 'vitest';
import { parseServeOptions, resolveSessionLayerOptions, SERVER_DEFAULTS, SESSION_HANDLER_DEFAULTS, startReferenceServer } from '../../server/index';

const LAYER_LIMITS = {
  bodyReadTimeoutMs: ['--body-read-timeout', 'MCP_BODY_READ_TIMEOUT_MS'],
  bodyTimeoutMs: ['--body-timeout', 'MCP_BODY_TIMEOUT_MS'],
  maxJsonDepth: ['--max-json-depth', 'MCP_MAX_JSON_DEPTH'],
  maxInFlightPerIp: ['--max-in-flight-per-ip', 'MCP_MAX_IN_FLIGHT_PER_IP'],
  maxInFlightPerPrincipal: ['--max-in-flight-per-principal', 'MCP_MAX_IN_FLIGHT_PER_PRINCIPAL'],
  maxNewSessionsPerIp: ['--max-new-sessions-per-ip', 'MCP_MAX_NEW_SESSIONS_PER_IP'],
  maxNewSessionsPerPrincipal: ['--max-new-sessions-per-principal', 'MCP_MAX_NEW_SESSIONS_PER_PRINCIPAL'],
  newSessionWindowMs: ['--new-session-window', 'MCP_NEW_SESSION_WINDOW_MS'],
} as const;
const SERVER_LIMITS = {
  headersTimeoutMs: ['--headers-timeout', 'MCP_HEADERS_TIMEOUT_MS'],
  keepAliveTimeoutMs: ['--keep-alive-timeout', 'MCP_KEEP_ALIVE_TIMEOUT_MS'],
} as const;

describe('the hostile-client bounds as options', () => {
  test('defaults: Node-like deadlines, a generous share per client', () => {
    expect(SESSION_HANDLER_DEFAULTS).toMatchObject({
      bodyReadTimeoutMs: 30_000,
      bodyTimeoutMs: 60_000,
      maxJsonDepth: 128,
      maxInFlightPerIp: 512,
      maxInFlightPerPrincipal: 2_048,
      maxNewSessionsPerIp: 100,
      maxNewSessionsPerPrincipal: 1_000,
      newSessionWindowMs: 1_000,
    });
    expect(SERVER_DEFAULTS).toMatchObject({ headersTimeoutMs: 60_000, keepAliveTimeoutMs: 5_000 });
  });

  test.each(Object.keys(LAYER_LIMITS))('%s must be a positive integer', (name) => {
    for (const bad of [0, -1, 1.5, Number.NaN, '10']) {
      expect(() => resolveSessionLayerOptions({ [name]: bad })).toThrow(`Expected \`${name}\` to be a positive integer, got ${String(bad)}`);
    }
    expect(resolveSessionLayerOptions({ [name]: 7 })).toMatchObject({ [name]: 7 });
  });

  test.each(Object.keys(SERVER_LIMITS))('reference server: %s must be a positive integer', async (name) => {
    await expect(startReferenceServer({ [name]: 0 })).rejects.toThrow(`Expected \`${name}\` to be a positive integer, got 0`);
  });

  test('serve flags and environment variables set each of them; flags win', () => {
    const all = { ...LAYER_LIMITS, ...SERVER_LIMITS };
    const entries = Object.entries(all);
    const fromFlags = parseServeOptions(entries.flatMap(([, [flag]], index) => [flag, String(100 + index)]));
    const fromEnv = parseServeOptions([], Object.fromEntries(entries.map(([, [, env]], index) => [env, String(200 + index)])));
    const both = parseServeOptions(['--body-timeout', '5'], { MCP_BODY_TIMEOUT_MS: '9' });
    expect(fromFlags.help || fromFlags.options).toMatchObject(Object.fromEntries(entries.map(([name], index) => [name, 100 + index])));
    expect(fromEnv.help || fromEnv.options).toMatchObject(Object.fromEntries(entries.map(([name], index) => [name, 200 + index])));
    expect(both.help || both.options).toMatchObject({ bodyTimeoutMs: 5 });
  });
});
