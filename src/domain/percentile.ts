/** Nearest-rank percentile of ascending values (the first value whose cumulative share reaches p); 0 when empty. */
export function percentile(sortedAsc: readonly number[], p: number): number {
  if (!sortedAsc.length) return 0;
  return sortedAsc[Math.min(sortedAsc.length - 1, Math.max(0, Math.ceil((p / 100) * sortedAsc.length) - 1))]!;
}
