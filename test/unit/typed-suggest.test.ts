import { describe, expect, test } from 'vitest';
import { suggestToolNames } from '../../src/typed/suggest';

const REFERENCE_TOOLS = [
  'echo',
  'health_check',
  'session_health_check',
  'find_projects',
  'slow',
  'counter',
  'fail',
  'test_reconnection',
];

describe('suggestToolNames', () => {
  test.each([
    ['a missing letter', 'find_project', ['find_projects']],
    ['swapped neighbours', 'ehco', ['echo']],
    ['one wrong letter', 'slaw', ['slow']],
    ['camelCase for snake_case', 'findProjects', ['find_projects']],
    ['kebab-case for snake_case', 'test-reconnection', ['test_reconnection']],
    ['different case', 'COUNTER', ['counter']],
  ])('suggests the intended tool for %s', (_label, typed, expected) => {
    expect(suggestToolNames(typed, REFERENCE_TOOLS)).toEqual(expected);
  });

  test('ranks typo matches before prefix matches', () => {
    expect(suggestToolNames('health', REFERENCE_TOOLS)).toEqual(['health_check', 'session_health_check']);
    expect(suggestToolNames('health_chek', REFERENCE_TOOLS)).toEqual(['health_check']);
  });

  test('offers a prefix match when the name is a truncation', () => {
    expect(suggestToolNames('find', REFERENCE_TOOLS)).toEqual(['find_projects']);
  });

  test('suggests nothing for an unrelated name', () => {
    expect(suggestToolNames('deploy_database', REFERENCE_TOOLS)).toEqual([]);
    expect(suggestToolNames('', REFERENCE_TOOLS)).toEqual([]);
  });

  test('returns at most `max` names, closest first, ties alphabetical', () => {
    const known = ['tool_c', 'tool_b', 'tool_a', 'tool_ab'];
    expect(suggestToolNames('tool_x', known)).toEqual(['tool_a', 'tool_b', 'tool_c']);
    expect(suggestToolNames('tool_x', known, 2)).toEqual(['tool_a', 'tool_b']);
    expect(suggestToolNames('tool_x', known, 0)).toEqual([]);
  });

  test('lists a duplicated server name once', () => {
    expect(suggestToolNames('ech', ['echo', 'echo'])).toEqual(['echo']);
  });

  test('rejects a negative or fractional max with a clear message', () => {
    expect(() => suggestToolNames('x', [], -1)).toThrow('Expected `max` to be a non-negative integer, got -1');
    expect(() => suggestToolNames('x', [], 1.5)).toThrow(TypeError);
  });
});
