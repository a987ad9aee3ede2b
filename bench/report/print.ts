/** Console rendering of the summary: the figures table, ratios against the SDK and the floor, the targets. */
import type { ModeId } from '../clients/types';
import type { ModeSummary, TargetCheck } from './summary';

const fmt = (value: number, digits: number): string =>
  Number.isFinite(value)
    ? value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
    : 'n/a';

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

export function renderFigures(summaries: readonly ModeSummary[]): string {
  return table(
    [
      'mode',
      'seq p50 ms',
      'seq p99 ms',
      'c16 calls/s',
      'CPU/call us (c16)',
      'CPU/call us (seq)',
      'server CPU/call us',
      'heap/idle client KB',
      'sockets open after close (server/client)',
      'same, beside another client',
      'failed calls',
    ],
    summaries.map((s) => [
      s.error === undefined ? s.label : `${s.label} (failed, see below)`,
      fmt(s.seqP50Ms, 3),
      fmt(s.seqP99Ms, 3),
      fmt(s.callsPerSecond, 0),
      fmt(s.cpuMicrosPerCall, 0),
      fmt(s.seqCpuMicrosPerCall, 0),
      fmt(s.serverCpuMicrosPerCall, 0),
      fmt(s.heapBytesPerClient / 1_000, 1),
      s.id === 'floor' ? 'n/a' : `${fmt(s.socketsOpenServerSide, 0)}/${fmt(s.socketsOpenClientSide, 0)}`,
      s.id === 'floor' ? 'n/a' : fmt(s.socketsOpenBesideAnotherClient, 0),
      String(s.callErrors),
    ]),
  );
}

/** Ratios of one mode against another: >1 means "more" (slower latency, more throughput, more CPU). */
export function renderRatios(byId: ReadonlyMap<ModeId, ModeSummary>): string {
  const pairs: [ModeId, ModeId][] = [
    ['archon', 'sdk'],
    ['archon', 'floor'],
    ['sdk', 'floor'],
  ];
  const rows = pairs.flatMap(([a, b]) => {
    const x = byId.get(a);
    const y = byId.get(b);
    if (x === undefined || y === undefined) return [];
    const r = (pick: (s: ModeSummary) => number): string => {
      const value = pick(x) / pick(y);
      return Number.isFinite(value) ? `${fmt(value, 2)}x` : 'n/a';
    };
    return [
      [
        `${x.label} / ${y.label}`,
        r((s) => s.seqP50Ms),
        r((s) => s.seqP99Ms),
        r((s) => s.callsPerSecond),
        r((s) => s.cpuMicrosPerCall),
        r((s) => s.seqCpuMicrosPerCall),
        r((s) => s.heapBytesPerClient),
      ],
    ];
  });
  return table(
    ['ratio', 'seq p50', 'seq p99', 'c16 calls/s', 'CPU/call (c16)', 'CPU/call (seq)', 'heap/idle client'],
    rows,
  );
}

export function renderTargets(checks: readonly TargetCheck[]): string {
  return table(
    ['MCPClient target', 'want', 'got', 'verdict'],
    checks.map((c) => [c.name, c.want, c.got, c.verdict]),
  );
}

/** Why a mode has no figures (it failed to load or mid-run), and the sporadic call failures it survived. */
export function renderErrors(summaries: readonly ModeSummary[]): string {
  return summaries
    .flatMap((s) => [
      ...(s.error === undefined ? [] : [`${s.label} failed: ${s.error}`]),
      ...(s.firstCallError === undefined
        ? []
        : [`${s.label}: ${s.callErrors} failed call(s), first: ${s.firstCallError}`]),
    ])
    .join('\n');
}
