import { execFileSync } from 'node:child_process';
import { getHeapStatistics } from 'node:v8';
import { describe, expect, test } from 'vitest';
import { LIVE_SESSION_HEAP_BYTES, sessionsTheHeapHolds } from '../../server/session-capacity';
import { resolveSessionLayerOptions, SESSION_HANDLER_DEFAULTS } from '../../server/session-options';

describe('the default maxSessions is what the process can hold', () => {
  test('half the heap limit at the live cost of a session', () => {
    expect(LIVE_SESSION_HEAP_BYTES).toBe(128 * 1024);
    expect(sessionsTheHeapHolds(4 * 1024 ** 3)).toBe(16_384);
    expect(sessionsTheHeapHolds(512 * 1024 ** 2)).toBe(2_048);
    expect(sessionsTheHeapHolds(1)).toBe(1);
  });

  test('unset: the declared 10,000, or fewer on a smaller heap; set: as given', () => {
    const derived = Math.min(SESSION_HANDLER_DEFAULTS.maxSessions, sessionsTheHeapHolds(getHeapStatistics().heap_size_limit));
    expect(resolveSessionLayerOptions({}).maxSessions).toBe(derived);
    expect(resolveSessionLayerOptions({ maxSessions: 50_000 }).maxSessions).toBe(50_000);
  });

  test('a process started with --max-old-space-size=256 accepts what its heap holds, far below 10,000', () => {
    const script =
      "import { getHeapStatistics } from 'node:v8'; import { resolveSessionLayerOptions } from './server/session-options.ts';" +
      ' console.log(JSON.stringify({ limit: getHeapStatistics().heap_size_limit, maxSessions: resolveSessionLayerOptions({}).maxSessions }));';
    const out = execFileSync(process.execPath, ['--max-old-space-size=256', '--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: new URL('../..', import.meta.url),
      encoding: 'utf8',
      timeout: 60_000,
    });
    const { limit, maxSessions } = JSON.parse(out.trim()) as { limit: number; maxSessions: number };
    // V8 adds its young generation to the limit it reports (Node 20: ~304 MiB, Node 24: ~448 MiB for 256).
    expect(limit).toBeLessThan(1024 ** 3);
    expect(maxSessions).toBe(Math.floor(limit / 2 / LIVE_SESSION_HEAP_BYTES));
    expect(maxSessions).toBeGreaterThanOrEqual(1_024);
    expect(maxSessions).toBeLessThan(4_096);
  });
});
