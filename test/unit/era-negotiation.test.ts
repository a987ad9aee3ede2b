/**
 * The era decision after a `server/discover` probe (spec 2026-07-28 basic/versioning "Backward
 * Compatibility"), one row per kind of answer, built with the real error factory so the rows exercise the
 * same mapping the wire does. And the per-endpoint verdict cache.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { createErrorFromFailure } from '../../src/errors/factory';
import { AbortError, AuthRequiredError, ConnectionError, HttpError, ProtocolError, TimeoutError } from '../../src/errors/tree';
import { cachedEraVerdict, clearEraVerdicts, rememberEraVerdict } from '../../src/session/era-cache';
import { type ProbeDecision, decideAfterProbe, isDiscoverResult } from '../../src/session/era-negotiation';

const answer = (status: number, body: string | { code: number; data?: unknown }): unknown =>
  createErrorFromFailure({
    kind: 'http',
    status,
    era: 'modern',
    body: typeof body === 'string' ? body : JSON.stringify({ jsonrpc: '2.0', id: 1, error: { message: 'x', ...body } }),
  });
const unsupported = (supported: unknown): unknown => answer(400, { code: -32022, data: { supported, requested: '2026-07-28' } });
const inBand = (code: number): unknown => createErrorFromFailure({ kind: 'rpc', error: { code, message: 'x' } });

const rows: Array<[string, unknown, number, ProbeDecision['kind'], string?]> = [
  ['-32022 listing our modern version', unsupported(['2026-07-28']), 1, 'retry', '2026-07-28'],
  ['-32022 listing ours among others', unsupported(['2027-01-01', '2026-07-28', '2025-11-25']), 1, 'retry', '2026-07-28'],
  ['-32022 listing ours, third probe already', unsupported(['2026-07-28']), 3, 'fail'],
  ['-32022 listing only legacy versions', unsupported(['2025-11-25', '2025-06-18']), 1, 'legacy'],
  ['-32022 listing nothing we speak', unsupported(['2027-01-01']), 1, 'fail'],
  ['-32022 with no data at all', answer(400, { code: -32022 }), 1, 'fail'],
  ['-32020 HeaderMismatch (a modern server refused our headers)', answer(400, { code: -32020 }), 1, 'fail'],
  ['-32021 MissingRequiredClientCapability', answer(400, { code: -32021 }), 1, 'fail'],
  ['400 with an empty body', answer(400, ''), 1, 'legacy'],
  ['400 "No valid session ID provided" (v1 sessionful)', answer(400, { code: -32000 }), 1, 'legacy'],
  ['400 "Unsupported protocol version" as -32000 (v1 stateless, our reference server)', answer(400, '{"jsonrpc":"2.0","error":{"code":-32000,"message":"Bad Request: Unsupported protocol version: 2026-07-28"},"id":1}'), 1, 'legacy'],
  ['404 with an HTML page', answer(404, '<html>Not Found</html>'), 1, 'legacy'],
  ['405 Method Not Allowed', answer(405, 'Method Not Allowed'), 1, 'legacy'],
  ['404 -32601 from a server without server/discover', answer(404, { code: -32601 }), 1, 'legacy'],
  ['200 with -32601 in-band', inBand(-32601), 1, 'legacy'],
  ['200 with -32600 "Server not initialized" in-band', inBand(-32600), 1, 'legacy'],
  ['2xx with a body that is not JSON', new ProtocolError('x', { reason: 'invalid_json' }), 1, 'legacy'],
  ['2xx with JSON that answers nothing', new ProtocolError('x', { reason: 'invalid_message' }), 1, 'legacy'],
  ['2xx with a wrong content type', new ProtocolError('x', { reason: 'invalid_content_type' }), 1, 'legacy'],
  ['401 is never era evidence', answer(401, { code: -32000 }), 1, 'fail'],
  ['403 is never era evidence', answer(403, ''), 1, 'fail'],
  ['401 with a WWW-Authenticate challenge and an empty body', answer(401, ''), 1, 'fail'],
  ['403 insufficient_scope', answer(403, '{"error":"insufficient_scope"}'), 1, 'fail'],
  ['AuthRequiredError (the authProvider could not authorize) is never era evidence', new AuthRequiredError('x', { reason: 'redirect', serverUrl: 'http://127.0.0.1/mcp' }), 1, 'fail'],
  ['the authorization server answered 400', new HttpError('x', { status: 400, source: 'authorization_server' }), 1, 'fail'],
  ['the authorization server answered 404', new HttpError('x', { status: 404, source: 'authorization_server' }), 1, 'fail'],
  ['429 is load, not an era', answer(429, ''), 1, 'fail'],
  ['500', answer(500, { code: -32603 }), 1, 'fail'],
  ['503', answer(503, ''), 1, 'fail'],
  ['connection refused is an outage', new ConnectionError('x', { reason: 'refused', requestSent: false }), 1, 'fail'],
  ['reset after send is an outage', new ConnectionError('x', { reason: 'reset', requestSent: true }), 1, 'fail'],
  ['timeout is an outage, never a legacy verdict', new TimeoutError('x', { timeoutMs: 1, kind: 'attempt' }), 1, 'fail'],
  ['stream ended before the answer', new ProtocolError('x', { reason: 'stream_ended' }), 1, 'fail'],
  ['abort', new AbortError(), 1, 'fail'],
  ['a bug', new TypeError('x is not a function'), 1, 'fail'],
];

describe('decideAfterProbe', () => {
  test.each(rows.map(([label, error, attempts, kind, version]) => ({ label, error, attempts, kind, version })))(
    '$label -> $kind',
    ({ error, attempts, kind, version }) => {
      const decision = decideAfterProbe(error, attempts);
      expect(decision.kind).toBe(kind);
      if (decision.kind === 'retry') expect(decision.protocolVersion).toBe(version);
      if (decision.kind === 'fail') expect(decision.error).toBe(error);
    },
  );
});

describe('isDiscoverResult', () => {
  test.each([
    [{ supportedVersions: ['2026-07-28'], capabilities: {} }, true],
    [{ supportedVersions: [] }, true],
    [{}, false],
    [{ supportedVersions: '2026-07-28' }, false],
    [{ supportedVersions: [2026] }, false],
  ])('%j -> %s', (result, expected) => {
    expect(isDiscoverResult(result)).toBe(expected);
  });
});

describe('the era verdict cache', () => {
  afterEach(() => clearEraVerdicts());

  test('is keyed by origin and path, and the newest verdict wins', () => {
    rememberEraVerdict(new URL('http://127.0.0.1:9/mcp'), { era: 'legacy', protocolVersion: '2025-11-25', at: 1 });
    rememberEraVerdict(new URL('http://127.0.0.1:9/v2/mcp'), { era: 'modern', protocolVersion: '2026-07-28', at: 2 });
    expect(cachedEraVerdict(new URL('http://127.0.0.1:9/mcp'))?.era).toBe('legacy');
    expect(cachedEraVerdict(new URL('http://127.0.0.1:9/v2/mcp?x=1'))?.era).toBe('modern');
    expect(cachedEraVerdict(new URL('http://127.0.0.1:10/mcp'))).toBeUndefined();
    rememberEraVerdict(new URL('http://127.0.0.1:9/mcp'), { era: 'modern', protocolVersion: '2026-07-28', at: 3 });
    expect(cachedEraVerdict(new URL('http://127.0.0.1:9/mcp'))).toEqual({ era: 'modern', protocolVersion: '2026-07-28', at: 3 });
  });

  test('is bounded: the oldest endpoint is forgotten first', () => {
    for (let port = 1; port <= 300; port++) rememberEraVerdict(new URL(`http://127.0.0.1:${port}/mcp`), { era: 'modern', protocolVersion: '2026-07-28', at: port });
    expect(cachedEraVerdict(new URL('http://127.0.0.1:1/mcp'))).toBeUndefined();
    expect(cachedEraVerdict(new URL('http://127.0.0.1:300/mcp'))?.at).toBe(300);
  });
});
