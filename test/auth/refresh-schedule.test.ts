import { describe, expect, test } from 'vitest';
import { AUTH_COORDINATOR_DEFAULTS, createAuthCoordinator } from '../../src/auth/index';
import { refreshDueAt, tokenExpiresAt } from '../../src/auth/refresh-schedule';
import { isAuthChallenge } from '../../src/auth/auth-coordinator';

describe('tokenExpiresAt', () => {
  test.each([
    [3600, 1_000, 3_601_000],
    ['60', 0, 60_000],
    [0, 0, undefined],
    [-5, 0, undefined],
    ['soon', 0, undefined],
    [Number.POSITIVE_INFINITY, 0, undefined],
    [1e12, 0, 315_360_000_000],
  ])('expires_in %j obtained at %d -> %j', (expiresIn, obtainedAt, expected) => {
    expect(tokenExpiresAt(expiresIn, obtainedAt)).toBe(expected);
  });
});

describe('refreshDueAt', () => {
  const policy = { refreshAheadMs: 60_000, refreshJitterMs: 30_000 };
  test.each([
    ['an hour token, no jitter draw', { obtainedAtMs: 0, expiresAtMs: 3_600_000 }, 0, 3_540_000],
    ['an hour token, full jitter draw', { obtainedAtMs: 0, expiresAtMs: 3_600_000 }, 0.999_999, 3_510_000.03],
    ['a one-minute token refreshes half-way, not at once', { obtainedAtMs: 0, expiresAtMs: 60_000 }, 0.5, 30_000],
    ['unknown start: the full margin', { obtainedAtMs: undefined, expiresAtMs: 100_000 }, 0, 40_000],
  ])('%s', (_name, token, random, expected) => {
    expect(refreshDueAt(token, policy, random)).toBeCloseTo(expected, 0);
  });
  test('a random draw outside [0, 1) is clamped', () => {
    expect(refreshDueAt({ obtainedAtMs: 0, expiresAtMs: 3_600_000 }, policy, 7)).toBe(3_510_000);
    expect(refreshDueAt({ obtainedAtMs: 0, expiresAtMs: 3_600_000 }, policy, Number.NaN)).toBe(3_540_000);
  });
});

describe('createAuthCoordinator options', () => {
  const authProvider = { token: async () => 'x' };
  test.each([
    [{ serverUrl: 'ftp://x', authProvider }, 'Expected `serverUrl` to be an http(s) URL, got "ftp://x"'],
    [{ serverUrl: 'http://x/mcp', authProvider: {} }, 'Expected `authProvider` to be an OAuthClientProvider or { token(), onUnauthorized?() }, got an object'],
    [{ serverUrl: 'http://x/mcp', authProvider, maxStepUps: -1 }, 'Expected `maxStepUps` to be an integer from 0 to 10, got -1'],
    [{ serverUrl: 'http://x/mcp', authProvider, refreshAheadMs: 1.5 }, 'Expected `refreshAheadMs` to be an integer from 0 to 2147483647, got 1.5'],
    [{ serverUrl: 'http://x/mcp', authProvider, tokenStore: {} }, 'Expected `tokenStore` to be a TokenStore (read, write, remove), got an object'],
    [{ serverUrl: 'http://x/mcp', authProvider, now: 5 }, 'Expected `now` to be a function, got 5'],
  ])('%j', (options, message) => {
    expect(() => createAuthCoordinator(options as never)).toThrow(new TypeError(message));
  });
  test('defaults', () => {
    expect(AUTH_COORDINATOR_DEFAULTS).toEqual({ refreshAheadMs: 60_000, refreshJitterMs: 30_000, refreshRetryDelayMs: 5_000, maxStepUps: 1, requestTimeoutMs: 10_000, maxResponseBytes: 1_048_576 });
  });
});

describe('isAuthChallenge', () => {
  test.each([
    [401, null, true],
    [403, 'Bearer error="insufficient_scope", scope="a"', true],
    [403, 'Bearer error=insufficient_scope', true],
    [403, 'Bearer error="invalid_token"', false],
    [403, null, false],
    [404, 'Bearer', false],
  ])('%d %j -> %j', (status, header, expected) => {
    expect(isAuthChallenge(status, header)).toBe(expected);
  });
});
