import type { Tracer } from '@opentelemetry/api';
import { build } from 'esbuild';
import { expect, test, vi } from 'vitest';

// Counts evaluations of the optional peer while keeping its real behaviour.
const loads = vi.hoisted(() => ({ otel: 0 }));
vi.mock('@opentelemetry/api', async (importOriginal) => {
  loads.otel++;
  return importOriginal();
});

test('src/telemetry imports @opentelemetry/api only dynamically', async () => {
  const result = await build({
    entryPoints: ['src/telemetry/index.ts'],
    bundle: true,
    write: false,
    metafile: true,
    format: 'esm',
    platform: 'neutral',
    packages: 'external',
    logLevel: 'silent',
  });
  const imports = Object.values(result.metafile.outputs)[0]?.imports ?? [];
  const otel = imports.filter((entry) => entry.path === '@opentelemetry/api').map((entry) => entry.kind);
  expect(otel).toEqual(['dynamic-import']);
});

test('importing src/telemetry, an explicit tracer and tracing: false load nothing', async () => {
  const { createCallTracer } = await import('../../src/telemetry/index');
  createCallTracer({ tracing: false }).start('ping').end('ok');
  const tracer = { startSpan: () => ({}), startActiveSpan: () => undefined } as unknown as Tracer;
  createCallTracer({ tracer });
  await new Promise((resolve) => setTimeout(resolve, 10));
  expect(loads.otel).toBe(0);
});

test("tracing: 'auto' loads the API with one import shared by every client", async () => {
  const { createCallTracer } = await import('../../src/telemetry/index');
  const { loadOtelApi } = await import('../../src/telemetry/load-otel-api');
  expect(loadOtelApi()).toBe(loadOtelApi());
  const tracers = [createCallTracer({ tracing: 'auto' }), createCallTracer({ tracing: 'auto' })];
  await Promise.all(tracers.map((tracer) => tracer.pending));
  await createCallTracer({ tracing: true }).pending;
  expect(loads.otel).toBe(1);
  expect(tracers.map((tracer) => tracer.enabled)).toEqual([true, true]);
});
