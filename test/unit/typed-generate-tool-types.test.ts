import path from 'node:path';
import type { Tool } from '@modelcontextprotocol/client';
import ts from 'typescript';
import { describe, expect, test } from 'vitest';
import { generateToolTypes } from '../../src/typed/generate-tool-types';
import { typeCheck } from '../support/type-check';

const FIND_PROJECTS: Tool = {
  name: 'find_projects',
  title: 'Find projects',
  description: 'Find projects whose name matches the query.',
  annotations: { readOnlyHint: true, idempotentHint: true },
  inputSchema: {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    title: 'IgnoredRootTitle',
    properties: {
      query: { type: 'string', description: 'Text to match' },
      limit: { type: 'integer', minimum: 1 },
    },
    required: ['query'],
    additionalProperties: false,
  },
  outputSchema: {
    type: 'object',
    properties: {
      projects: { type: 'array', items: { $ref: '#/$defs/Project' } },
      total: { type: 'integer' },
    },
    required: ['projects', 'total'],
    $defs: {
      Project: {
        type: 'object',
        properties: { id: { type: 'string' }, status: { enum: ['active', 'archived'] } },
        required: ['id', 'status'],
      },
    },
  },
};

const ECHO: Tool = {
  name: 'echo',
  description: 'Echo the text back.',
  inputSchema: {
    $schema: 'http://json-schema.org/draft-07/schema#',
    type: 'object',
    properties: { text: { type: 'string' } },
    required: ['text'],
  },
  outputSchema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
};

const HEALTH_CHECK: Tool = { name: 'health-check', inputSchema: { type: 'object' } };

describe('generateToolTypes', () => {
  test('maps every tool to its args and result types, sorted by tool name', async () => {
    const source = await generateToolTypes([HEALTH_CHECK, FIND_PROJECTS, ECHO]);
    expect(source).toContain(
      [
        '  echo: {',
        '    args: EchoArgs;',
        '    result: EchoResult;',
        '  };',
      ].join('\n'),
    );
    const keys = [...source.matchAll(/^ {2}("?[\w-]+"?): \{$/gm)].map((match) => match[1]);
    expect(keys).toEqual(['echo', 'find_projects', '"health-check"']);
  });

  test('types a tool without outputSchema as result: undefined and an empty input as NoArguments', async () => {
    const source = await generateToolTypes([HEALTH_CHECK]);
    expect(source).toContain('  "health-check": {\n    args: HealthCheckArgs;\n    result: undefined;\n  };');
    expect(source).toContain('export type HealthCheckArgs = NoArguments;');
    // Declared once, with a module-local symbol key: only `{}` is accepted, and extras get a readable error.
    expect(source.match(/declare const noArguments: unique symbol;/g)).toHaveLength(1);
    expect(source).toContain('export type NoArguments = { readonly [noArguments]?: never };');
  });

  test('declares NoArguments only when a tool takes no arguments', async () => {
    expect(await generateToolTypes([ECHO])).not.toContain('NoArguments');
  });

  test('writes closed object types: no index signature unless the schema allows extra properties', async () => {
    const source = await generateToolTypes([FIND_PROJECTS]);
    expect(source).toContain('export type FindProjectsArgs = {\n  /**\n   * Text to match\n   */\n  query: string;\n  limit?: number;\n};');
    expect(source).not.toContain('[k: string]');
    const open = await generateToolTypes([{ ...ECHO, outputSchema: { type: 'object', additionalProperties: true } }]);
    expect(open).toContain('export type EchoResult = {\n  [k: string]: unknown;\n};');
  });

  test('names $defs after the tool and ignores the root title', async () => {
    const source = await generateToolTypes([FIND_PROJECTS]);
    expect(source).toContain('  projects: FindProjectsProject[];');
    expect(source).toContain('export type FindProjectsProject = {\n  id: string;\n  status: "active" | "archived";\n};');
    expect(source).not.toContain('IgnoredRootTitle');
  });

  test('keeps names unique when tools collide after PascalCase', async () => {
    const source = await generateToolTypes([
      { name: 'get_user', inputSchema: { type: 'object' } },
      { name: 'get-user', inputSchema: { type: 'object' } },
    ]);
    expect(source).toContain('export type GetUserArgs = NoArguments;');
    expect(source).toContain('export type GetUser2Args = NoArguments;');
  });

  test('puts title, description and annotations in the doc comment, escaping "*/"', async () => {
    const source = await generateToolTypes([{ ...FIND_PROJECTS, description: 'Finds */ projects.' }]);
    expect(source).toContain(
      [
        '  /**',
        '   * Find projects',
        '   *',
        '   * Finds *\\/ projects.',
        '   *',
        '   * Annotations: idempotentHint: true, readOnlyHint: true',
        '   */',
        '  find_projects: {',
      ].join('\n'),
    );
  });

  test('starts with a header naming the command and source, without a timestamp', async () => {
    const source = await generateToolTypes([ECHO], { source: 'http://127.0.0.1:8051/mcp' });
    expect(source.split('\n')[1]).toBe(' * MCP tool types generated by `archon-mcp types` from http://127.0.0.1:8051/mcp.');
    expect(source).not.toMatch(/\d{4}-\d{2}-\d{2}/);
  });

  test('is deterministic: the same tools in any order give the same text', async () => {
    const first = await generateToolTypes([ECHO, FIND_PROJECTS, HEALTH_CHECK]);
    const second = await generateToolTypes([HEALTH_CHECK, FIND_PROJECTS, ECHO]);
    expect(second).toBe(first);
  });

  test('writes pydantic (FastMCP) schemas with inline property types, naming only $defs and titled objects', async () => {
    const source = await generateToolTypes([
      {
        name: 'search',
        inputSchema: {
          title: 'searchArguments',
          type: 'object',
          properties: {
            query: { title: 'Query', type: 'string' },
            status: { anyOf: [{ $ref: '#/$defs/Status' }, { type: 'null' }], default: null },
          },
          required: ['query'],
          $defs: { Status: { enum: ['active', 'archived'], title: 'Status', type: 'string' } },
        },
      },
    ]);
    expect(source).toContain('export type SearchArgs = {\n  query: string;\n  status?: SearchStatus | null;\n};');
    expect(source).toContain('export type SearchStatus = "active" | "archived";');
    expect(source).not.toContain('SearchQuery');
  });

  test('does not follow external $refs (no file or network access)', async () => {
    const source = await generateToolTypes([
      { name: 'evil', inputSchema: { type: 'object', properties: { secret: { $ref: 'file:///etc/passwd' } } } },
    ]);
    expect(source).toContain('secret?: unknown;');
    expect(source).not.toContain('root:');
  });

  test('does not modify the tools it is given', async () => {
    const tool = structuredClone(FIND_PROJECTS);
    await generateToolTypes([tool]);
    expect(tool).toEqual(FIND_PROJECTS);
  });

  test('rejects duplicate tool names and a typeName that is not an identifier', async () => {
    await expect(generateToolTypes([ECHO, ECHO])).rejects.toThrow('Expected unique tool names, got "echo" twice');
    await expect(generateToolTypes([ECHO], { typeName: 'my-tools' })).rejects.toThrow(
      'Expected `typeName` to be a TypeScript identifier, got "my-tools"',
    );
  });

  test('emits a module that satisfies ToolMap and rejects wrong arguments and result fields', async () => {
    const generated = await generateToolTypes([FIND_PROJECTS, ECHO, HEALTH_CHECK], { typeName: 'ServerTools' });
    const usage = `
      import type { ServerTools } from './virtual-generated';
      import type { ToolArgs, ToolMap, ToolResult } from '../../src/typed/tool-map';
      type IsToolMap<T extends ToolMap> = T;
      export type Checked = IsToolMap<ServerTools>;
      export const good: ToolArgs<ServerTools, 'find_projects'> = { query: 'auth', limit: 2 };
      export const empty: ToolArgs<ServerTools, 'health-check'> = {};
      declare const result: ToolResult<ServerTools, 'find_projects'>;
      export const status: 'active' | 'archived' | undefined = result.structuredContent.projects[0]?.status;
      // @ts-expect-error misspelt argument
      export const misspelt: ToolArgs<ServerTools, 'find_projects'> = { qury: 'auth' };
      // @ts-expect-error wrong argument type
      export const wrongType: ToolArgs<ServerTools, 'echo'> = { text: 1 };
      // @ts-expect-error no arguments accepted
      export const extra: ToolArgs<ServerTools, 'health-check'> = { any: 1 };
      // @ts-expect-error undeclared result field
      export const missing = result.structuredContent.count;
    `;
    expect(typeCheck(import.meta.dirname, { 'virtual-generated.ts': generated, 'virtual-usage.ts': usage })).toEqual([]);
  }, 120_000); // a whole type-check program: seconds alone, tens of seconds on a loaded 2-core machine
});

