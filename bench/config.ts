/**
 * Bench settings, declared once. Counts follow the brief (300 warm-up, 2,000 sequential, 4,000 at c16, 100 idle
 * clients); every phase also has a time budget so a slow or stuck client cannot stretch the run past ~2.5 min.
 */
import type { ModeId } from './clients/types';
import type { ServerKind } from './server/protocol';

/** A protocol era the bench measures: legacy (2025-11-25, initialize) or modern (2026-07-28). */
export type BenchEra = 'legacy' | 'modern';

export interface BenchConfig {
  /** Rounds of the interleaved latency/throughput phases; figures are medians of rounds. */
  readonly rounds: number;
  readonly warmupCalls: number;
  readonly sequentialCalls: number;
  readonly concurrentCalls: number;
  readonly concurrency: number;
  /** Budget of one measured phase (one mode, one round). */
  readonly phaseDeadlineMs: number;
  /** Rounds are skipped once this much of the run has passed, so the report always gets written. */
  readonly roundsBudgetMs: number;
  readonly idleClients: number;
  readonly settleMs: number;
  readonly text: string;
  /** The legacy section's server; the modern section always runs the official v2 server. */
  readonly server: ServerKind;
  /** The sections to run, in order. */
  readonly eras: readonly BenchEra[];
  /** Modes to run; all when undefined. `--only=archon` is the profiling mode. */
  readonly only: readonly ModeId[] | undefined;
  readonly heap: boolean;
  readonly sockets: boolean;
  readonly outFile: string | undefined;
  /** A built ESM entry exporting MCPClient (e.g. dist/index.js); `src/index.ts` when undefined. */
  readonly archonEntry: string | undefined;
}

export const BENCH_DEFAULTS = {
  rounds: 5,
  warmupCalls: 300,
  sequentialCalls: 2_000,
  concurrentCalls: 4_000,
  concurrency: 16,
  phaseDeadlineMs: 15_000,
  roundsBudgetMs: 100_000,
  idleClients: 100,
  settleMs: 200,
  text: 'hello from the archon bench',
  server: 'reference',
  eras: ['legacy', 'modern'],
  only: undefined,
  heap: true,
  sockets: true,
  outFile: 'bench/results/latest.json',
  archonEntry: undefined,
} as const satisfies BenchConfig;

/** Hard stop for the whole process, whatever happens: two sections of well under 3 minutes each. */
export const RUN_WATCHDOG_MS = 340_000;

const MODE_IDS: readonly ModeId[] = ['archon', 'sdk', 'floor'];

function positiveInteger(name: string, raw: string): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0)
    throw new TypeError(`Expected \`--${name}\` to be a positive integer, got ${raw}`);
  return value;
}

/**
 * Reads `--rounds=N --server=reference|sdk --era=legacy|modern|both --only=archon,sdk --no-heap --no-sockets
 * --out=FILE|none --archon-entry=dist/index.js --calls-scale=0.25` (the last one shrinks the call counts, for a
 * quick check).
 */
export function parseBenchArgs(argv: readonly string[]): BenchConfig {
  let config: BenchConfig = { ...BENCH_DEFAULTS };
  for (const arg of argv) {
    const [flag = '', value = ''] = arg.replace(/^--/, '').split('=', 2);
    switch (flag) {
      case 'rounds':
        config = { ...config, rounds: positiveInteger(flag, value) };
        break;
      case 'server':
        if (value !== 'reference' && value !== 'sdk')
          throw new TypeError(`Expected \`--server\` to be reference or sdk, got ${value}`);
        config = { ...config, server: value };
        break;
      case 'era':
        if (value !== 'legacy' && value !== 'modern' && value !== 'both')
          throw new TypeError(`Expected \`--era\` to be legacy, modern or both, got ${value}`);
        config = { ...config, eras: value === 'both' ? ['legacy', 'modern'] : [value] };
        break;
      case 'only': {
        const ids = value.split(',');
        const unknown = ids.filter((id) => !MODE_IDS.includes(id as ModeId));
        if (unknown.length > 0)
          throw new TypeError(`Expected \`--only\` to list ${MODE_IDS.join('/')}, got ${unknown.join(',')}`);
        config = { ...config, only: ids as ModeId[] };
        break;
      }
      case 'no-heap':
        config = { ...config, heap: false };
        break;
      case 'no-sockets':
        config = { ...config, sockets: false };
        break;
      case 'out':
        config = { ...config, outFile: value === 'none' ? undefined : value };
        break;
      case 'archon-entry':
        config = { ...config, archonEntry: value };
        break;
      case 'calls-scale': {
        const scale = Number(value);
        if (!(scale > 0 && scale <= 1)) throw new TypeError(`Expected \`--calls-scale\` in (0, 1], got ${value}`);
        const scaled = (n: number): number => Math.max(1, Math.round(n * scale));
        config = {
          ...config,
          warmupCalls: scaled(config.warmupCalls),
          sequentialCalls: scaled(config.sequentialCalls),
          concurrentCalls: scaled(config.concurrentCalls),
          // idleClients is kept: with fewer than ~100 the heap delta drowns in GC noise (5 clients: -26..+30 KB).
        };
        break;
      }
      default:
        throw new TypeError(`Unknown bench flag ${arg}`);
    }
  }
  return config;
}
