/**
 * The response cache rules (spec 2026-07-28 server/utilities/caching): freshness by `ttlMs` from the moment a
 * result was stored, `private` results partitioned by the authorization headers, `public` ones shared, input
 * rounds never stored, wire numbers clamped, copies handed out, invalidation by notification, bounded size.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { MAX_CACHE_TTL_MS, ResponseCache, clearResponseCache } from '../../src/client/response-cache';

const url = new URL('http://127.0.0.1:9/mcp');
let now = 1_000;
const clock = (): number => now;
const cacheFor = (headers: Record<string, string> = {}, endpoint = url): ResponseCache => new ResponseCache(endpoint, headers, clock);
const list = (ttlMs: unknown, cacheScope?: string): Record<string, unknown> => ({ tools: [{ name: 'a' }, { name: 'b' }], resultType: 'complete', ttlMs, cacheScope });

afterEach(() => {
  clearResponseCache();
  now = 1_000;
});

describe('freshness', () => {
  test('a result is fresh for exactly ttlMs after it was stored', () => {
    const cache = cacheFor();
    cache.set('tools/list', undefined, list(500, 'public'));
    now += 499;
    expect(cache.get('tools/list', undefined)?.tools).toEqual([{ name: 'a' }, { name: 'b' }]);
    now += 1;
    expect(cache.get('tools/list', undefined)).toBeUndefined();
  });

  test.each([
    ['0 (immediately stale)', 0],
    ['negative', -5],
    ['absent (a legacy server)', undefined],
    ['not a number', '60000'],
    ['not finite', Number.POSITIVE_INFINITY],
  ])('ttlMs %s is never stored', (_label, ttlMs) => {
    const cache = cacheFor();
    cache.set('tools/list', undefined, list(ttlMs, 'public'));
    expect(cache.get('tools/list', undefined)).toBeUndefined();
  });

  test(`a huge ttlMs is clamped to ${MAX_CACHE_TTL_MS} ms`, () => {
    const cache = cacheFor();
    cache.set('tools/list', undefined, list(Number.MAX_SAFE_INTEGER, 'public'));
    now += MAX_CACHE_TTL_MS - 1;
    expect(cache.get('tools/list', undefined)).toBeDefined();
    now += 1;
    expect(cache.get('tools/list', undefined)).toBeUndefined();
  });
});

describe('keys and scopes', () => {
  test('method and parameters name an entry; key order and _meta do not matter', () => {
    const cache = cacheFor();
    cache.set('resources/read', { uri: 'x://a', extra: { b: 1, a: 2 } }, { contents: [], ttlMs: 100, cacheScope: 'public' });
    expect(cache.get('resources/read', { extra: { a: 2, b: 1 }, uri: 'x://a', _meta: { traceparent: 't' } })).toBeDefined();
    expect(cache.get('resources/read', { uri: 'x://b' })).toBeUndefined();
    expect(cache.get('resources/list', { uri: 'x://a', extra: { b: 1, a: 2 } })).toBeUndefined();
    expect(cache.get('tools/list', { cursor: 'page-2' })).toBeUndefined();
  });

  test('private results are served only to the same authorization headers; public ones to everyone', () => {
    const alice = cacheFor({ authorization: 'Bearer alice' });
    const bob = cacheFor({ authorization: 'Bearer bob' });
    const aliceAgain = cacheFor({ authorization: 'Bearer alice' });
    alice.set('resources/read', { uri: 'x://secret' }, { contents: [{ text: 'alice' }], ttlMs: 1_000, cacheScope: 'private' });
    alice.set('tools/list', undefined, list(1_000, 'public'));
    expect(bob.get('resources/read', { uri: 'x://secret' })).toBeUndefined();
    expect(aliceAgain.get('resources/read', { uri: 'x://secret' })?.contents).toEqual([{ text: 'alice' }]);
    expect(bob.get('tools/list', undefined)).toBeDefined();
  });

  test('a result without cacheScope is private (the safe side)', () => {
    cacheFor({ authorization: 'Bearer alice' }).set('tools/list', undefined, list(1_000));
    expect(cacheFor({ authorization: 'Bearer bob' }).get('tools/list', undefined)).toBeUndefined();
  });

  test('another endpoint never sees the entry', () => {
    cacheFor().set('tools/list', undefined, list(1_000, 'public'));
    expect(cacheFor({}, new URL('http://127.0.0.1:9/other')).get('tools/list', undefined)).toBeUndefined();
  });
});

describe('what is never stored', () => {
  test.each([
    ['a request that carried inputResponses', { uri: 'x://a', inputResponses: { k: {} } }, { contents: [], ttlMs: 1_000 }],
    ['a request that carried requestState', { uri: 'x://a', requestState: 's' }, { contents: [], ttlMs: 1_000 }],
    ['an input_required result', { uri: 'x://a' }, { resultType: 'input_required', requestState: 's', ttlMs: 1_000 }],
  ])('%s', (_label, params, result) => {
    const cache = cacheFor();
    cache.set('resources/read', params, result);
    cache.set('resources/read', { uri: 'x://a' }, { resultType: 'input_required', ttlMs: 1_000 });
    expect(cache.get('resources/read', { uri: 'x://a' })).toBeUndefined();
    expect(cache.get('resources/read', params)).toBeUndefined();
  });

  test('methods outside the cacheable set (tools/call, server/discover)', () => {
    const cache = cacheFor();
    cache.set('tools/call', { name: 'a' }, { content: [], ttlMs: 1_000 });
    cache.set('server/discover', undefined, { supportedVersions: [], ttlMs: 1_000 });
    expect(cache.get('tools/call', { name: 'a' })).toBeUndefined();
    expect(cache.get('server/discover', undefined)).toBeUndefined();
  });
});

describe('handing out and dropping entries', () => {
  test('each hit is a copy: a caller changing its result does not change the next one', () => {
    const cache = cacheFor();
    cache.set('tools/list', undefined, list(1_000, 'public'));
    (cache.get('tools/list', undefined)?.tools as unknown[]).pop();
    expect(cache.get('tools/list', undefined)?.tools).toHaveLength(2);
  });

  test('invalidate by method, by resource, or everything of the endpoint, across partitions', () => {
    const alice = cacheFor({ authorization: 'a' });
    const bob = cacheFor({ authorization: 'b' });
    alice.set('tools/list', undefined, list(1_000));
    bob.set('tools/list', undefined, list(1_000));
    alice.set('resources/read', { uri: 'x://1' }, { contents: [], ttlMs: 1_000 });
    alice.set('resources/read', { uri: 'x://2' }, { contents: [], ttlMs: 1_000 });
    alice.invalidate(['tools/list']);
    expect([alice.get('tools/list', undefined), bob.get('tools/list', undefined)]).toEqual([undefined, undefined]);
    alice.invalidate(['resources/read'], 'x://1');
    expect(alice.get('resources/read', { uri: 'x://1' })).toBeUndefined();
    expect(alice.get('resources/read', { uri: 'x://2' })).toBeDefined();
    alice.invalidate();
    expect(alice.get('resources/read', { uri: 'x://2' })).toBeUndefined();
  });

  test('the store is bounded: the oldest entry goes first', () => {
    const cache = cacheFor();
    for (let index = 0; index < 600; index++) cache.set('resources/read', { uri: `x://${index}` }, { contents: [], ttlMs: 1_000 });
    expect(cache.get('resources/read', { uri: 'x://0' })).toBeUndefined();
    expect(cache.get('resources/read', { uri: 'x://599' })).toBeDefined();
  });
});
