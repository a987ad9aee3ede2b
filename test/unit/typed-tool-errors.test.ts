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
  test('suggests close names and lists the tools', () => {
    const error = createUnknownToolError('find_project', ['echo', 'find_projects']);
    expect(error).toBeInstanceOf(UnknownToolError);
    expect(error.message).toBe('Unknown tool "find_project"; did you mean "find_projects"? The server lists: echo, find_projects.');
    expect(error.suggestions).toEqual(['find_projects']);
    expect(error.availableTools).toEqual(['echo', 'find_projects']);
    expect(error.toolName).toBe('find_project');
  });

  test('lists every tool when nothing is close', () => {
    const error = createUnknownToolError('deploy', ['find_projects', 'echo']);
    expect(error.message).toBe('Unknown tool "deploy". The server lists: echo, find_projects.');
    expect(error.suggestions).toEqual([]);
  });

  test('quotes the first ten of many tools and counts the rest; keeps them all on the error', () => {
    const names = Array.from({ length: 25 }, (_, index) => `tool_${String(index).padStart(2, '0')}`);
    const error = createUnknownToolError('deploy', names);
    expect(error.message).toBe(`Unknown tool "deploy". The server lists: ${names.slice(0, 10).join(', ')} and 15 more.`);
    expect(error.availableTools).toHaveLength(25);
  });

  test('says so when the server lists no tools', () => {
    expect(createUnknownToolError('echo', []).message).toBe('Unknown tool "echo". The server lists no tools.');
  });
});
