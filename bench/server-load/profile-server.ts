/**
 * `npm run bench:server:profile`: one `archon-mcp serve` child (or the SDK baseline) under `node --cpu-prof`,
 * driven by the server bench's own loads (steady, then churn), stopped with SIGTERM so V8 writes the profile,
 * then summarised: self time by origin and function, and inclusive time of the session layer's functions.
 * Not a benchmark: profiling slows the child; read the shares, not the rates.
 *
 * Flags: --store=memory|file|pglite|postgres|redis|sdk (memory) --seconds=N per phase (5) --phases=steady,churn
 *        --top=N (30) --dir=DIR (bench/results/server-profile)
 */
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { summarizeProfile } from '../profile-summary';
import { inclusiveTimes } from './profile-inclusive';
import { startServerChild } from './server-child';
import { sdkTarget, storeTarget, type StoreId, type Target } from './targets';
import { openChurn, openSteady, type LoadShape } from './workloads';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const RESULTS = path.join(ROOT, 'bench/results');
const { values } = parseArgs({
  options: {
    store: { type: 'string', default: 'memory' },
    seconds: { type: 'string', default: '5' },
    phases: { type: 'string', default: 'steady,churn' },
    top: { type: 'string', default: '30' },
    dir: { type: 'string', default: path.join(RESULTS, 'server-profile') },
  },
});
const seconds = Number(values.seconds);
if (!Number.isFinite(seconds) || seconds <= 0) throw new TypeError(`Expected --seconds to be a positive number, got ${values.seconds}`);
const dir = values.dir ?? path.join(RESULTS, 'server-profile');
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
const paths = {
  cliPath: path.join(ROOT, 'dist/cli.js'),
  sdkBaselinePath: path.join(RESULTS, 'server-build/sdk-baseline-server.js'),
  probePath: path.join(RESULTS, 'server-build/child-probe.js'),
};
const shape: LoadShape = { sessions: 8, concurrency: 16, churnConcurrency: 8, warmupMs: 500, blockMs: seconds * 1_000, blocks: 1, idleSessions: 0 };

const target: Target | string = values.store === 'sdk' ? sdkTarget(paths) : await storeTarget(values.store as StoreId, paths);
if (typeof target === 'string') throw new Error(`${values.store}: ${target}`);
const launch = await target.launch();
const child = await startServerChild({ ...launch, args: [`--cpu-prof`, `--cpu-prof-dir=${dir}`, ...launch.args] });
let completed = 0;
try {
  for (const phase of (values.phases ?? '').split(',')) {
    const open = phase === 'churn' ? openChurn : openSteady;
    const load = await open(child, shape);
    const block = await load.measure(shape.blockMs);
    await load.close();
    completed += block.completed;
    console.log(`${phase}: ${block.completed} in ${block.elapsedMs.toFixed(0)} ms, ${(block.serverCpuMicros / Math.max(1, block.completed)).toFixed(0)} µs server CPU each, ${block.errors} errors`);
  }
} finally {
  await child.stop();
  await target.dispose();
}
const profiles = readdirSync(dir).filter((file) => file.endsWith('.cpuprofile'));
const main = profiles.find((file) => /\.0\.\d+\.cpuprofile$/.test(file)) ?? profiles[0];
if (main === undefined) throw new Error(`no profile written to ${dir}`);
const file = path.join(dir, main);
const top = Number(values.top);
console.log(await summarizeProfile(file, top, completed));
console.log(`\ninclusive time (server/ and the SDK's transport entry points):\n${await inclusiveTimes(file, top, completed)}`);
