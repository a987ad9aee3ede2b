/**
 * STYLE.md 16: "a library first, a demo beside it; arrows point down demo -> library -> stores". The session
 * layer (everything under server/ but the reference server, the demo tools and the test layer) imports nothing
 * from the demo tools (server/mcp) or the test layer (server/testing); stores import nothing above them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';

const SERVER = resolve(import.meta.dirname, '../../server');
const IMPORT = /(?:from|import)\s*\(?\s*'(\.[^']+)'/g;

function sources(): string[] {
  return readdirSync(SERVER, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => join(SERVER, file));
}

/** Relative imports of `file`, as paths relative to server/. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(IMPORT)].map((match) => relative(SERVER, resolve(file, '..', match[1] ?? '')));
}

/** The demo, the test layer, and the two files that compose them with the library. */
const ABOVE_THE_LIBRARY = [/^mcp\//, /^testing\//, /^reference-server\.ts$/, /^reference-options\.ts$/, /^serve\.ts$/, /^index\.ts$/];

describe('the session layer depends on nothing above it', () => {
  const library = sources().filter((file) => !ABOVE_THE_LIBRARY.some((pattern) => pattern.test(relative(SERVER, file))));

  test('no library module imports the demo tools or the test layer', () => {
    expect(library.length).toBeGreaterThan(30);
    const offending = library.flatMap((file) =>
      importsOf(file)
        .filter((target) => /^(mcp|testing)\//.test(target) || /^reference-/.test(target))
        .map((target) => `${relative(SERVER, file)} -> ${target}`),
    );
    expect(offending).toEqual([]);
  });

  test('the stores import nothing but other store modules', () => {
    const stores = sources().filter((file) => relative(SERVER, file).startsWith('stores/'));
    const offending = stores.flatMap((file) =>
      importsOf(file)
        .filter((target) => !target.startsWith('stores/'))
        .map((target) => `${relative(SERVER, file)} -> ${target}`),
    );
    expect(offending).toEqual([]);
  });
});
