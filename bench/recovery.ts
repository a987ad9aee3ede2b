/**
 * `npm run bench:recovery` (a measurement, not a test): the fault matrix's "server down 2 s, then back"
 * run RUNS times, printing p50/p90 of (first successful call - the moment the restarted server accepted
 * TCP connections). The issue's bar is 300 ms; the figure is mostly the client's probe cadence while
 * nothing listens (`retry.reconnectDelayMs`, 250 ms jittered by default), plus one re-initialize against a
 * freshly started process. The client runs on its default retry options with a budget of outage + 15 s.
 *
 * Options: `--runs N` (default 10), `--down-ms N` (default 2000).
 */
import { parseArgs } from 'node:util';
import { runServerOutage } from '../test/support/chaos-outage';
import { percentile } from './stats';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '10' },
    'down-ms': { type: 'string', default: '2000' },
  },
});
const runs = Number(values.runs);
const downMs = Number(values['down-ms']);
for (const [name, value] of [['--runs', runs], ['--down-ms', downMs]] as const) {
  if (!Number.isSafeInteger(value) || value <= 0) throw new TypeError(`Expected \`${name}\` to be a positive integer, got ${String(value)}`);
}

const figures: number[] = [];
let failedCalls = 0;
for (let run = 1; run <= runs; run++) {
  const outcome = await runServerOutage({
    downMs,
    client: { retry: { maxElapsedMs: downMs + 15_000 } },
  });
  failedCalls += outcome.failures.length;
  figures.push(outcome.firstSuccessAfterAcceptingMs);
  process.stderr.write(
    `run ${run}/${runs}: first success ${outcome.firstSuccessAfterAcceptingMs} ms after accepting; ` +
      `${outcome.failures.length}/${outcome.calls} calls failed${outcome.failures.length > 0 ? ` (${outcome.failures.join('; ')})` : ''}\n`,
  );
}

const sorted = [...figures].sort((a, b) => a - b);
const report = {
  scenario: `server down ${downMs} ms, then back`,
  runs,
  reconnectDelayMs: 250,
  p50Ms: percentile(sorted, 50),
  p90Ms: percentile(sorted, 90),
  minMs: sorted[0],
  maxMs: sorted[sorted.length - 1],
  failedCalls,
};
process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
