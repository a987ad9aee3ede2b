import { RE2JS } from 're2js';
import { describe, expect, test } from 'vitest';
import { SAFE_REGEXP_LIMITS, createSafeRegExpEngine, estimatePatternCost } from '../../src/typed/safe-regexp';
import { hasUniqueItems } from '../../src/typed/unique-items';
import { createOutputValidator } from '../../src/typed/validate-output';

describe('estimatePatternCost', () => {
  test.each([
    ['abc', 3],
    ['[a-z]{1,63}', 63 + 62],
    ['^(ab){10}$', 32],
    ['\\p{L}{3}', 3],
    ['(?:[a-z]{1,1000}|b){2}', 2 * (1000 + 999 + 5)],
  ])('%s costs about %i', (pattern, cost) => {
    expect(estimatePatternCost(pattern)).toBeGreaterThanOrEqual(cost - 3);
    expect(estimatePatternCost(pattern)).toBeLessThanOrEqual(cost + 3);
  });

  test('the estimate is not below the real RE2 program size for expanding patterns', () => {
    for (const pattern of ['[\\s\\S]{1000}[\\s\\S]{1000}', '(?:a{100}b{50}){5}', '^(?:[a-z]{1,100}){1,10}$']) {
      const program = (RE2JS.compile(pattern) as unknown as { re2Input: { prog: { inst: unknown[] } } }).re2Input.prog.inst.length;
      expect(estimatePatternCost(pattern)).toBeGreaterThanOrEqual(program * 0.9);
    }
  });
});

describe('createSafeRegExpEngine', () => {
  test('matches like RegExp.test for ordinary patterns', () => {
    const safe = createSafeRegExpEngine(RE2JS);
    safe.beginCompile();
    safe.beginValidation();
    expect(safe.engine('^[a-z]+$', 'u').test('abc')).toBe(true);
    expect(safe.engine('^[a-z]+$', 'u').test('ab1')).toBe(false);
    expect(safe.engine('b', 'u').test('abc')).toBe(true);
    expect(safe.skipped).toBe(0);
  });

  test('runs a catastrophic pattern in linear time', () => {
    const safe = createSafeRegExpEngine(RE2JS);
    safe.beginValidation();
    const started = performance.now();
    expect(safe.engine('^(a+)+$', 'u').test(`${'a'.repeat(36)}!`)).toBe(false);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  test('skips (passes) what RE2 cannot run, a program over the limit, and matches beyond the budget', () => {
    const safe = createSafeRegExpEngine(RE2JS);
    safe.beginCompile();
    safe.beginValidation();
    expect(safe.engine('(?=a)b', 'u').test('a')).toBe(true);
    expect(safe.engine('(a)\\1', 'u').test('ab')).toBe(true);
    expect(safe.engine(`[a-z]{${SAFE_REGEXP_LIMITS.maxPatternCost + 1}}`, 'u').test('1')).toBe(true);
    expect(safe.skipped).toBe(3);
    const pattern = safe.engine('^[0-9]{10}$', 'u');
    const affordable = Math.floor(SAFE_REGEXP_LIMITS.maxMatchCost / (estimatePatternCost('^[0-9]{10}$') + 1));
    expect(pattern.test('x'.repeat(affordable))).toBe(false); // within the budget: checked
    expect(pattern.test('x'.repeat(affordable))).toBe(true); // the budget is spent: skipped
    safe.beginValidation();
    expect(pattern.test('x')).toBe(false); // a new validation has a new budget
  });

  test('the patterns of one schema share a compile budget', () => {
    const safe = createSafeRegExpEngine(RE2JS);
    safe.beginCompile();
    const big = '[a-z]{1000}'.repeat(4); // 4,000 instructions: two fit in the 10,000 budget, not three
    expect(estimatePatternCost(big)).toBe(4_000);
    expect(safe.engine(big, 'u').test('1')).toBe(false);
    expect(safe.engine(big, 'u').test('1')).toBe(false);
    expect(safe.engine(big, 'u').test('1')).toBe(true); // the schema's budget is spent
    safe.beginCompile();
    expect(safe.engine(big, 'u').test('1')).toBe(false);
  });
});

describe('uniqueItems in linear time', () => {
  test.each([
    [[1, 2, 3], true],
    [[1, 1], false],
    [['1', 1], true],
    [[{ a: 1, b: 2 }, { b: 2, a: 1 }], false],
    [[[1, [2]], [1, [2]]], false],
    [[{ a: [1] }, { a: [2] }], true],
    [[null, false, 0, ''], true],
  ])('%j unique: %s', (items, unique) => {
    expect(hasUniqueItems(items)).toBe(unique);
  });

  test('300,000 distinct objects are checked in well under the pairwise cost', async () => {
    const validator = createOutputValidator();
    const items = Array.from({ length: 300_000 }, (_, index) => ({ index }));
    await expect(validator.validate({ type: 'array', uniqueItems: true }, items)).resolves.toEqual([]);
    await expect(validator.validate({ type: 'array', uniqueItems: true }, [...items, { index: 7 }])).resolves.toHaveLength(1);
  });

  test('data nested deeper than the stack is an issue, not a RangeError', async () => {
    let deep: unknown = 1;
    for (let depth = 0; depth < 100_000; depth++) deep = [deep];
    const issues = await createOutputValidator().validate({ type: 'array', uniqueItems: true }, [deep, 2]);
    expect(issues).toEqual([{ path: '', message: 'is nested too deeply to be checked against the outputSchema' }]);
  });
});
