/**
 * A table that lists the same option, error code, flag or metric twice (issue #10: `tracing` and `tracer`
 * were in the options table twice, and every other docs test passed, since each checks presence only).
 * Every table of both READMEs is checked: its key column holds no value twice.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, test } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const FILES = ['README_MCP_CLIENT.md', 'README.md'] as const;

/**
 * Tables whose first column is a category (a log level) are keyed by their first two columns: the level
 * repeats, the message must not.
 */
const CATEGORY_HEADERS: ReadonlySet<string> = new Set(['level']);

interface Table {
  readonly line: number;
  readonly header: string;
  readonly keys: string[];
}

function cells(row: string): string[] {
  // `\|` inside a cell is an escaped pipe (e.g. `string \| URL`), not a column border.
  return row
    .replace(/\\\|/g, '\u0000')
    .split('|')
    .slice(1, -1)
    .map((cell) => cell.replace(/\u0000/g, '\\|').trim());
}

function tablesOf(markdown: string): Table[] {
  const lines = markdown.split('\n');
  const tables: Table[] = [];
  for (let index = 0; index < lines.length; index++) {
    const header = lines[index] ?? '';
    if (!header.startsWith('|') || !/^\|[\s:|-]+\|$/.test(lines[index + 1] ?? '')) continue;
    const width = CATEGORY_HEADERS.has(cells(header)[0] ?? '') ? 2 : 1;
    const keys: string[] = [];
    let row = index + 2;
    for (; lines[row]?.startsWith('|'); row++) keys.push(cells(lines[row] ?? '').slice(0, width).join(' | '));
    tables.push({ line: index + 1, header, keys });
    index = row;
  }
  return tables;
}

function duplicatesIn(markdown: string): string[] {
  return tablesOf(markdown).flatMap((table) => {
    const seen = new Set<string>();
    return table.keys.filter((key) => (seen.has(key) ? true : (seen.add(key), false))).map((key) => `line ${table.line}: ${key}`);
  });
}

describe('docs tables list each row once', () => {
  test.each(FILES)('%s has no duplicated row', (file) => {
    const markdown = readFileSync(resolve(ROOT, file), 'utf8');
    expect(tablesOf(markdown).length).toBeGreaterThan(file === 'README.md' ? 1 : 30);
    expect(duplicatesIn(markdown)).toEqual([]);
  });

  test('the check catches a duplicated option row, and a level table repeating only its level passes', () => {
    const options = '| Option | Type |\n|---|---|\n| `tracing` | `boolean` |\n| `tracer` | `Tracer` |\n| `tracing` | `boolean \\| \'auto\'` |\n';
    expect(duplicatesIn(options)).toEqual(['line 1: `tracing`']);
    const levels = '| level | message |\n|---|---|\n| `debug` | `a` |\n| `debug` | `b` |\n';
    expect(duplicatesIn(levels)).toEqual([]);
    expect(duplicatesIn(`${levels}| \`debug\` | \`a\` |\n`)).toEqual(['line 1: `debug` | `a`']);
  });
});
