/**
 * `npm run bench:profile [-- bench flags]`: runs the bench for one mode (MCPClient unless `--only=` is given)
 * under `node --cpu-prof`, then prints where the client process spent its CPU, per origin and per function, in
 * microseconds per call. Only the bench process is profiled; the server child is forked without the flag.
 */
import { spawnSync } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { newestProfile, summarizeProfile } from './profile-summary';
import { parseBenchArgs } from './config';

const PROFILE_DIR = 'bench/results/profile';

async function main(): Promise<void> {
  const extra = process.argv.slice(2);
  const flags = [
    '--no-heap',
    '--no-sockets',
    '--out=none',
    ...(extra.some((a) => a.startsWith('--only=')) ? [] : ['--only=archon']),
    ...extra,
  ];
  const config = parseBenchArgs(flags);
  if (config.only?.length !== 1)
    throw new TypeError('bench:profile profiles one mode at a time: --only=archon|sdk|floor');
  await rm(PROFILE_DIR, { recursive: true, force: true });
  const run = spawnSync(
    process.execPath,
    ['--expose-gc', '--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`, '--import', 'tsx', 'bench/run.ts', ...flags],
    { stdio: 'inherit', timeout: 175_000 },
  );
  if (run.status !== 0) throw new Error(`bench exited with ${run.status ?? run.signal}`);
  // Calls made per round: the timed ones plus the warm-up (one checked call + two halves).
  const perRound = config.sequentialCalls + config.concurrentCalls + 1 + 2 * Math.ceil(config.warmupCalls / 2);
  const calls = perRound * config.rounds;
  process.stdout.write(`\n${await summarizeProfile(await newestProfile(PROFILE_DIR), 30, calls)}\n`);
  process.stdout.write(
    `\n(us/call = CPU over ${calls} calls incl. warm-up; includes bench-loop and module-loading time)\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
