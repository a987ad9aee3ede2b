/**
 * Issue 9 case 3: numbers from the wire are clamped. Measured before the fix: `retry: 9999999999` on the GET
 * stream overflowed setTimeout (values above 2^31-1 run after 1 ms): 2,949 GETs in 5 s and a
 * TimeoutOverflowWarning. The reader now clamps `retry:` to 60 s (SSE_RETRY_MAX_MS).
 */
import { describe, expect, test } from 'vitest';
import { MCPClient } from '../../src/index';
import { startHostileServer, startSse } from './support/hostile-server';
import { STACKS, reportFigures, startLoopMonitor } from './support/loop-monitor';

describe.each(STACKS)('on the %s stack', (name, stack) => {
  test.each([
    ['9999999999', '9999999999'],
    ['2^31', '2147483648'],
    ['400 digits (Infinity)', '9'.repeat(400)],
  ])('retry: %s on a GET stream that ends waits the 60 s cap, not 1 ms', async (label, retry) => {
    const warnings: string[] = [];
    const onWarning = (warning: Error): void => {
      warnings.push(warning.name);
    };
    process.on('warning', onWarning);
    await using server = await startHostileServer({
      get: (_req, res) => {
        startSse(res).end(`id: 1\nretry: ${retry}\ndata: \n\n`);
      },
    });
    await using client = new MCPClient({ url: server.url, ...stack });
    await client.connect();
    const monitor = startLoopMonitor();
    await new Promise((resolve) => setTimeout(resolve, 500));
    const gaps = monitor.stop();
    process.off('warning', onWarning);
    const gets = server.httpRequests.get('GET') ?? 0;
    reportFigures(`case 3 retry ${label} (${name})`, { getsIn500ms: gets, ...gaps });
    expect(gets).toBe(1);
    expect(warnings).not.toContain('TimeoutOverflowWarning');
    expect(gaps.maxBlockedMs).toBeLessThan(100);
  });
});
