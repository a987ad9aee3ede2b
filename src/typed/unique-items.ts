/**
 * `uniqueItems` in O(total size): ajv compares items that are not all scalars pairwise, so a server's
 * 16 MB array of small distinct objects costs ~10^12 deep comparisons and freezes the event loop
 * (issue 9: every loop bounded). Here each item gets a canonical JSON key (object keys sorted, so
 * `{a:1,b:2}` equals `{b:2,a:1}` as JSON Schema's equality demands) and the keys go into a Set.
 */
import type { KeywordDefinition } from 'ajv';

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonical(record[key])}`).join(',')}}`;
  }
  // JSON numbers 1 and 1.0 parse to the same JS number, so JSON.stringify already agrees with the spec.
  return JSON.stringify(value) ?? 'null';
}

/**
 * True when no two items of `items` are equal as JSON values.
 *
 * @example
 * ```ts
 * hasUniqueItems([{ a: 1, b: 2 }, { b: 2, a: 1 }]); // false
 * ```
 */
export function hasUniqueItems(items: readonly unknown[]): boolean {
  // Scalars are their own keys (no serialization); objects and arrays go by canonical JSON, in a Set of their own.
  const scalars = new Set<unknown>();
  const structured = new Set<string>();
  for (const item of items) {
    const seen = typeof item === 'object' && item !== null ? structured : scalars;
    const key = seen === structured ? canonical(item) : item;
    if (seen.has(key as string)) return false;
    seen.add(key as string);
  }
  return true;
}

/**
 * The replacement keyword definition, registered after `ajv.removeKeyword('uniqueItems')`.
 *
 * @example
 * ```ts
 * ajv.removeKeyword('uniqueItems');
 * ajv.addKeyword(uniqueItemsKeyword);
 * ```
 */
export const uniqueItemsKeyword: KeywordDefinition = {
  keyword: 'uniqueItems',
  type: 'array',
  schemaType: 'boolean',
  errors: false,
  validate: (unique: boolean, data: unknown[]) => !unique || hasUniqueItems(data),
};
