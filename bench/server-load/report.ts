/**
 * Summary and console tables of the server bench: per store, medians over rounds, ratios against the SDK
 * baseline measured alongside it in the same round (then the median of those ratios), and the issue-12
 * targets with PASS/FAIL. A miss is printed, never an exit code: this is a benchmark, not a test.
 */
import { median } from '../stats';
import type { RoundResult } from './paired-rounds';
import type { StoreId } from './targets';
import type { IdleResult } from './workloads';

/** Everything measured for one server. */
export interface TargetFigures {
  readonly id: StoreId | 'sdk';
  readyMs: number;
  idleRssBytes: number;
  idle?: IdleResult;
  /** Per round (the SDK's: every block it ran as someone's baseline). */
  rounds: Array<RoundResult | undefined>;
  /** The SDK baseline measured alongside, per round (stores only). */
  baseline: Array<RoundResult | undefined>;
  error?: string;
}

type Comparison = '>=' | '<=';
interface Target {
  readonly comparison: Comparison;
  readonly value: number;
}

/** Issue 12, "Speed": ratios against the SDK baseline. */
const RATIO_TARGETS: Record<'memory' | 'persistent', Partial<Record<'calls' | 'cpu' | 'churn' | 'p50', Target>>> = {
  memory: {
    calls: { comparison: '>=', value: 0.95 },
    cpu: { comparison: '<=', value: 1.15 },
    churn: { comparison: '>=', value: 0.9 },
    p50: { comparison: '<=', value: 1.1 },
  },
  persistent: {
    calls: { comparison: '>=', value: 0.85 },
    churn: { comparison: '>=', value: 0.5 },
    p50: { comparison: '<=', value: 1.2 },
  },
};
/** Issue 12, "Memory per session" and the embedded store's start-up. */
const HEAP_PER_IDLE_SESSION_TARGET: Target = { comparison: '<=', value: 16_000 };
const EMBEDDED_READY_TARGET: Target = { comparison: '<=', value: 1_500 };
const EMBEDDED_IDLE_RSS_TARGET: Target = { comparison: '<=', value: 150_000_000 };

export interface StoreSummary {
  id: StoreId | 'sdk';
  callsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  serverCpuMicrosPerCall: number;
  churnSessionsPerSecond: number;
  errors: number;
  /** Median over rounds of (this store / the SDK in the same round); absent for the SDK itself. */
  ratios?: { calls: number; p50: number; cpu: number; churn: number };
  heapBytesPerIdleSession: number;
  rssBytesPerIdleSession: number;
  readyMs: number;
  idleRssBytes: number;
  error?: string;
}

export function summarize(all: readonly TargetFigures[]): StoreSummary[] {
  return all.map((figures) => {
    const rounds = figures.rounds;
    const pick = (get: (round: RoundResult) => number) => median(rounds.map((round) => (round === undefined ? Number.NaN : get(round))));
    const ratio = (get: (round: RoundResult) => number) =>
      median(
        rounds.map((round, index) => {
          const base = figures.baseline[index];
          return round === undefined || base === undefined ? Number.NaN : get(round) / get(base);
        }),
      );
    return {
      id: figures.id,
      callsPerSecond: pick((r) => r.steady.callsPerSecond),
      p50Ms: pick((r) => r.steady.p50Ms),
      p99Ms: pick((r) => r.steady.p99Ms),
      serverCpuMicrosPerCall: pick((r) => r.steady.serverCpuMicrosPerCall),
      churnSessionsPerSecond: pick((r) => r.churn.sessionsPerSecond),
      errors: rounds.reduce((sum, round) => sum + (round === undefined ? 0 : round.steady.errors + round.churn.errors), 0),
      ...(figures.id !== 'sdk' && {
          ratios: {
            calls: ratio((r) => r.steady.callsPerSecond),
            p50: ratio((r) => r.steady.p50Ms),
            cpu: ratio((r) => r.steady.serverCpuMicrosPerCall),
            churn: ratio((r) => r.churn.sessionsPerSecond),
          },
        }),
      heapBytesPerIdleSession: figures.idle?.heapBytesPerSession ?? Number.NaN,
      rssBytesPerIdleSession: figures.idle?.rssBytesPerSession ?? Number.NaN,
      readyMs: figures.readyMs,
      idleRssBytes: figures.idleRssBytes,
      ...(figures.error !== undefined && { error: figures.error }),
    };
  });
}

const fmt = (value: number, digits: number): string =>
  Number.isFinite(value) ? value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : 'n/a';

function verdict(value: number, target: Target | undefined, digits = 2): string {
  if (target === undefined) return '';
  if (!Number.isFinite(value)) return ` (target ${target.comparison} ${fmt(target.value, digits)})`;
  const pass = target.comparison === '>=' ? value >= target.value : value <= target.value;
  return ` (${target.comparison} ${fmt(target.value, digits)} ${pass ? 'PASS' : 'FAIL'})`;
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

/** The speed table: figures with their ratio to the SDK and the target next to each. */
export function renderSpeed(summaries: readonly StoreSummary[]): string {
  return table(
    ['server', 'calls/s', 'p50 ms', 'p99 ms', 'server CPU/call µs', 'churn sessions/s', 'errors'],
    summaries.map((s) => {
      const targets = s.id === 'memory' ? RATIO_TARGETS.memory : RATIO_TARGETS.persistent;
      const withRatio = (value: number, digits: number, ratio: number | undefined, target: Target | undefined) =>
        ratio === undefined ? fmt(value, digits) : `${fmt(value, digits)} ${fmt(ratio, 2)}x${verdict(ratio, target)}`;
      return [
        s.id === 'sdk' ? 'official SDK (baseline)' : `archon serve, ${s.id}${s.error === undefined ? '' : ' (failed)'}`,
        withRatio(s.callsPerSecond, 0, s.ratios?.calls, targets.calls),
        withRatio(s.p50Ms, 2, s.ratios?.p50, targets.p50),
        fmt(s.p99Ms, 2),
        withRatio(s.serverCpuMicrosPerCall, 0, s.ratios?.cpu, targets.cpu),
        withRatio(s.churnSessionsPerSecond, 0, s.ratios?.churn, targets.churn),
        String(s.errors),
      ];
    }),
  );
}

/** Memory per idle session and the start-up of each server (the embedded default carries targets). */
export function renderMemory(summaries: readonly StoreSummary[], embedded: StoreId): string {
  return table(
    ['server', 'heap/idle session KB', 'RSS/idle session KB', 'ready ms (fresh)', 'idle RSS MB after start'],
    summaries.map((s) => {
      const isEmbedded = s.id === embedded;
      return [
        s.id === 'sdk' ? 'official SDK (baseline)' : `archon serve, ${s.id}${isEmbedded ? ' (serve default)' : ''}`,
        `${fmt(s.heapBytesPerIdleSession / 1_000, 1)}${s.id === 'sdk' ? '' : verdict(s.heapBytesPerIdleSession / 1_000, { ...HEAP_PER_IDLE_SESSION_TARGET, value: HEAP_PER_IDLE_SESSION_TARGET.value / 1_000 }, 0)}`,
        fmt(s.rssBytesPerIdleSession / 1_000, 1),
        `${fmt(s.readyMs, 0)}${isEmbedded ? verdict(s.readyMs, EMBEDDED_READY_TARGET, 0) : ''}`,
        `${fmt(s.idleRssBytes / 1e6, 0)}${isEmbedded ? verdict(s.idleRssBytes / 1e6, { ...EMBEDDED_IDLE_RSS_TARGET, value: EMBEDDED_IDLE_RSS_TARGET.value / 1e6 }, 0) : ''}`,
      ];
    }),
  );
}
