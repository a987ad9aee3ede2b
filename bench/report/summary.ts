/** Reduces per-round results to one figure per mode (median of rounds), the ratios, and the targets. */
import type { ModeId } from '../clients/types';
import type { IdleHeapResult } from '../measure/idle-heap';
import type { SocketsResult } from '../measure/sockets-after-close';
import type { RoundResult } from '../round';
import { median } from '../stats';

/** Everything measured for one mode. */
export interface ModeResults {
  readonly id: ModeId;
  readonly label: string;
  readonly rounds: RoundResult[];
  heap?: IdleHeapResult;
  sockets?: SocketsResult;
  /** Same, while another client of the mode stays open (shared pools keep the closed client's idle sockets). */
  socketsBeside?: SocketsResult;
  /** Set when the mode could not be loaded or failed; it is then reported, not measured. */
  error?: string;
}

export interface ModeSummary {
  readonly id: ModeId;
  readonly label: string;
  readonly rounds: number;
  readonly seqP50Ms: number;
  readonly seqP99Ms: number;
  readonly callsPerSecond: number;
  /** Client CPU per call during the c16 phase (the target's figure). */
  readonly cpuMicrosPerCall: number;
  /** Client CPU per call during the sequential phase. */
  readonly seqCpuMicrosPerCall: number;
  readonly serverCpuMicrosPerCall: number;
  readonly heapBytesPerClient: number;
  readonly socketsOpenServerSide: number;
  readonly socketsOpenClientSide: number;
  readonly socketsOpenBesideAnotherClient: number;
  /** Failed calls over all rounds (tolerated up to a few per phase, see measure/call-errors.ts). */
  readonly callErrors: number;
  readonly firstCallError: string | undefined;
  readonly error: string | undefined;
}

export function summarize(mode: ModeResults): ModeSummary {
  const of = (pick: (r: RoundResult) => number): number => median(mode.rounds.map(pick));
  return {
    id: mode.id,
    label: mode.label,
    rounds: mode.rounds.length,
    seqP50Ms: of((r) => r.sequential.p50Ms),
    seqP99Ms: of((r) => r.sequential.p99Ms),
    callsPerSecond: of((r) => r.concurrent.callsPerSecond),
    cpuMicrosPerCall: of((r) => r.concurrent.cpuMicrosPerCall),
    seqCpuMicrosPerCall: of((r) => r.sequential.cpuMicrosPerCall),
    serverCpuMicrosPerCall: of((r) => r.serverCpuMicrosPerCall),
    heapBytesPerClient: mode.heap?.bytesPerClient ?? Number.NaN,
    socketsOpenServerSide: mode.sockets?.openServerSide ?? Number.NaN,
    socketsOpenClientSide: mode.sockets?.openClientSide ?? Number.NaN,
    socketsOpenBesideAnotherClient: mode.socketsBeside?.openServerSide ?? Number.NaN,
    callErrors: mode.rounds.reduce((sum, r) => sum + r.sequential.errors + r.concurrent.errors, 0),
    firstCallError: mode.rounds
      .map((r) => r.sequential.firstError ?? r.concurrent.firstError)
      .find((e) => e !== undefined),
    error: mode.error,
  };
}

export type Verdict = 'PASS' | 'FAIL' | 'n/a';

export interface TargetCheck {
  readonly name: string;
  readonly want: string;
  readonly got: string;
  readonly verdict: Verdict;
}

const fixed = (value: number, digits = 2): string => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');

const times = (value: number): string => (Number.isFinite(value) ? `${fixed(value)}x` : 'n/a');

function check(name: string, want: string, value: number, pass: (v: number) => boolean, shown: string): TargetCheck {
  return { name, want, got: shown, verdict: Number.isFinite(value) ? (pass(value) ? 'PASS' : 'FAIL') : 'n/a' };
}

/**
 * The issues' targets for MCPClient, against the SDK and the undici floor measured in the same run. Legacy:
 * issue 2's (vs the v1 SDK client); the floor target is 0.9 against the official SDK server (`--server=sdk`,
 * issue 8), 0.85 against the reference server, which caps every mode. Modern (issue 8, vs the v2 SDK client):
 * throughput >= 2x, CPU/call <= 0.4x, sequential p50 <= 0.6x, >= 0.9 of the modern floor.
 */
export function checkTargets(byId: ReadonlyMap<ModeId, ModeSummary>, era: 'legacy' | 'modern' = 'legacy', officialServer = false): TargetCheck[] {
  const want = era === 'modern' ? { thr: 2, floor: 0.9, cpu: 0.4, p50: 0.6 } : { thr: 2, floor: officialServer ? 0.9 : 0.85, cpu: 0.45, p50: 0.65 };
  const archon = byId.get('archon');
  const sdk = byId.get('sdk');
  const floor = byId.get('floor');
  const ratio = (a: number | undefined, b: number | undefined): number =>
    a === undefined || b === undefined ? Number.NaN : a / b;
  const thrSdk = ratio(archon?.callsPerSecond, sdk?.callsPerSecond);
  const thrFloor = ratio(archon?.callsPerSecond, floor?.callsPerSecond);
  const cpu = ratio(archon?.cpuMicrosPerCall, sdk?.cpuMicrosPerCall);
  const p50 = ratio(archon?.seqP50Ms, sdk?.seqP50Ms);
  const heapKb = (archon?.heapBytesPerClient ?? Number.NaN) / 1_000;
  const sockets = Math.max(archon?.socketsOpenServerSide ?? Number.NaN, archon?.socketsOpenClientSide ?? Number.NaN);
  return [
    check('throughput vs SDK', `>= ${want.thr}x`, thrSdk, (v) => v >= want.thr, times(thrSdk)),
    check('throughput vs undici floor', `>= ${want.floor}x`, thrFloor, (v) => v >= want.floor, times(thrFloor)),
    check('CPU per call vs SDK (c16)', `<= ${want.cpu}x`, cpu, (v) => v <= want.cpu, times(cpu)),
    check('sequential p50 vs SDK', `<= ${want.p50}x`, p50, (v) => v <= want.p50, times(p50)),
    check(
      'heap per idle client',
      '<= 40 KB',
      heapKb,
      (v) => v <= 40,
      Number.isFinite(heapKb) ? `${fixed(heapKb, 1)} KB` : 'n/a',
    ),
    check(
      'sockets open after close()',
      '0',
      sockets,
      (v) => v === 0,
      Number.isFinite(sockets) ? String(sockets) : 'n/a',
    ),
  ];
}
