import { describe, expect, test } from 'vitest';
import { interfacesToTypeAliases } from '../../src/typed/interfaces-to-type-aliases';
import { isIdentifierName, NameRegistry, toPascalCase } from '../../src/typed/type-names';

describe('toPascalCase', () => {
  test.each([
    ['find_projects', 'FindProjects'],
    ['get-user.v2', 'GetUserV2'],
    ['sessionHealthCheck', 'SessionHealthCheck'],
    ['3d_render', 'Tool3dRender'],
    ['--', 'Tool'],
  ])('%s -> %s', (input, expected) => {
    expect(toPascalCase(input)).toBe(expected);
  });
});

describe('NameRegistry', () => {
  test('hands out each name once, numbering the repeats from 2', () => {
    const names = new NameRegistry();
    expect([names.claim('Project'), names.claim('Project'), names.claim('Project'), names.claim('Other')]).toEqual([
      'Project',
      'Project2',
      'Project3',
      'Other',
    ]);
  });
});

describe('isIdentifierName', () => {
  test('accepts bare keys and rejects names that need quotes', () => {
    expect(['echo', 'find_projects', '$x'].map(isIdentifierName)).toEqual([true, true, true]);
    expect(['health-check', '1st', 'a b', ''].map(isIdentifierName)).toEqual([false, false, false, false]);
  });
});

describe('interfacesToTypeAliases', () => {
  test('turns a multi-line interface into a type alias and leaves nested braces alone', () => {
    const input = ['export interface A {', '  b: {', '    c: string;', '  };', '}', ''].join('\n');
    expect(interfacesToTypeAliases(input)).toBe(['export type A = {', '  b: {', '    c: string;', '  };', '};', ''].join('\n'));
  });

  test('turns an empty interface into Record<string, never>', () => {
    expect(interfacesToTypeAliases('export interface Empty {}\n')).toBe('export type Empty = Record<string, never>;\n');
  });

  test('turns extends clauses into intersections', () => {
    expect(interfacesToTypeAliases('export interface A extends B, C {\n  x: 1;\n}')).toBe('export type A = B & C & {\n  x: 1;\n};');
    expect(interfacesToTypeAliases('export interface A extends B {}')).toBe('export type A = B;');
  });

  test('leaves type aliases untouched', () => {
    const input = 'export type A = "x" | "y";\n';
    expect(interfacesToTypeAliases(input)).toBe(input);
  });
});
