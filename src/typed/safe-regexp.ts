/**
 * The regular-expression engine of output validation (issue 9 case 1). A server's `outputSchema` chooses
 * the pattern and the data: run with V8's backtracking engine, `pattern: "^(a+)+$"` against 36 `a`s and a
 * `!` froze the event loop past every timeout. Patterns (`pattern`, `patternProperties` keys,
 * `propertyNames.pattern`) run on RE2 (`re2js`, pure JS, loaded with ajv on first use), which matches in
 * time linear in the input, with a cost per character that grows with the size of the compiled pattern.
 * Both factors are bounded here, so a hostile schema costs a bounded amount of CPU per validation:
 *
 * - a pattern RE2 cannot run (lookaround, backreferences) or whose estimated program exceeds
 *   {@link SAFE_REGEXP_LIMITS}`.maxPatternCost` is not checked (the value passes that keyword);
 * - the patterns of one schema share a compile budget (`maxSchemaCost`); beyond it, patterns are not checked;
 * - one validation may spend `maxMatchCost` (program size x characters) on matching; a match that would
 *   exceed what is left is not performed (the value passes that keyword).
 *
 * These skips are documented (README "Typed tools"); real patterns (`^[a-z0-9-]{1,63}$` on short strings)
 * never come near the bounds.
 */
import type { RE2JS } from 're2js';

/**
 * The bounds of {@link createSafeRegExpEngine}, in units of estimated RE2 program instructions.
 *
 * @example
 * ```ts
 * console.log(SAFE_REGEXP_LIMITS.maxMatchCost); // 4000000
 * ```
 */
export const SAFE_REGEXP_LIMITS = {
  /** Largest estimated program of one pattern (measured: ~1.5-8 us of compile per instruction). */
  maxPatternCost: 5_000,
  /** Largest sum of estimated programs over the patterns of one schema. */
  maxSchemaCost: 10_000,
  /** Most matching work of one validation: program size x input length (measured: <= ~10 ns per unit). */
  maxMatchCost: 4_000_000,
} as const;

/** What ajv calls for each pattern: `(source, flags) => { test(input) }`, plus the `code` ajv records. */
type RegExpEngine = ((pattern: string, flags: string) => CheckedPattern) & { code: string };

/** A compiled (or skipped) pattern; ajv keys its cache of them by `toString()`. */
interface CheckedPattern {
  test(input: string): boolean;
  toString(): string;
}

/**
 * The regExp engine for ajv's `code.regExp` option and the budgets it draws on.
 *
 * @example
 * ```ts
 * const safe = createSafeRegExpEngine(RE2JS);
 * const ajv = new Ajv({ code: { regExp: safe.engine } });
 * safe.beginCompile();
 * const check = ajv.compile(schema);
 * safe.beginValidation();
 * check(value);
 * ```
 */
export interface SafeRegExpEngine {
  readonly engine: RegExpEngine;
  /** Resets the compile budget: call before compiling one schema. */
  beginCompile(): void;
  /** Resets the match budget: call before validating one value. */
  beginValidation(): void;
  /** Pattern checks skipped since the last `beginCompile`/`beginValidation` (for tests and diagnostics). */
  readonly skipped: number;
}

/**
 * An estimate of the RE2 program size of a JavaScript pattern, without compiling it: each atom costs 1, a
 * group the sum of its atoms, and a quantifier `{m,n}` makes `n` copies of its atom plus a split per optional
 * copy (within 10% of re2js's instruction count for the expanding patterns measured).
 *
 * @example
 * ```ts
 * estimatePatternCost('[a-z]{1,63}'); // 63
 * ```
 */
export function estimatePatternCost(pattern: string): number {
  const groups: number[] = [0];
  let last = 0; // cost of the atom just read, which a quantifier applies to
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i];
    if (char === '\\') {
      const next = pattern[i + 1];
      i++;
      // \p{...}, \P{...}, \u{...}, \k<...>: skip the braces so they are not read as a quantifier.
      if ((next === 'p' || next === 'P' || next === 'u') && pattern[i + 1] === '{') i = closing(pattern, i + 1, '}');
      last = 1;
    } else if (char === '[') {
      i = classEnd(pattern, i);
      last = 1;
    } else if (char === '(') {
      groups.push(0);
      last = 0;
      continue;
    } else if (char === ')') {
      last = (groups.length > 1 ? (groups.pop() as number) : 0) + 1;
    } else if (char === '{') {
      const match = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i, i + 24));
      if (match) {
        const min = Number(match[1]);
        // {m}: m copies; {m,n}: m copies and n-m optional ones, each with a split instruction; {m,}: a loop.
        const max = match[2] === undefined ? min : match[3] === '' ? min + 1 : Number(match[3]);
        const copies = Math.max(min, max, 1) * last + Math.max(0, max - min);
        const top = groups.length - 1;
        groups[top] = (groups[top] as number) - last + copies;
        i += match[0].length - 1;
        last = 0;
        continue;
      }
      last = 1;
    } else if (char === '*' || char === '+' || char === '?' || char === '|') {
      last = char === '|' ? 0 : 1;
    } else {
      last = 1;
    }
    const top = groups.length - 1;
    groups[top] = (groups[top] as number) + last;
  }
  return groups.reduce((sum, cost) => sum + cost, 0);
}

function closing(pattern: string, from: number, end: string): number {
  const at = pattern.indexOf(end, from);
  return at === -1 ? pattern.length : at;
}

function classEnd(pattern: string, from: number): number {
  for (let i = from + 1; i < pattern.length; i++) {
    if (pattern[i] === '\\') i++;
    else if (pattern[i] === ']' && i > from + 1) return i;
  }
  return pattern.length;
}

/**
 * Creates the engine on a loaded `RE2JS` class (passed in so that `re2js` stays a lazy import).
 *
 * @example
 * ```ts
 * const { RE2JS } = await import('re2js');
 * const safe = createSafeRegExpEngine(RE2JS);
 * ```
 */
export function createSafeRegExpEngine(re2: typeof RE2JS): SafeRegExpEngine {
  let compileLeft: number = SAFE_REGEXP_LIMITS.maxSchemaCost;
  let matchLeft: number = SAFE_REGEXP_LIMITS.maxMatchCost;
  let skipped = 0;
  const skip = (pattern: string): CheckedPattern => ({
    test(): boolean {
      skipped++;
      return true;
    },
    // ajv keys its cache of pattern objects by toString(); keep skipped and checked patterns apart.
    toString: () => `skipped:${pattern}`,
  });

  const compile = (pattern: string): CheckedPattern => {
    const cost = estimatePatternCost(pattern);
    if (cost > SAFE_REGEXP_LIMITS.maxPatternCost || cost > compileLeft) return skip(pattern);
    compileLeft -= cost;
    let compiled: RE2JS;
    try {
      compiled = re2.compile(re2.translateRegExp(pattern));
    } catch {
      // Syntax RE2 does not run in linear time (lookaround, backreferences) or that is invalid.
      return skip(pattern);
    }
    const weight = Math.max(cost, 1);
    return {
      test(input: string): boolean {
        const work = weight * input.length;
        if (work > matchLeft) {
          skipped++;
          return true;
        }
        matchLeft -= work;
        return compiled.test(input);
      },
      toString: () => `re2:${pattern}`,
    };
  };
  // ajv writes `code` into standalone output only; this engine is never used for standalone code.
  const engine: RegExpEngine = Object.assign(compile, { code: 'safeRegExp' });

  return {
    engine,
    beginCompile(): void {
      compileLeft = SAFE_REGEXP_LIMITS.maxSchemaCost;
      skipped = 0;
    },
    beginValidation(): void {
      matchLeft = SAFE_REGEXP_LIMITS.maxMatchCost;
      skipped = 0;
    },
    get skipped(): number {
      return skipped;
    },
  };
}
