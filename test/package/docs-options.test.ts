/**
 * README_MCP_CLIENT.md against the code: every option of `MCPClientOptions` (and of the nested `*Options`
 * interfaces it references, as `retry.retries`, `breaker.coolDownMs`), every per-call option, every
 * `ReferenceServerOptions` field and every `ClientStats` counter is documented, and each documented default
 * is the one declared in `MCP_CLIENT_DEFAULTS`, `RETRY_DEFAULTS` or `SERVER_DEFAULTS`.
 *
 * Option names come from the TypeScript compiler (the type checker resolves `Omit<...>`, unions with `false`
 * and re-exports), not from a list kept here, so an option added to the code without docs fails this test.
 * The last test proves that by adding one to an in-memory copy of the source.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import ts from 'typescript';
import { beforeAll, describe, expect, test } from 'vitest';
import { OAUTH_RESOURCE_DEFAULTS, SERVER_DEFAULTS } from '../../server/index';
import { MCP_CLIENT_DEFAULTS } from '../../src/index';
import { RETRY_DEFAULTS } from '../../src/retry/index';
import { AUTH_COORDINATOR_DEFAULTS } from '../../src/auth/index';

const ROOT = resolve(import.meta.dirname, '../..');
const README = readFileSync(resolve(ROOT, 'README_MCP_CLIENT.md'), 'utf8');

/** The file under `directory` that declares `interface name`, so the test follows a declaration that moves. */
function fileDeclaring(directory: string, name: string): string {
  const files = readdirSync(resolve(ROOT, directory), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => resolve(ROOT, directory, file))
    .filter((file) => new RegExp(`^export interface ${name}\\b`, 'm').test(readFileSync(file, 'utf8')));
  if (files.length !== 1 || files[0] === undefined) throw new Error(`expected one file declaring ${name} under ${directory}, found ${files.length}`);
  return files[0];
}

const CLIENT_OPTIONS = fileDeclaring('src', 'MCPClientOptions');
const RETRY_OPTIONS = fileDeclaring('src', 'RetryOptions');
const PER_CALL_OPTIONS = ['RequestOptions', 'CallToolOptions', 'ListOptions', 'ListToolsOptions'] as const;
const CLIENT_STATS = fileDeclaring('src', 'ClientStats');
const SERVER_OPTIONS = fileDeclaring('server', 'ReferenceServerOptions');

function compilerOptions(): ts.CompilerOptions {
  const configPath = resolve(ROOT, 'tsconfig.json');
  const config = ts.readConfigFile(configPath, (path) => ts.sys.readFile(path));
  return ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT).options;
}

/** A program over `files`, with some files' text replaced in memory. */
function createProgram(files: readonly string[], overrides: ReadonlyMap<string, string> = new Map()): ts.Program {
  const options = compilerOptions();
  const host = ts.createCompilerHost(options);
  const original = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
    const text = overrides.get(resolve(fileName));
    return text === undefined ? original(fileName, languageVersion, onError, shouldCreate) : ts.createSourceFile(fileName, text, languageVersion, true);
  };
  return ts.createProgram({ rootNames: [...files], options, host });
}

function isOptionsInterfaceMember(declaration: ts.Declaration): boolean {
  return ts.isPropertySignature(declaration) && ts.isInterfaceDeclaration(declaration.parent) && declaration.parent.name.text.endsWith('Options');
}

/**
 * The property names of interface `name` in `file`, and `parent.child` for each property whose type (minus
 * `undefined`/`false`) is an object whose members are declared in one of our `*Options` interfaces.
 */
function optionNames(program: ts.Program, name: string): string[] {
  const checker = program.getTypeChecker();
  const declaration = program
    .getSourceFiles()
    .filter((source) => !source.fileName.includes('/node_modules/'))
    .flatMap((source) => source.statements.filter((node): node is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(node) && node.name.text === name))[0];
  if (declaration === undefined) throw new Error(`interface ${name} not found`);
  const names: string[] = [];
  for (const property of checker.getPropertiesOfType(checker.getTypeAtLocation(declaration.name))) {
    names.push(property.name);
    const type = checker.getNonNullableType(checker.getTypeOfSymbolAtLocation(property, declaration));
    for (const member of type.isUnion() ? type.types : [type]) {
      if (!(member.flags & ts.TypeFlags.Object) || member.getCallSignatures().length > 0) continue;
      const nested = checker.getPropertiesOfType(member);
      if (nested.length === 0 || !nested.every((inner) => (inner.declarations ?? []).some(isOptionsInterfaceMember))) continue;
      for (const inner of nested) names.push(`${property.name}.${inner.name}`);
    }
  }
  return names;
}

/** Names that README_MCP_CLIENT.md never shows in code font. */
function undocumented(names: readonly string[]): string[] {
  return names.filter((name) => !README.includes(`\`${name}\``));
}

/** The first table after the heading line `heading`: first-column name -> cells by header. */
function tableAfter(heading: string): Map<string, Record<string, string>> {
  const lines = README.split('\n');
  const start = lines.indexOf(heading);
  if (start === -1) throw new Error(`README_MCP_CLIENT.md has no heading "${heading}"`);
  let index = start + 1;
  while (index < lines.length && !lines[index]?.startsWith('|')) index++;
  const cells = (line: string): string[] =>
    line.trim().replace(/^\|/, '').replace(/\|$/, '').split(/(?<!\\)\|/).map((cell) => cell.trim());
  const header = cells(lines[index] ?? '');
  const rows = new Map<string, Record<string, string>>();
  for (index += 2; lines[index]?.startsWith('|'); index++) {
    const row = cells(lines[index] ?? '');
    const key = /`([^`]+)`/.exec(row[0] ?? '')?.[1];
    if (key !== undefined) rows.set(key, Object.fromEntries(header.map((column, position) => [column, row[position] ?? ''])));
  }
  return rows;
}

/** Whether a "Default" cell states `value` (`60_000` reads as 60000; strings quoted; functions by name). */
function statesDefault(cell: string, value: unknown): boolean {
  const text = cell.replace(/`/g, '').replace(/(\d)_(?=\d)/g, '$1');
  if (typeof value === 'number') return new RegExp(`(^|[^\\d.])${value}(?![\\d.])`).test(text);
  if (typeof value === 'string') return text.includes(`'${value}'`);
  if (typeof value === 'boolean') return new RegExp(`\\b${value}\\b`).test(text);
  if (typeof value === 'function') return text.includes(value.name);
  if (Array.isArray(value)) return value.length === 0 ? text.includes('[]') : value.every((item) => statesDefault(cell, item));
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value);
    return entries.length === 0 ? text.includes('{}') : entries.every(([key, inner]) => text.includes(key) && statesDefault(cell, inner));
  }
  return false;
}

/** Rows whose "Default" cell does not state the declared default, as `name: cell (declared value)`. */
function wrongDefaults(heading: string, defaults: Readonly<Record<string, unknown>>, prefix = ''): string[] {
  const table = tableAfter(heading);
  return Object.entries(defaults).flatMap(([name, value]) => {
    const cell = table.get(`${prefix}${name}`)?.['Default'];
    if (cell !== undefined && statesDefault(cell, value)) return [];
    return [`${prefix}${name}: ${cell ?? '(no row)'} (declared ${typeof value === 'function' ? value.name : JSON.stringify(value)})`];
  });
}

let program: ts.Program;

beforeAll(() => {
  const perCall = PER_CALL_OPTIONS.map((name) => fileDeclaring('src', name));
  program = createProgram([...new Set([CLIENT_OPTIONS, ...perCall, CLIENT_STATS, SERVER_OPTIONS])]);
});

describe('README_MCP_CLIENT.md documents every option', () => {
  test('every MCPClientOptions option, retry.* and breaker.* included', () => {
    const names = optionNames(program, 'MCPClientOptions');
    expect(names).toContain('retry.maxElapsedMs'); // the nested interfaces were found
    expect(names).toContain('breaker.coolDownMs');
    expect(names).not.toContain('breaker.now'); // Omit<CircuitBreakerOptions, 'now'> was resolved
    expect(undocumented(names)).toEqual([]);
  });

  test('every per-call option', () => {
    const names = PER_CALL_OPTIONS.flatMap((name) => optionNames(program, name));
    expect(names.length).toBeGreaterThanOrEqual(7);
    expect(undocumented(names)).toEqual([]);
  });

  test('every ClientStats counter', () => {
    const names = optionNames(program, 'ClientStats');
    expect(names).toContain('replaysRefused');
    expect(undocumented(names)).toEqual([]);
  });

  test('every ReferenceServerOptions field', () => {
    const names = optionNames(program, 'ReferenceServerOptions');
    expect(names).toContain('sessionTtlMs');
    expect(undocumented(names)).toEqual([]);
  });
});

describe('README_MCP_CLIENT.md states the declared defaults', () => {
  test('MCP_CLIENT_DEFAULTS in the "Client options" table', () => {
    const { clientInfo, breaker, ...scalars } = MCP_CLIENT_DEFAULTS;
    expect(wrongDefaults('## Client options', scalars)).toEqual([]);
    // The version is the package's, which the docs name rather than pin.
    expect(tableAfter('## Client options').get('clientInfo')?.['Default']).toContain(`'${clientInfo.name}'`);
    expect(wrongDefaults('### breaker', breaker, 'breaker.')).toEqual([]);
  });

  test('RETRY_DEFAULTS in the "retry" table', () => {
    expect(wrongDefaults('### retry', RETRY_DEFAULTS, 'retry.')).toEqual([]);
  });

  test('AUTH_COORDINATOR_DEFAULTS in the "auth" table', () => {
    expect(wrongDefaults('### auth', AUTH_COORDINATOR_DEFAULTS, 'auth.')).toEqual([]);
  });

  test('SERVER_DEFAULTS in the "Server options" table', () => {
    expect(wrongDefaults('### Server options', SERVER_DEFAULTS)).toEqual([]);
  });

  test('OAUTH_RESOURCE_DEFAULTS in the "OAuth resource server" table', () => {
    // The algorithm list is long; the cell names the families, and the values are checked against them.
    const { algorithms, ...rest } = OAUTH_RESOURCE_DEFAULTS;
    expect(wrongDefaults('### OAuth resource server', rest, 'oauth.')).toEqual([]);
    expect(tableAfter('### OAuth resource server').get('oauth.algorithms')?.['Default']).toBe('every RS, PS, ES and EdDSA algorithm');
    expect(algorithms.every((alg) => /^(RS|PS|ES)\d{3}$|^EdDSA$|^Ed25519$/.test(alg))).toBe(true);
  });

  test('a documented default that disagrees with the code is reported', () => {
    expect(wrongDefaults('## Client options', { timeoutMs: 61_000 })).toEqual(['timeoutMs: `60_000` (declared 61000)']);
  });
});

describe('the check fails for an option added without docs', () => {
  test('a new top-level option and a new retry option are reported', () => {
    const clientSource = readFileSync(CLIENT_OPTIONS, 'utf8');
    const retrySource = readFileSync(RETRY_OPTIONS, 'utf8');
    const anchor = 'export interface MCPClientOptions {';
    const retryAnchor = 'export interface RetryOptions {';
    expect(clientSource).toContain(anchor);
    expect(retrySource).toContain(retryAnchor);
    const mutated = createProgram(
      [CLIENT_OPTIONS],
      new Map([
        [CLIENT_OPTIONS, clientSource.replace(anchor, `${anchor}\n  undocumentedBudgetMs?: number;`)],
        [RETRY_OPTIONS, retrySource.replace(retryAnchor, `${retryAnchor}\n  undocumentedJitter?: number;`)],
      ]),
    );
    const names = optionNames(mutated, 'MCPClientOptions');
    // arrayContaining: an option someone added to the real file minutes ago must not break this proof.
    expect(undocumented(names)).toEqual(expect.arrayContaining(['undocumentedBudgetMs', 'retry.undocumentedJitter']));
  });
});
