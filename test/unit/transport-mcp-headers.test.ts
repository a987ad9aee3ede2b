/**
 * The 2026-07-28 request metadata headers (spec basic/transports/streamable-http "Value Encoding", "Schema
 * Extension"): every example row of the spec's encoding table, the conformance suite's edge cases, and one row
 * per x-mcp-header constraint.
 */
import { describe, expect, test } from 'vitest';
import { encodeHeaderValue, mcpNameOf, paramHeaderValues, paramHeadersOf } from '../../src/transport/mcp-headers';

const b64 = (value: string): string => `=?base64?${Buffer.from(value, 'utf8').toString('base64')}?=`;

describe('encodeHeaderValue', () => {
  test.each([
    ['plain ASCII', 'us-west1', 'us-west1'],
    ['internal spaces stay plain', 'us west 1', 'us west 1'],
    ['empty string stays an empty value', '', ''],
    ['non-ASCII (spec example)', 'Hello, 世界', '=?base64?SGVsbG8sIOS4lueVjA==?='],
    ['leading and trailing spaces (spec example)', ' padded ', '=?base64?IHBhZGRlZCA=?='],
    ['leading space only', ' us-west1', b64(' us-west1')],
    ['trailing space only', 'us-west1 ', b64('us-west1 ')],
    ['newline (spec example)', 'line1\nline2', '=?base64?bGluZTEKbGluZTI=?='],
    ['CR LF (header injection)', 'line1\r\nline2', b64('line1\r\nline2')],
    ['tab', '\tindented', b64('\tindented')],
    ['DEL control character', 'a\u007fb', b64('a\u007fb')],
    ['a plain value that looks like the sentinel (spec example)', '=?base64?literal?=', '=?base64?PT9iYXNlNjQ/bGl0ZXJhbD89?='],
  ])('%s', (_label, value, expected) => {
    expect(encodeHeaderValue(value)).toBe(expected);
  });

  test('the encoding decodes back to the UTF-8 value', () => {
    const value = 'Größe ✓ 😀';
    const encoded = encodeHeaderValue(value);
    expect(Buffer.from(encoded.slice('=?base64?'.length, -2), 'base64').toString('utf8')).toBe(value);
  });
});

describe('mcpNameOf', () => {
  test.each([
    ['tools/call', { name: 'get_weather' }, 'get_weather'],
    ['prompts/get', { name: 'my-hyphenated-prompt' }, 'my-hyphenated-prompt'],
    ['resources/read', { uri: 'file:///projects/myapp/config.json' }, 'file:///projects/myapp/config.json'],
    ['resources/read', { uri: 'file:///données/é.txt' }, b64('file:///données/é.txt')],
    ['tools/list', { name: 'ignored' }, undefined],
    ['tools/call', {}, undefined],
  ])('%s %j -> %s', (method, params, expected) => {
    expect(mcpNameOf(method, params)).toBe(expected);
  });
});

describe('paramHeadersOf (x-mcp-header constraints)', () => {
  const schema = (properties: Record<string, unknown>, extra: Record<string, unknown> = {}): unknown => ({ type: 'object', properties, ...extra });

  test('valid annotations, nested through properties only, case kept for the name, lower-case header', () => {
    const check = paramHeadersOf(
      schema({ region: { type: 'string', 'x-mcp-header': 'Region' }, opts: { type: 'object', properties: { tier: { type: 'integer', 'x-mcp-header': 'Tier' } } }, q: { type: 'string' } }),
    );
    expect(check).toEqual({
      ok: true,
      headers: [
        { header: 'mcp-param-region', path: ['region'] },
        { header: 'mcp-param-tier', path: ['opts', 'tier'] },
      ],
    });
  });

  test.each([
    ['empty', schema({ v: { type: 'string', 'x-mcp-header': '' } }), 'empty'],
    ['not a string', schema({ v: { type: 'string', 'x-mcp-header': 7 } }), 'empty or not a string'],
    ['space in the name', schema({ v: { type: 'string', 'x-mcp-header': 'My Region' } }), 'not an HTTP token'],
    ['colon in the name', schema({ v: { type: 'string', 'x-mcp-header': 'Region:Primary' } }), 'not an HTTP token'],
    ['non-ASCII name', schema({ v: { type: 'string', 'x-mcp-header': 'Région' } }), 'not an HTTP token'],
    ['control character in the name', schema({ v: { type: 'string', 'x-mcp-header': 'Region\t1' } }), 'not an HTTP token'],
    ['duplicate, same case', schema({ a: { type: 'string', 'x-mcp-header': 'Region' }, b: { type: 'string', 'x-mcp-header': 'Region' } }), 'not unique'],
    ['duplicate, other case', schema({ a: { type: 'string', 'x-mcp-header': 'MyField' }, b: { type: 'string', 'x-mcp-header': 'myfield' } }), 'not unique'],
    ['on an object', schema({ v: { type: 'object', 'x-mcp-header': 'Data' } }), 'type "object"'],
    ['on an array', schema({ v: { type: 'array', items: { type: 'string' }, 'x-mcp-header': 'Items' } }), 'type "array"'],
    ['on null', schema({ v: { type: 'null', 'x-mcp-header': 'Nil' } }), 'type "null"'],
    ['on number (not allowed)', schema({ v: { type: 'number', 'x-mcp-header': 'Ratio' } }), 'type "number"'],
    ['without a type', schema({ v: { 'x-mcp-header': 'Any' } }), 'type undefined'],
    ['behind items', schema({ v: { type: 'array', items: { type: 'string', 'x-mcp-header': 'Item' } } }), 'not reachable'],
    ['behind anyOf', schema({ v: { anyOf: [{ type: 'string', 'x-mcp-header': 'Alt' }] } }), 'not reachable'],
    ['in $defs (only reachable through $ref)', schema({ v: { $ref: '#/$defs/r' } }, { $defs: { r: { type: 'string', 'x-mcp-header': 'Ref' } } }), 'not reachable'],
    ['on the root itself', { type: 'string', 'x-mcp-header': 'Root' }, 'root'],
  ])('invalid: %s', (_label, inputSchema, reason) => {
    const check = paramHeadersOf(inputSchema);
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.reason).toContain(reason);
  });

  test('a schema too deep to walk is refused, not walked without bound', () => {
    let deep: Record<string, unknown> = { type: 'string' };
    for (let level = 0; level < 100; level++) deep = { type: 'object', properties: { next: deep } };
    expect(paramHeadersOf(deep).ok).toBe(false);
  });

  test('$ref is never followed (not even a network one)', () => {
    expect(paramHeadersOf(schema({ p: { $ref: 'https://example.invalid/schema.json' } }))).toEqual({ ok: true, headers: [] });
  });
});

describe('paramHeaderValues', () => {
  const specs = [
    { header: 'mcp-param-region', path: ['region'] },
    { header: 'mcp-param-priority', path: ['priority'] },
    { header: 'mcp-param-verbose', path: ['verbose'] },
    { header: 'mcp-param-tier', path: ['opts', 'tier'] },
  ];

  test('string as is, integer in decimal, boolean lower-case, nested by path', () => {
    expect(paramHeaderValues(specs, { region: 'us-west1', priority: 42, verbose: false, opts: { tier: -7 } })).toEqual({
      'mcp-param-region': 'us-west1',
      'mcp-param-priority': '42',
      'mcp-param-verbose': 'false',
      'mcp-param-tier': '-7',
    });
  });

  test('null and absent values are omitted; no headers at all is undefined', () => {
    expect(paramHeaderValues(specs, { region: 'x', verbose: null })).toEqual({ 'mcp-param-region': 'x' });
    expect(paramHeaderValues(specs, {})).toBeUndefined();
  });
});
