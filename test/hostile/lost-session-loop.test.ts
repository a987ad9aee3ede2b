/**
 * Issue 9 case 2: recovery loops are rate-limited whatever step failed. An initialize that succeeds followed by
 * a stream that fails at once counts as a failure and backs off; more than N re-initializes in a window put the
 * client in a `degraded` state, with an event that reports the reason.
 *
 * Skipped: the recovery rate limit lives in the client core (src/client, src/session), which the dual-era work is
 * restructuring; it lands with the client-core follow-up, which only has to make this test pass.
 */
import { expect, test } from 'vitest';
import { MCPClient } from '../../src/index';
import { reportFigures, startLoopMonitor } from './support/loop-monitor';
import { startLostSessionServer } from './support/lost-session-server';

const IDLE_MS = 2_000;

test.skip('an idle client whose every session is lost at once re-initializes at a bounded rate and reports degraded', async () => {
  // reason: recovery rate limit lands with the client-core follow-up
  await using server = await startLostSessionServer();
  await using client = new MCPClient({ url: server.url });
  const states: string[] = [];
  client.on('state', ({ to }) => states.push(String(to)));
  const monitor = startLoopMonitor();
  await client.connect();
  await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
  const gaps = monitor.stop();
  const initializes = server.calls.get('initialize') ?? 0;
  const gets = server.httpRequests.get('GET') ?? 0;
  reportFigures('case 2 lost-session loop', { initializes, gets, ...gaps });
  // Backoff from the retry defaults (100 ms doubling, jittered) allows at most ~6 cycles in 2 s; 17,731 in 10 s before.
  expect(initializes).toBeLessThanOrEqual(8);
  expect(gets).toBeLessThanOrEqual(initializes + 1);
  expect(states).toContain('degraded');
  expect(gaps.maxBlockedMs).toBeLessThan(100);
});
