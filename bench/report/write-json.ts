/** Writes the run as JSON (bench/results/latest.json by default) so notes can quote exact figures. */
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { dirname } from 'node:path';
import type { BenchConfig } from '../config';
import type { ServerKind } from '../server/protocol';
import type { WarningSummary } from '../warnings';
import type { ModeResults, ModeSummary, TargetCheck } from './summary';

/** One era's section of the run. */
export interface SectionRecord {
  readonly era: 'legacy' | 'modern';
  /** The server of the section: the legacy section's `--server`, or `v2` (the official v2 SDK server). */
  readonly server: ServerKind | 'v2';
  readonly summaries: readonly ModeSummary[];
  readonly targets: readonly TargetCheck[];
  readonly results: readonly ModeResults[];
}

export interface RunRecord {
  readonly started: Date;
  /** 1/5/15-minute load averages when the run started (the machine is shared: read the figures with them). */
  readonly loadAtStart: readonly number[];
  readonly config: BenchConfig;
  readonly sections: readonly SectionRecord[];
  readonly warnings: readonly WarningSummary[];
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
      eventStore: false,
    },
    config: run.config,
    sections: run.sections.map((section) => ({
      era: section.era,
      server: section.server,
      summary: section.summaries,
      targets: section.targets,
      rounds: section.results,
    })),
    warnings: run.warnings,
  };
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(record, finiteOrNull, 2)}\n`);
}
