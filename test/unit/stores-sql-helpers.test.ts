import { describe, expect, it } from 'vitest';
import { parseScopedEventId, scopedEventId } from '../../server/stores/event-codec';
import { valuesList } from '../../server/stores/sql-batches';
import { sqlNumber } from '../../server/stores/sql-client';
import { resolveSqlStoreOptions, SQL_STORE_DEFAULTS } from '../../server/stores/sql-options';

describe('scoped event ids', () => {
  it('round-trip session, stream and seq, stream ids with colons included', () => {
    expect(parseScopedEventId('s1', scopedEventId('s1', '_GET_stream', 42))).toEqual({ streamId: '_GET_stream', seq: '42' });
    expect(parseScopedEventId('s1', scopedEventId('s1', 'a:b', '1700000000000-3'))).toEqual({
      streamId: 'a:b',
      seq: '1700000000000-3',
    });
  });

  it.each([
    ['another session', 's2:_GET_stream:42'],
    ['a session whose id merely starts the same', 's10:_GET_stream:42'],
    ['no stream', 's1::42'],
    ['no seq', 's1:_GET_stream:'],
    ['no separators', 's1'],
    ['the empty string', ''],
  ])('reject an id of %s', (_, eventId) => {
    expect(parseScopedEventId('s1', eventId)).toBeUndefined();
  });
});

describe('sqlNumber', () => {
  it.each([
    ['a pg int8 string', '1700000000000', 1_700_000_000_000],
    ['a pglite number', 42, 42],
    ['a numeric string with decimals', '0.5', 0.5],
    ['a bigint', 1_700_000_000_000n, 1_700_000_000_000],
  ])('reads %s', (_, value, expected) => {
    expect(sqlNumber(value)).toBe(expected);
  });

  it.each([
    ['null', null],
    ['undefined', undefined],
    ['the empty string', ''],
    ['a word', 'abc'],
  ])('refuses %s rather than reading it as 0 or NaN', (_, value) => {
    expect(() => sqlNumber(value)).toThrow(/Expected a numeric column/);
  });
});

describe('SQL store options', () => {
  it('fill in the declared defaults', () => {
    expect(resolveSqlStoreOptions()).toEqual(SQL_STORE_DEFAULTS);
  });

  it.each([
    [{ maxRequestsPerSession: 0 }, 'Expected `maxRequestsPerSession` to be a positive integer, got 0'],
    [{ maxRequestsPerSession: 1.5 }, 'Expected `maxRequestsPerSession` to be a positive integer, got 1.5'],
    [{ compressAboveBytes: -1 }, 'Expected `compressAboveBytes` to be a non-negative integer, got -1'],
  ])('reject %o', (options, message) => {
    expect(() => resolveSqlStoreOptions(options)).toThrow(message);
  });
});

describe('valuesList', () => {
  it('numbers placeholders row by row and casts the first row only', () => {
    expect(valuesList(1, 2)).toBe('($1, $2)');
    expect(valuesList(3, 2, ['text', 'bigint'])).toBe('($1::text, $2::bigint), ($3, $4), ($5, $6)');
  });
});
