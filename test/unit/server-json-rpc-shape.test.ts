/**
 * The session layer checks JSON-RPC shape by hand instead of running the SDK's zod schema a second time. The
 * property: it accepts exactly what the SDK's `parseJSONRPCMessage` accepts, and its era fast path never calls
 * legacy what the SDK's own classifier (`isLegacyRequest`) would route elsewhere.
 */
import fc from 'fast-check';
import { isLegacyRequest, parseJSONRPCMessage, PROTOCOL_VERSION_META_KEY, type JSONRPCMessage } from '@modelcontextprotocol/server';
import { describe, expect, test } from 'vitest';
import { isJsonRpcMessage, plainlyLegacy } from '../../server/http/json-rpc-shape';

function sdkAccepts(value: unknown): boolean {
  try {
    parseJSONRPCMessage(value);
    return true;
  } catch {
    return false;
  }
}

const json = fc.jsonValue({ maxDepth: 2 });
const id = fc.oneof(fc.integer(), fc.string({ maxLength: 6 }), fc.double(), fc.constant(null), json);
const meta = fc.oneof(
  fc.record(
    {
      progressToken: fc.oneof(fc.integer(), fc.string({ maxLength: 4 }), fc.double(), json),
      'io.modelcontextprotocol/related-task': fc.oneof(fc.record({ taskId: fc.oneof(fc.string({ maxLength: 4 }), fc.integer()) }), json),
      [PROTOCOL_VERSION_META_KEY]: fc.oneof(fc.constant('2026-07-28'), fc.constant('2025-11-25'), json),
      other: json,
    },
    { requiredKeys: [] },
  ),
  json,
);
const object = fc.dictionary(fc.string({ maxLength: 4 }), json, { maxKeys: 3 });
/** JSON shaped near JSON-RPC: every member right, wrong or absent, plus stray keys. */
const nearMessage = fc.record(
  {
    jsonrpc: fc.oneof(fc.constant('2.0'), fc.constant('1.0'), json),
    id,
    method: fc.oneof(fc.constantFrom('ping', 'tools/call', 'initialize', 'notifications/initialized'), json),
    params: fc.oneof(fc.record({ _meta: meta, name: json }, { requiredKeys: [] }), object, json),
    result: fc.oneof(fc.record({ _meta: fc.oneof(object, json), content: json }, { requiredKeys: [] }), json),
    error: fc.oneof(fc.record({ code: fc.oneof(fc.integer(), fc.double(), json), message: fc.oneof(fc.string({ maxLength: 6 }), json), data: json }, { requiredKeys: [] }), json),
    extra: json,
  },
  { requiredKeys: [] },
);

describe('isJsonRpcMessage', () => {
  test.each([
    [{ jsonrpc: '2.0', id: 1, method: 'ping' }, true],
    [{ jsonrpc: '2.0', id: 'a', method: 'tools/call', params: { name: 'echo', _meta: { progressToken: 3 } } }, true],
    [{ jsonrpc: '2.0', method: 'notifications/initialized' }, true],
    [{ jsonrpc: '2.0', id: 1, result: {} }, true],
    [{ jsonrpc: '2.0', error: { code: -32_000, message: 'x' } }, true],
    [{ jsonrpc: '2.0', id: 1.5, method: 'ping' }, false],
    [{ jsonrpc: '2.0', id: null, method: 'ping' }, false],
    [{ jsonrpc: '2.0', id: 1, method: 'ping', extra: true }, false],
    [{ jsonrpc: '2.0', id: 1, method: 'ping', params: [] }, false],
    [{ jsonrpc: '2.0', id: 1, method: 'ping', params: { _meta: { progressToken: 1.5 } } }, false],
    [{ jsonrpc: '2.0', id: 1, result: 'no' }, false],
    [{ hello: 'world' }, false],
  ])('%j -> %s, as the SDK', (value, expected) => {
    expect(isJsonRpcMessage(value)).toBe(expected);
    expect(sdkAccepts(value)).toBe(expected);
  });

  test('accepts exactly what the SDK schema accepts (fuzzed)', () => {
    fc.assert(
      fc.property(fc.oneof(nearMessage, json), (value) => {
        expect(isJsonRpcMessage(value)).toBe(sdkAccepts(value));
      }),
      { numRuns: 3_000 },
    );
  });
});

describe('plainlyLegacy', () => {
  const header = fc.oneof(fc.constant(null), fc.constantFrom('2025-11-25', '2025-06-18', '2026-07-28', ' 2026-07-28', '2099-01-01', 'x'));

  /** Requests and notifications built valid (filtering `nearMessage` would reject nearly every draw), meta fuzzed. */
  const message = fc
    .record(
      {
        jsonrpc: fc.constant('2.0'),
        id: fc.oneof(fc.integer(), fc.string({ maxLength: 6 })),
        method: fc.constantFrom('ping', 'tools/call', 'initialize', 'notifications/initialized'),
        params: fc.record({ _meta: meta, name: json }, { requiredKeys: [] }),
      },
      { requiredKeys: ['jsonrpc', 'method'] },
    )
    .filter(isJsonRpcMessage)
    .map((value) => value as JSONRPCMessage);

  test('never calls legacy what the SDK classifier routes to the modern era (fuzzed)', async () => {
    await fc.assert(
      fc.asyncProperty(message, header, async (message, version) => {
        if (!plainlyLegacy([message], version)) return;
        const request = new Request('http://localhost/mcp', {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(version === null ? {} : { 'mcp-protocol-version': version }) },
        });
        expect(await isLegacyRequest(request, message)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  test('leaves batches and envelope claims to the SDK', () => {
    const ping = { jsonrpc: '2.0' as const, id: 1, method: 'ping' };
    expect(plainlyLegacy([ping], '2025-11-25')).toBe(true);
    expect(plainlyLegacy([ping, ping], null)).toBe(false);
    expect(plainlyLegacy([{ ...ping, params: { _meta: { [PROTOCOL_VERSION_META_KEY]: '2026-07-28' } } }], null)).toBe(false);
    expect(plainlyLegacy([ping], '2026-07-28')).toBe(false);
  });
});
