/** Order statistics for the bench: nearest-rank percentiles and the median of rounds. */

/** Nearest-rank percentile of an ascending-sorted array; NaN when empty. */
export function percentile(sortedAscending: readonly number[], p: number): number {
  if (sortedAscending.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sortedAscending.length);
  return sortedAscending[Math.min(sortedAscending.length, Math.max(1, rank)) - 1] ?? Number.NaN;
}

/** Median of per-round figures (NaN entries, from skipped rounds, are ignored). */
export function median(values: readonly number[]): number {
  const finite = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (finite.length === 0) return Number.NaN;
  const middle = Math.floor(finite.length / 2);
  return finite.length % 2 === 1
    ? (finite[middle] ?? Number.NaN)
    : ((finite[middle - 1] ?? 0) + (finite[middle] ?? 0)) / 2;
}

/** Client CPU (user + system) in microseconds since `start`. */
export function cpuMicrosSince(start: NodeJS.CpuUsage): number {
  const delta = process.cpuUsage(start);
  return delta.user + delta.system;
}
