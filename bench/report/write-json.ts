/** Writes the run as JSON (bench/results/latest.json by default) so notes can quote exact figures. */
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { dirname } from 'node:path';
import type { BenchConfig } from '../config';
import type { ServerKind } from '../server/protocol';
import type { WarningSummary } from '../warnings';
import type { ModeResults, ModeSummary, TargetCheck } from './summary';

export interface RunRecord {
  readonly started: Date;
  /** 1/5/15-minute load averages when the run started (the machine is shared: read the figures with them). */
  readonly loadAtStart: readonly number[];
  readonly config: BenchConfig;
  readonly server: ServerKind;
  readonly summaries: readonly ModeSummary[];
  readonly targets: readonly TargetCheck[];
  readonly warnings: readonly WarningSummary[];
  readonly results: readonly ModeResults[];
}

/** NaN/Infinity are not JSON: written as null. */
const finiteOrNull = (_key: string, value: unknown): unknown =>
  typeof value === 'number' && !Number.isFinite(value) ? null : value;

export async function writeResults(file: string, run: RunRecord): Promise<void> {
  const record = {
    started: run.started.toISOString(),
    finished: new Date().toISOString(),
    environment: {
      node: process.version,
      cores: availableParallelism(),
      cpu: cpus()[0]?.model,
      loadavgAtStart: run.loadAtStart,
      loadavgAtEnd: loadavg(),
      mcpClientFrom: run.config.archonEntry ?? 'src/index.ts',
      server: run.server,
      eventStore: false,
    },
    config: run.config,
    summary: run.summaries,
    targets: run.targets,
    warnings: run.warnings,
    rounds: run.results,
  };
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(record, finiteOrNull, 2)}\n`);
}
