import { describe, expect, test } from 'vitest';
import { prepareSchemaForTypes } from '../../src/typed/prepare-schema';

/** What pydantic (FastMCP) emits for `def find_projects(query: str, title: str, status: Status | None = None)`. */
const PYDANTIC_ARGS = {
  title: 'find_projectsArguments',
  type: 'object',
  properties: {
    query: { title: 'Query', type: 'string' },
    title: { title: 'Title', type: 'string' },
    status: { anyOf: [{ $ref: '#/$defs/Status' }, { type: 'null' }], default: null },
    owner: { title: 'Owner', type: 'object', properties: { name: { title: 'Name', type: 'string' } } },
    tags: { title: 'Tags', type: 'array', items: { title: 'Tag', type: 'string' } },
  },
  required: ['query', 'title'],
  $defs: { Status: { enum: ['active', 'archived'], title: 'Status', type: 'string' } },
};

describe('prepareSchemaForTypes', () => {
  test('drops titles of the root and of non-object sub-schemas, keeps those of objects and property names', () => {
    expect(prepareSchemaForTypes(PYDANTIC_ARGS)).toEqual({
      type: 'object',
      properties: {
        query: { type: 'string' },
        title: { type: 'string' },
        status: { anyOf: [{ $ref: '#/$defs/Status' }, { type: 'null' }], default: null },
        owner: { title: 'Owner', type: 'object', properties: { name: { type: 'string' } } },
        tags: { type: 'array', items: { type: 'string' } },
      },
      required: ['query', 'title'],
      $defs: { Status: { enum: ['active', 'archived'], type: 'string' } },
    });
  });

  test('drops the root $id', () => {
    expect(prepareSchemaForTypes({ $id: 'https://example.com/args.json', type: 'object' })).toEqual({ type: 'object' });
  });

  test('replaces external $refs anywhere by an untyped schema and keeps local ones', () => {
    const prepared = prepareSchemaForTypes({
      type: 'object',
      properties: {
        local: { $ref: '#/$defs/X' },
        file: { $ref: 'file:///etc/passwd' },
        list: { type: 'array', items: [{ $ref: 'https://evil.example/schema.json' }] },
      },
      $defs: { X: { type: 'string' } },
    });
    expect(prepared.properties).toEqual({
      local: { $ref: '#/$defs/X' },
      file: { tsType: 'unknown', description: 'Typed as unknown: the external $ref "file:///etc/passwd" is not followed.' },
      list: {
        type: 'array',
        items: [{ tsType: 'unknown', description: 'Typed as unknown: the external $ref "https://evil.example/schema.json" is not followed.' }],
      },
    });
  });

  test('leaves its input untouched', () => {
    const input = structuredClone(PYDANTIC_ARGS);
    prepareSchemaForTypes(input);
    expect(input).toEqual(PYDANTIC_ARGS);
  });
});
