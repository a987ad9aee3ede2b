import { expect, test, vi } from 'vitest';

// Counts how often the heavy modules are evaluated, while keeping their real behaviour.
const loads = vi.hoisted(() => ({ ajv: 0, converter: 0 }));
vi.mock('ajv', async (importOriginal) => {
  loads.ajv++;
  // ajv is CommonJS: its module object is the Ajv class itself, with `Ajv` and `default` as own properties.
  return { ...(await importOriginal<Record<string, unknown>>()) };
});
vi.mock('json-schema-to-typescript', async (importOriginal) => {
  loads.converter++;
  return importOriginal();
});

test('importing src/typed and creating a validator loads neither ajv nor the type generator', async () => {
  const { createOutputValidator } = await import('../../src/typed/index');
  createOutputValidator();
  expect(loads).toEqual({ ajv: 0, converter: 0 });
});

test('the first validation loads ajv once; later validations reuse it', async () => {
  const { createOutputValidator } = await import('../../src/typed/validate-output');
  const validator = createOutputValidator();
  await Promise.all([
    validator.validate({ type: 'string' }, 'a'),
    validator.validate({ type: 'number' }, 1),
  ]);
  await validator.validate({ type: 'boolean' }, true);
  expect(loads.ajv).toBe(1);
});

test('generating types loads the converter on first use', async () => {
  const { generateToolTypes } = await import('../../src/typed/generate-tool-types');
  await generateToolTypes([{ name: 'echo', inputSchema: { type: 'object' } }]);
  expect(loads.converter).toBe(1);
});
