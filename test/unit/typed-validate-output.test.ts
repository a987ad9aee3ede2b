import { describe, expect, test } from 'vitest';
import { createOutputValidator } from '../../src/typed/validate-output';

/** What zod 4's `z.toJSONSchema` emits for a find_projects-like result. */
const PROJECTS_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  properties: {
    projects: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: { type: 'string', format: 'uuid' },
          name: { type: 'string', minLength: 1 },
          status: { enum: ['active', 'archived'] },
        },
        required: ['id', 'name', 'status'],
        additionalProperties: false,
      },
    },
    total: { type: 'integer', minimum: 0 },
  },
  required: ['projects', 'total'],
  additionalProperties: false,
};

const PROJECT = { id: '0b7f4f2e-3f7c-4b8e-9d3a-0c3a1f9d2e11', name: 'auth', status: 'active' };

describe('createOutputValidator', () => {
  test('finds no issue in conforming output', async () => {
    const validator = createOutputValidator();
    await expect(validator.validate(PROJECTS_SCHEMA, { projects: [PROJECT], total: 1 })).resolves.toEqual([]);
  });

  test('points at the offending value with a JSON Pointer', async () => {
    const validator = createOutputValidator();
    const issues = await validator.validate(PROJECTS_SCHEMA, {
      projects: [PROJECT, { ...PROJECT, name: 42 }],
      total: -1,
    });
    expect(issues).toEqual([
      { path: '/projects/1/name', message: 'must be string' },
      { path: '/total', message: 'must be >= 0' },
    ]);
  });

  test('points at a missing property itself, not at its parent', async () => {
    const validator = createOutputValidator();
    const issues = await validator.validate(PROJECTS_SCHEMA, { projects: [{ id: PROJECT.id, name: 'x' }], total: 1 });
    expect(issues).toEqual([{ path: '/projects/0/status', message: 'is required' }]);
  });

  test('reports an undeclared property and escapes "/" and "~" per RFC 6901', async () => {
    const validator = createOutputValidator();
    const issues = await validator.validate(PROJECTS_SCHEMA, { projects: [], total: 0, 'a/b~c': true });
    expect(issues).toEqual([{ path: '/a~1b~0c', message: 'is not declared in the schema (additionalProperties is false)' }]);
  });

  test('lists the allowed values of an enum', async () => {
    const validator = createOutputValidator();
    const issues = await validator.validate(PROJECTS_SCHEMA, { projects: [{ ...PROJECT, status: 'gone' }], total: 1 });
    expect(issues).toEqual([
      { path: '/projects/0/status', message: 'must be equal to one of the allowed values: "active", "archived"' },
    ]);
  });

  test('checks formats', async () => {
    const validator = createOutputValidator();
    const issues = await validator.validate(PROJECTS_SCHEMA, { projects: [{ ...PROJECT, id: 'nope' }], total: 1 });
    expect(issues).toEqual([{ path: '/projects/0/id', message: 'must match format "uuid"' }]);
  });

  test('reports missing structuredContent as one issue at the root', async () => {
    const validator = createOutputValidator();
    const issues = await validator.validate(PROJECTS_SCHEMA, undefined);
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toBe('');
    expect(issues[0]?.message).toMatch(/returned no structuredContent/);
  });

  test('resolves $ref into $defs (2020-12) and definitions (draft-07)', async () => {
    const validator = createOutputValidator();
    const modern = {
      type: 'object',
      properties: { owner: { $ref: '#/$defs/Person' } },
      $defs: { Person: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] } },
    };
    const legacy = {
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      properties: { owner: { $ref: '#/definitions/Person' } },
      definitions: { Person: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] } },
    };
    await expect(validator.validate(modern, { owner: {} })).resolves.toEqual([{ path: '/owner/name', message: 'is required' }]);
    await expect(validator.validate(legacy, { owner: {} })).resolves.toEqual([{ path: '/owner/name', message: 'is required' }]);
  });

  test('uses 2020-12 semantics when no $schema is given (prefixItems)', async () => {
    const validator = createOutputValidator();
    const schema = { type: 'object', properties: { pair: { type: 'array', prefixItems: [{ type: 'string' }, { type: 'number' }] } } };
    await expect(validator.validate(schema, { pair: ['a', 'b'] })).resolves.toEqual([{ path: '/pair/1', message: 'must be number' }]);
  });

  test('uses draft-07 semantics when the schema says so (tuple items)', async () => {
    const validator = createOutputValidator();
    const schema = {
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'array',
      items: [{ type: 'string' }, { type: 'number' }],
    };
    await expect(validator.validate(schema, ['a', 'b'])).resolves.toEqual([{ path: '/1', message: 'must be number' }]);
  });

  test('accepts two different schemas that reuse one $id', async () => {
    const validator = createOutputValidator();
    const first = { $id: 'https://example.com/result.json', type: 'object', properties: { a: { type: 'string' } }, required: ['a'] };
    const second = { $id: 'https://example.com/result.json', type: 'object', properties: { b: { type: 'number' } }, required: ['b'] };
    await expect(validator.validate(first, { a: 'x' })).resolves.toEqual([]);
    await expect(validator.validate(second, { b: 'x' })).resolves.toEqual([{ path: '/b', message: 'must be number' }]);
  });

  test('turns an uncompilable schema into one issue instead of throwing', async () => {
    const validator = createOutputValidator();
    const issues = await validator.validate({ type: 'object', properties: { a: { $ref: '#/$defs/Missing' } } }, { a: 1 });
    expect(issues).toHaveLength(1);
    expect(issues[0]?.message).toMatch(/outputSchema cannot be compiled/);
  });

  test('compiles each schema object once and reuses it', async () => {
    const validator = createOutputValidator();
    let reads = 0;
    // Counting reads of `type` on the root observes how often ajv walks the schema; a cache hit reads nothing.
    const schema = { properties: { n: { type: 'number' } } } as Record<string, unknown>;
    Object.defineProperty(schema, 'type', { enumerable: true, get: () => (reads++, 'object') });
    await validator.validate(schema, { n: 1 });
    const readsAfterFirstCompile = reads;
    expect(readsAfterFirstCompile).toBeGreaterThan(0);
    for (let i = 0; i < 5; i++) await validator.validate(schema, { n: i });
    expect(reads).toBe(readsAfterFirstCompile);
  });

  test('caps the number of issues', async () => {
    const validator = createOutputValidator({ maxIssues: 3 });
    const schema = { type: 'array', items: { type: 'string' } };
    const issues = await validator.validate(schema, [1, 2, 3, 4, 5, 6]);
    expect(issues.map((issue) => issue.path)).toEqual(['/0', '/1', '/2']);
  });

  test('rejects a non-positive maxIssues with a clear message', () => {
    expect(() => createOutputValidator({ maxIssues: 0 })).toThrow('Expected `maxIssues` to be a positive integer, got 0');
  });
});
