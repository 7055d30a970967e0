/** Small descriptive statistics, written out so the definitions are unambiguous in tests. */

export interface DistributionStats {
  count: number;
  min: number;
  median: number;
  mean: number;
  p90: number;
  max: number;
}

/**
 * The q-quantile of ascending-sorted values by linear interpolation between closest ranks
 * (Hyndman & Fan type 7: the default of numpy, pandas and R, so figures match PM4Py and bupaR).
 */
export function quantileSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo]!;
  const b = sorted[hi]!;
  return a + (b - a) * (pos - lo);
}

export function median(values: readonly number[]): number {
  return quantileSorted(
    [...values].sort((a, b) => a - b),
    0.5,
  );
}

/** Zero count and NaN elsewhere for no values: an empty log has no durations, and 0 would be a lie. */
export function describe(values: readonly number[]): DistributionStats {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return { count: 0, min: Number.NaN, median: Number.NaN, mean: Number.NaN, p90: Number.NaN, max: Number.NaN };
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    count: sorted.length,
    min: sorted[0]!,
    median: quantileSorted(sorted, 0.5),
    mean: sum / sorted.length,
    p90: quantileSorted(sorted, 0.9),
    max: sorted[sorted.length - 1]!,
  };
}
