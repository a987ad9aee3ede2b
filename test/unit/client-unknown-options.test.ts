/**
 * Issue #10 item 5: from JavaScript, a misspelt or foreign option name throws in the constructor with a
 * "did you mean", instead of being ignored while the default applies.
 */
import { describe, expect, test } from 'vitest';
import { MCP_CLIENT_DEFAULTS, resolveClientOptions } from '../../src/client/options';
import { CALL_OPTION_KEYS, assertKnownOptions } from '../../src/client/unknown-options';
import { MCPClient, callMcpTool, checkMcpHealth } from '../../src/index';
import { RETRY_DEFAULTS } from '../../src/retry/retry-options';

const url = 'http://127.0.0.1:9/mcp';

describe('unknown client option keys throw TypeError with a suggestion', () => {
  test.each([
    [{ timeout: 5_000 }, 'Unknown option `timeout`; did you mean `timeoutMs`?'],
    [{ retries: 3 }, 'Unknown option `retries`; did you mean `retry.retries`?'],
    [{ maxRetries: 3 }, 'Unknown option `maxRetries`; did you mean `retry.retries`?'],
    [{ retry: { maxAttempts: 3 } }, 'Unknown option `retry.maxAttempts`; did you mean `retry.retries`?'],
    [{ retry: { minTimeout: 10 } }, 'Unknown option `retry.minTimeout`; did you mean `retry.minDelayMs`?'],
    [{ retry: { maxDelay: 10 } }, 'Unknown option `retry.maxDelay`; did you mean `retry.maxDelayMs`?'],
    [{ breaker: { threshold: 3 } }, 'Unknown option `breaker.threshold`; did you mean `breaker.failureThreshold`?'],
    [{ breaker: { cooldownMs: 3 } }, 'Unknown option `breaker.cooldownMs`; did you mean `breaker.coolDownMs`?'],
    [{ conectTimeoutMs: 1 }, 'Unknown option `conectTimeoutMs`; did you mean `connectTimeoutMs`?'],
    [{ baseURL: url }, 'Unknown option `baseURL`; did you mean `url`?'],
    [{ listen: true, zzz: 1 }, 'Unknown option `zzz`; expected one of: url, sessionHeader'],
  ])('%o', (options, message) => {
    expect(() => new MCPClient({ url, ...options } as never)).toThrow(TypeError);
    expect(() => new MCPClient({ url, ...options } as never)).toThrow(message);
  });

  test('every documented option is known: the defaults plus the options without one', () => {
    const all = Object.fromEntries(
      [...Object.keys(MCP_CLIENT_DEFAULTS), 'sessionId', 'fetch', 'dispatcher', 'logger', 'tracer'].map((key) => [key, undefined]),
    );
    expect(() => assertKnownOptions(all, 'client')).not.toThrow();
    expect(() => resolveClientOptions({ url, retry: { ...RETRY_DEFAULTS }, breaker: { failureThreshold: 2, coolDownMs: 5 } })).not.toThrow();
    expect(() => resolveClientOptions({ url, retry: false, breaker: false })).not.toThrow();
  });

  test('the options of the two-era client and the hostile-server limits are known by name', () => {
    const options = {
      url,
      era: 'legacy',
      handlers: {},
      maxInputRounds: 3,
      cache: false,
      maxListItems: 10,
      maxListBytes: 1_024,
      drainTimeoutMs: 100,
    } as const;
    expect(() => resolveClientOptions(options)).not.toThrow();
    expect(() => new MCPClient({ url, eras: 'legacy' } as never)).toThrow('Unknown option `eras`; did you mean `era`?');
    expect(() => new MCPClient({ url, maxInputRound: 3 } as never)).toThrow('Unknown option `maxInputRound`; did you mean `maxInputRounds`?');
  });
});

describe('helpers check their option keys too', () => {
  test('callMcpTool accepts the call options beside the client options, and names a misspelt one', async () => {
    expect(CALL_OPTION_KEYS).toEqual(['signal', 'timeoutMs', 'retry', 'replay', 'onProgress', 'idempotent', 'throwOnError']);
    await expect(callMcpTool('echo', {}, { url, throwOnEror: false } as never)).rejects.toThrow(
      'Unknown option `throwOnEror`; did you mean `throwOnError`?',
    );
    await expect(callMcpTool('echo', {}, { url, timeout: 1 } as never)).rejects.toThrow('Unknown option `timeout`; did you mean `timeoutMs`?');
  });

  test('checkMcpHealth accepts tool and signal, and rejects the rest', async () => {
    await expect(checkMcpHealth({ url, tool: { name: 'x' }, signal: undefined, retyr: 1 } as never)).rejects.toThrow(
      'Unknown option `retyr`; did you mean `retry`?',
    );
  });
});

describe('per-call options of callTool', () => {
  test('an unknown key throws before anything is sent', async () => {
    await using client = new MCPClient({ url, retry: false });
    await expect(client.callTool('echo', {}, { timeout: 10 } as never)).rejects.toThrow('Unknown call option `timeout`; did you mean `timeoutMs`?');
    expect(client.stats().calls).toBe(0);
  });
});
