/**
 * Nearest-rank percentile of values sorted ascending: the smallest value with at least `p`% of
 * the values at or below it (p ≤ 0 gives the smallest); 0 when there are none.
 */
export function nearestRank(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? 0;
}
