import { describe, expect, test } from 'vitest';
import { isReplaySafe, type ReplayPolicy, type ReplaySafetyInput } from '../../src/retry/replay-safety';

const base = { policy: 'safe', trustAnnotations: true } as const satisfies Partial<ReplaySafetyInput>;

describe('isReplaySafe', () => {
  test.each([
    'initialize',
    'ping',
    'tools/list',
    'resources/list',
    'resources/read',
    'resources/templates/list',
    'resources/subscribe',
    'resources/unsubscribe',
    'prompts/list',
    'prompts/get',
    'completion/complete',
    'logging/setLevel',
  ])('%s is replay-safe under every policy', (method) => {
    for (const policy of ['safe', 'never', 'always'] as const) {
      expect(isReplaySafe({ method, policy, trustAnnotations: false })).toBe(true);
    }
  });

  test('an unannotated tools/call is not replay-safe', () => {
    expect(isReplaySafe({ ...base, method: 'tools/call' })).toBe(false);
  });

  test.each([
    [{ readOnlyHint: true }, true],
    [{ idempotentHint: true }, true],
    [{ readOnlyHint: false, idempotentHint: false }, false],
    [{}, false],
  ])('a trusted server annotating %o -> %s', (toolAnnotations, expected) => {
    expect(isReplaySafe({ ...base, method: 'tools/call', toolAnnotations })).toBe(expected);
  });

  test('annotations from an untrusted server are ignored (spec: annotations are untrusted)', () => {
    expect(
      isReplaySafe({ ...base, trustAnnotations: false, method: 'tools/call', toolAnnotations: { readOnlyHint: true } }),
    ).toBe(false);
  });

  test("the caller's idempotent: true makes a tools/call replay-safe, even on an untrusted server", () => {
    expect(isReplaySafe({ ...base, trustAnnotations: false, method: 'tools/call', idempotent: true })).toBe(true);
  });

  test("'never' refuses every tools/call, whatever the annotations or the caller say", () => {
    expect(
      isReplaySafe({
        method: 'tools/call',
        policy: 'never',
        trustAnnotations: true,
        toolAnnotations: { readOnlyHint: true, idempotentHint: true },
        idempotent: true,
      }),
    ).toBe(false);
  });

  test("'always' resends everything, unknown methods included", () => {
    expect(isReplaySafe({ method: 'tools/call', policy: 'always', trustAnnotations: false })).toBe(true);
    expect(isReplaySafe({ method: 'custom/doThing', policy: 'always', trustAnnotations: false })).toBe(true);
  });

  test.each<ReplayPolicy>(['safe', 'never'])('an unknown method is not replay-safe under %s', (policy) => {
    expect(isReplaySafe({ method: 'custom/doThing', policy, trustAnnotations: true, idempotent: true })).toBe(false);
  });
});
