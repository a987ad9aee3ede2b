/**
 * The root entry must not pull in the reference server, the CLI or the SDK's runtime: bundle it with
 * esbuild (tsup's own dependency) with packages external and assert the inputs.
 */
import { build } from 'esbuild';
import { expect, test } from 'vitest';

test('src/index.ts bundles without server/ or src/cli/ code', async () => {
  const result = await build({
    entryPoints: ['src/index.ts'],
    bundle: true,
    write: false,
    metafile: true,
    format: 'esm',
    platform: 'neutral',
    packages: 'external',
    logLevel: 'silent',
  });
  const inputs = Object.keys(result.metafile.inputs);
  expect(inputs).toContain('src/client/mcp-client.ts');
  expect(inputs.filter((input) => input.startsWith('server/'))).toEqual([]);
  expect(inputs.filter((input) => input.startsWith('src/cli/'))).toEqual([]);
  // The file token store (node:fs) is `archon-mcp-client/auth`, never part of the root entry.
  expect(inputs.filter((input) => input.startsWith('src/auth/file-'))).toEqual([]);
  const output = Object.values(result.metafile.outputs)[0];
  const imports = output?.imports ?? [];
  const staticImports = imports.filter((entry) => entry.kind === 'import-statement').map((entry) => entry.path);
  const dynamicImports = imports.filter((entry) => entry.kind === 'dynamic-import').map((entry) => entry.path);
  // Loading the root entry runs only eventsource-parser; the SDK is used for types only.
  expect(new Set(staticImports)).toEqual(new Set(['eventsource-parser']));
  // undici on the first request, ajv (and re2js, its linear-time pattern engine) on the first outputSchema check, the
  // optional @opentelemetry/api peer with tracing 'auto'/true, the SDK's zod schemas (@modelcontextprotocol/core) on the
  // first answer of an input handler, the SDK client's OAuth (`auth()`) when an authProvider runs a flow: never for
  // clients that skip them.
  expect(new Set(dynamicImports)).toEqual(
    new Set(['undici', 'ajv', 'ajv/dist/2020.js', 'ajv-formats', 're2js', '@opentelemetry/api', '@modelcontextprotocol/core', '@modelcontextprotocol/client']),
  );
});

test('the auth coordinator is reached only through import(): a client without authProvider never loads it', async () => {
  const result = await build({
    entryPoints: ['src/index.ts'],
    bundle: true,
    write: false,
    metafile: true,
    format: 'esm',
    platform: 'neutral',
    packages: 'external',
    logLevel: 'silent',
    splitting: true,
    outdir: 'out',
  });
  const outputs = result.metafile.outputs;
  const entry = Object.keys(outputs).find((path) => outputs[path]?.entryPoint === 'src/index.ts') ?? '';
  const eager = new Set([entry]);
  for (const path of eager) {
    for (const imported of outputs[path]?.imports ?? []) if (imported.kind === 'import-statement' && imported.path.startsWith('out/')) eager.add(imported.path);
  }
  const eagerInputs = [...eager].flatMap((path) => Object.keys(outputs[path]?.inputs ?? {}));
  expect(eagerInputs).toContain('src/client/client-auth.ts');
  expect(eagerInputs.filter((input) => /src\/auth\/(oauth|token)-coordinator|guarded-provider|load-oauth-sdk/.test(input))).toEqual([]);
  const lazy = Object.entries(outputs).find(([, output]) => output.entryPoint === 'src/auth/create-auth-coordinator.ts');
  expect(lazy?.[1].imports.filter((entry) => entry.kind === 'dynamic-import').map((entry) => entry.path)).toEqual(['@modelcontextprotocol/client']);
});
