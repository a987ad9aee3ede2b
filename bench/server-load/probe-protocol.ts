/** IPC messages between the server bench and the probe preloaded into each server child. */

/** Bench -> child. */
export interface ProbeRequest {
  readonly type: 'probe';
  readonly id: number;
  /** Run a full GC before measuring memory. */
  readonly gc: boolean;
  /** Write a heap snapshot here (after the GC) and return its path. */
  readonly heapSnapshotPath?: string;
}

/** Child -> bench. */
export interface ProbeReply {
  readonly type: 'probe';
  readonly id: number;
  /** CPU time of the whole child since it started, user + system. */
  readonly cpuMicros: number;
  readonly rssBytes: number;
  readonly heapUsedBytes: number;
  readonly externalBytes: number;
  readonly heapSnapshot: string | undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** Narrows an IPC payload to a request from the bench. */
export function isProbeRequest(value: unknown): value is ProbeRequest {
  return isRecord(value) && value['type'] === 'probe' && typeof value['id'] === 'number' && typeof value['gc'] === 'boolean';
}

/** Narrows an IPC payload to a reply from the probe. */
export function isProbeReply(value: unknown): value is ProbeReply {
  return isRecord(value) && value['type'] === 'probe' && typeof value['id'] === 'number' && typeof value['cpuMicros'] === 'number';
}
