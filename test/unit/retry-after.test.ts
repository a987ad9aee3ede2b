import { describe, expect, test } from 'vitest';
import { HttpError, RpcError } from '../../src/errors/tree';
import { parseRetryAfter, retryAfterOf } from '../../src/retry/retry-after';

const NOW = Date.parse('2026-11-21T12:00:00Z');

describe('parseRetryAfter', () => {
  test.each<[string | null | undefined, number | undefined]>([
    ['0', 0],
    ['3', 3_000],
    ['  120 ', 120_000],
    ['Sat, 21 Nov 2026 12:00:30 GMT', 30_000], // IMF-fixdate
    ['Saturday, 21-Nov-26 12:00:05 GMT', 5_000], // obsolete RFC 850 form
    ['Sat, 21 Nov 2026 11:59:00 GMT', 0], // in the past: retry now
    ['Thu, 01 Jan 1970 00:00:00 GMT', 0],
    ['-3', undefined],
    ['1.5', undefined], // V8 would read this as 2001-01-05 without the letter check
    ['soon', undefined],
    ['', undefined],
    ['   ', undefined],
    [null, undefined],
    [undefined, undefined],
    ['99999999999999999999', undefined], // beyond a safe integer of ms
  ])('%j -> %s', (value, expected) => {
    expect(parseRetryAfter(value, NOW)).toBe(expected);
  });
});

describe('retryAfterOf', () => {
  test('reads the lower-cased retry-after header of an HttpError', () => {
    const error = new HttpError('busy', { status: 503, headers: { 'retry-after': '2' } });
    expect(retryAfterOf(error, NOW)).toBe(2_000);
  });

  test('an HttpError without the header has no hint', () => {
    expect(retryAfterOf(new HttpError('busy', { status: 503 }), NOW)).toBeUndefined();
  });

  test('other errors have no hint', () => {
    expect(retryAfterOf(new RpcError('nope', { rpcCode: -32000 }), NOW)).toBeUndefined();
    expect(retryAfterOf(new Error('x'), NOW)).toBeUndefined();
  });
});
