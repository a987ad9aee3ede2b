import { afterEach, describe, expect, test, vi } from 'vitest';
import { MCP_CLIENT_DEFAULTS, resolveClientOptions } from '../../src/client/options';
import { CLIENT_VERSION } from '../../src/client/version';
import packageJson from '../../package.json' with { type: 'json' };

describe('resolveClientOptions', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  test('applies every default when given nothing', () => {
    vi.stubEnv('ARCHON_MCP_URL', '');
    const resolved = resolveClientOptions();
    expect(resolved.url.href).toBe('http://localhost:8051/mcp');
    expect(resolved.sessionHeader).toBe('X-Archon-Session-Id');
    expect(resolved.timeoutMs).toBe(60_000);
    expect(resolved.connectTimeoutMs).toBe(10_000);
    expect(resolved.closeTimeoutMs).toBe(2_000);
    expect(resolved.maxResponseBytes).toBe(16 * 1024 * 1024);
    expect(resolved.maxListItems).toBe(100_000);
    expect(resolved.maxListBytes).toBe(32 * 1024 * 1024);
    expect(resolved.drainTimeoutMs).toBe(1_000);
    expect(resolved.protocolVersion).toBe('2025-11-25');
    expect(resolved.throwOnToolError).toBe(true);
    expect(resolved.listen).toBe(true);
    expect(resolved.clientInfo).toEqual({ name: 'archon-mcp-client', version: CLIENT_VERSION });
    expect(resolved.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(resolved.retry.retries).toBe(6);
    expect(resolved.replay).toBe('safe');
    expect(resolved.trustAnnotations).toBe(true);
    expect(resolved.totalTimeoutMs).toBe(120_000);
    expect(resolved.breaker).toEqual({ failureThreshold: 5, coolDownMs: 10_000, sessionLossThreshold: 3, sessionLossWindowMs: 60_000 });
  });

  test('generates a different app session id per client', () => {
    expect(resolveClientOptions().sessionId).not.toBe(resolveClientOptions().sessionId);
  });

  test('takes the url from ARCHON_MCP_URL when the option is absent', () => {
    vi.stubEnv('ARCHON_MCP_URL', 'http://127.0.0.1:9999/env');
    expect(resolveClientOptions().url.href).toBe('http://127.0.0.1:9999/env');
    expect(resolveClientOptions({ url: 'http://127.0.0.1:1/opt' }).url.href).toBe('http://127.0.0.1:1/opt');
  });

  test('lower-cases header names', () => {
    expect(resolveClientOptions({ headers: { Authorization: 'Bearer x' } }).headers).toEqual({ authorization: 'Bearer x' });
  });

  test.each([
    [{ timeoutMs: -1 }, 'Expected `timeoutMs` to be a positive integer, got -1'],
    [{ timeoutMs: 1.5 }, 'Expected `timeoutMs` to be a positive integer, got 1.5'],
    [{ connectTimeoutMs: 0 }, 'Expected `connectTimeoutMs` to be a positive integer, got 0'],
    [{ closeTimeoutMs: Number.NaN }, 'Expected `closeTimeoutMs` to be a positive integer, got NaN'],
    [{ maxResponseBytes: -5 }, 'Expected `maxResponseBytes` to be a positive integer, got -5'],
    [{ maxListItems: 0 }, 'Expected `maxListItems` to be a positive integer, got 0'],
    [{ maxListBytes: 1.5 }, 'Expected `maxListBytes` to be a positive integer, got 1.5'],
    [{ drainTimeoutMs: Number.POSITIVE_INFINITY }, 'Expected `drainTimeoutMs` to be a positive integer, got Infinity'],
    [{ url: 'ftp://x' }, 'Expected `url` to be an http(s) URL, got "ftp://x"'],
    [{ url: 'not a url' }, 'Expected `url` to be an http(s) URL, got "not a url"'],
    [{ sessionId: '' }, 'Expected `sessionId` to be a non-empty string, got ""'],
    [{ sessionHeader: 'bad header' }, 'Expected `sessionHeader` to be an HTTP header name, got "bad header"'],
    [{ throwOnToolError: 'yes' }, 'Expected `throwOnToolError` to be a boolean, got "yes"'],
    [{ fetch: 42 }, 'Expected `fetch` to be a function, got 42'],
    [{ headers: { a: 1 } }, 'Expected `headers.a` to be a string, got 1'],
    [{ replay: 'sometimes' }, "Expected `replay` to be 'safe', 'never' or 'always', got \"sometimes\""],
    [{ trustAnnotations: 1 }, 'Expected `trustAnnotations` to be a boolean, got 1'],
    [{ totalTimeoutMs: 0 }, 'Expected `totalTimeoutMs` to be a positive integer, got 0'],
    [{ breaker: { failureThreshold: 0 } }, 'Expected `breaker.failureThreshold` to be a positive integer, got 0'],
    [{ retry: { retries: -1 } }, 'Expected `retry.retries` to be a non-negative integer, got -1'],
    [{ requestHandlers: { 'roots/list': 'nope' } }, 'Expected `requestHandlers.roots/list` to be a function, got "nope"'],
  ])('rejects %o', (options, message) => {
    expect(() => resolveClientOptions(options as never)).toThrow(new TypeError(message));
  });
});

describe('the auth options', () => {
  const token = { token: async () => 't' };

  test.each([
    [
      { tokenStore: { id: 'x', read: async () => undefined, write: async () => {}, remove: async () => 0 } },
      "Expected `tokenStore` to be used with `authProvider` (it stores that provider's tokens), got an object",
    ],
    [{ auth: { maxStepUps: 2 } }, 'Expected `auth` to be used with `authProvider`, got an object'],
    [{ authProvider: { tokens: () => undefined } }, 'Expected `authProvider` to be an OAuthClientProvider or { token(), onUnauthorized?() }, got an object'],
    [{ authProvider: token, headers: { Authorization: 'Bearer static' } }, 'Expected `headers.authorization` to be absent when `authProvider` supplies the credentials, got "Bearer static"'],
    [{ authProvider: token, auth: { refreshAhead: 1 } }, 'Expected `auth` to be an object with only refreshAheadMs, refreshJitterMs, refreshRetryDelayMs, maxStepUps, requestTimeoutMs, maxResponseBytes, got "refreshAhead"'],
    [{ authProvider: token, auth: { maxStepUps: 11 } }, 'Expected `maxStepUps` to be an integer from 0 to 10, got 11'],
    [{ authProvider: token, tokenStore: { read: 1 } }, 'Expected `tokenStore` to be a TokenStore (read, write, remove), got an object'],
  ])('rejects %o', (options, message) => {
    expect(() => resolveClientOptions(options as never)).toThrow(new TypeError(message));
  });

  test('without authProvider there is no auth; with one, a ClientAuth that loads nothing yet', () => {
    expect(resolveClientOptions().auth).toBeUndefined();
    const auth = resolveClientOptions({ authProvider: token }).auth;
    expect(auth?.partition).toMatch(/^provider \d+$/);
  });

  test('two clients with one provider share the cache partition; another provider gets its own', () => {
    const other = { token: async () => 'u' };
    const partitionOf = (authProvider: typeof token) => resolveClientOptions({ authProvider }).auth?.partition;
    expect(partitionOf(token)).toBe(partitionOf(token));
    expect(partitionOf(other)).not.toBe(partitionOf(token));
  });
});

test('retry: false and breaker: false turn the layers off', () => {
  const resolved = resolveClientOptions({ retry: false, breaker: false });
  expect(resolved.retry.retries).toBe(0);
  expect(resolved.breaker).toBe(false);
});

test('MCP_CLIENT_DEFAULTS is the single source of the defaults', () => {
  expect(MCP_CLIENT_DEFAULTS.timeoutMs).toBe(resolveClientOptions().timeoutMs);
});

test('CLIENT_VERSION matches package.json', () => {
  expect(CLIENT_VERSION).toBe(packageJson.version);
});
