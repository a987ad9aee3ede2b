import type { Tool } from '@modelcontextprotocol/client';
import { describe, expect, test } from 'vitest';
import { OutputValidationError, UnknownToolError } from '../../src/errors/index';
import { checkToolOutput, createUnknownToolError } from '../../src/typed/tool-errors';
import { createOutputValidator } from '../../src/typed/validate-output';

const ECHO: Tool = {
  name: 'echo',
  inputSchema: { type: 'object' },
  outputSchema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'], additionalProperties: false },
};

describe('checkToolOutput', () => {
  test('resolves undefined for conforming output', async () => {
    const result = { content: [], structuredContent: { text: 'hi' } };
    await expect(checkToolOutput(createOutputValidator(), ECHO, result)).resolves.toBeUndefined();
  });

  test('builds an OutputValidationError that carries the issues and the result', async () => {
    const result = { content: [{ type: 'text' as const, text: '42' }], structuredContent: { text: 42, extra: true } };
    const error = await checkToolOutput(createOutputValidator(), ECHO, result);
    expect(error).toBeInstanceOf(OutputValidationError);
    expect(error?.message).toBe(
      'Tool echo returned output that does not match its outputSchema: /extra is not declared in the schema (additionalProperties is false); /text must be string',
    );
    expect(error?.issues).toHaveLength(2);
    expect(error?.result).toBe(result);
    expect(error?.toolName).toBe('echo');
  });

  test('reports missing structuredContent at the root', async () => {
    const error = await checkToolOutput(createOutputValidator(), ECHO, { content: [] });
    expect(error?.message).toMatch(/outputSchema: \(root\) is missing/);
  });

  test('quotes at most three issues in the message', async () => {
    const tool: Tool = { ...ECHO, outputSchema: { type: 'object', properties: { list: { type: 'array', items: { type: 'string' } } } } };
    const error = await checkToolOutput(createOutputValidator(), tool, { content: [], structuredContent: { list: [1, 2, 3, 4, 5] } });
    expect(error?.issues).toHaveLength(5);
    expect(error?.message).toMatch(/\/list\/2 must be string \(\+2 more\)$/);
  });

  test('skips tools without outputSchema, unknown tools and error results', async () => {
    const validator = createOutputValidator();
    const bad = { content: [], structuredContent: { text: 1 } };
    await expect(checkToolOutput(validator, { name: 'x', inputSchema: { type: 'object' } }, bad)).resolves.toBeUndefined();
    await expect(checkToolOutput(validator, undefined, bad)).resolves.toBeUndefined();
    await expect(checkToolOutput(validator, ECHO, { ...bad, isError: true })).resolves.toBeUndefined();
  });
});

describe('createUnknownToolError', () => {
  test('suggests close names', () => {
    const error = createUnknownToolError('find_project', ['echo', 'find_projects']);
    expect(error).toBeInstanceOf(UnknownToolError);
    expect(error.message).toBe('Unknown tool "find_project"; did you mean "find_projects"?');
    expect(error.suggestions).toEqual(['find_projects']);
    expect(error.toolName).toBe('find_project');
  });

  test('says how many tools exist when nothing is close', () => {
    const error = createUnknownToolError('deploy', ['echo', 'find_projects']);
    expect(error.message).toBe('Unknown tool "deploy" (the server lists 2 tools)');
    expect(error.suggestions).toEqual([]);
  });
});
