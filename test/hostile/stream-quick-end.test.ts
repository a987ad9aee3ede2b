/**
 * Issue 9 (stream reconnect rate): a notification stream that ends at once, or fails at once, reconnects at a
 * bounded rate in both eras. Measured before: a GET stream that sent `retry: 0` and ended at once got 62 GETs in
 * 500 ms, and a listen stream acknowledged then cut was re-sent after a full-jitter delay that could be 0. Now a
 * stream that lives less than 1 s (STABLE_STREAM_MS) counts as unstable and the reconnects back off like
 * failures (`computeLoopDelay`: 50, 100, 200, 400 ms at least with the defaults), `retry:` or not.
 */
import { describe, expect, test } from 'vitest';
import { MCPClient } from '../../src/index';
import { startHostileServer, startSse } from './support/hostile-server';
import { STACKS, reportFigures, startLoopMonitor } from './support/loop-monitor';
import { acknowledge, startModernHostileServer } from './support/modern-hostile-server';

const WINDOW_MS = 1_000;
/** At least 50 + 100 + 200 + 400 ms of waits between the first 5 streams: at most 5 in a second; 6 leaves room. */
const MAX_STREAMS_PER_WINDOW = 6;

async function idle(): Promise<{ maxBlockedMs: number; maxGapMs: number }> {
  const monitor = startLoopMonitor();
  await new Promise((resolve) => setTimeout(resolve, WINDOW_MS));
  return monitor.stop();
}

describe.each(STACKS)('legacy GET stream on the %s stack', (name, stack) => {
  test('a stream that sends retry: 0 and ends at once is reconnected at a bounded rate', async () => {
    await using server = await startHostileServer({ get: (_req, res) => void startSse(res).end('retry: 0\ndata: \n\n') });
    await using client = new MCPClient({ url: server.url, ...stack });
    await client.connect();
    const gaps = await idle();
    const gets = server.httpRequests.get('GET') ?? 0;
    reportFigures(`quick-end GET retry 0 (${name})`, { gets, ...gaps });
    expect(gets).toBeGreaterThanOrEqual(2);
    expect(gets).toBeLessThanOrEqual(MAX_STREAMS_PER_WINDOW);
    expect(gaps.maxBlockedMs).toBeLessThan(100);
  });

  test('a stream that fails at once (500) is reconnected at a bounded rate, whatever the random source draws', async () => {
    await using server = await startHostileServer({ get: (_req, res) => void res.writeHead(500).end() });
    await using client = new MCPClient({ url: server.url, ...stack, random: () => 0 });
    await client.connect();
    await idle();
    const gets = server.httpRequests.get('GET') ?? 0;
    reportFigures(`failing GET (${name})`, { gets });
    expect(gets).toBeLessThanOrEqual(MAX_STREAMS_PER_WINDOW);
  });
});

describe('modern listen stream', () => {
  test('a listen stream that is acknowledged and then cut at once is re-sent at a bounded rate, whatever the random source draws', async () => {
    await using server = await startModernHostileServer((request, res) => {
      acknowledge(res, request);
      setTimeout(() => res.socket?.destroy(), 5);
      return true;
    });
    await using client = new MCPClient({ url: server.url, random: () => 0 });
    await client.connect();
    expect(client.era).toBe('modern');
    const gaps = await idle();
    const listens = server.calls.get('subscriptions/listen') ?? 0;
    reportFigures('listen acknowledged then cut', { listens, ...gaps });
    expect(listens).toBeGreaterThanOrEqual(2);
    expect(listens).toBeLessThanOrEqual(MAX_STREAMS_PER_WINDOW);
    expect(gaps.maxBlockedMs).toBeLessThan(100);
  });

  test('a listen stream acknowledged with retry: 0 and ended at once waits at least a second each time', async () => {
    await using server = await startModernHostileServer((request, res) => {
      acknowledge(res, request, 0).end();
      return true;
    });
    await using client = new MCPClient({ url: server.url, random: () => 0 });
    await client.connect();
    await idle();
    const listens = server.calls.get('subscriptions/listen') ?? 0;
    reportFigures('quick-end listen retry 0', { listens });
    expect(listens).toBeLessThanOrEqual(2);
  });
});
