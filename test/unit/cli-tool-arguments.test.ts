import { describe, expect, test } from 'vitest';
import { parseToolArguments } from '../../src/cli/tool-arguments';
import { UsageError } from '../../src/cli/usage-error';

describe('parseToolArguments', () => {
  test.each([
    ['text=hi', { text: 'hi' }],
    ['n=3', { n: 3 }],
    ['ratio=-0.5', { ratio: -0.5 }],
    ['ok=true', { ok: true }],
    ['off=false', { off: false }],
    ['nothing=null', { nothing: null }],
    ['ids=[1,2]', { ids: [1, 2] }],
    ['filter={"a":1}', { filter: { a: 1 } }],
    ['id="42"', { id: '42' }],
    ['query=auth and more', { query: 'auth and more' }],
    ['empty=', { empty: '' }],
    ['expr=a=b', { expr: 'a=b' }],
    ['version=1.2.3', { version: '1.2.3' }],
  ])('%s', (pair, expected) => {
    expect(parseToolArguments([pair], undefined)).toEqual(expected);
  });

  test('combines --args with key=value pairs, the pairs winning', () => {
    expect(parseToolArguments(['limit=5'], '{"query":"auth","limit":1}')).toEqual({ query: 'auth', limit: 5 });
  });

  test('keeps every pair, the last of repeated keys winning', () => {
    expect(parseToolArguments(['a=1', 'b=two', 'a=3'], undefined)).toEqual({ a: 3, b: 'two' });
  });

  test('makes "__proto__" an ordinary key instead of changing the prototype', () => {
    const args = parseToolArguments(['__proto__={"polluted":true}'], undefined);
    expect(Object.getPrototypeOf(args)).toBe(Object.prototype);
    expect(Object.keys(args)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test.each([
    [['novalue'], undefined, 'Expected a tool argument as key=value, got "novalue"'],
    [['=x'], undefined, 'Expected a tool argument as key=value, got "=x"'],
    [[], '{not json', 'Expected `--args` to be a JSON object, got invalid JSON "{not json"'],
    [[], '"text"', 'Expected `--args` to be a JSON object, got "\\"text\\""'],
    [[], 'null', 'Expected `--args` to be a JSON object, got "null"'],
  ])('rejects %j / --args %j', (pairs, argsJson, message) => {
    let thrown: unknown;
    try {
      parseToolArguments(pairs, argsJson);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(UsageError);
    expect(thrown).toMatchObject({ message, command: 'call' });
  });
});
