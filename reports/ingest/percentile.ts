/**
 * k6's percentile (rank p/100 x (n - 1), linear interpolation between the neighbours), the one rule every figure read
 * from points uses, so a p95 computed here is the p95 k6's end-of-test summary shows for the same samples.
 */

/**
 * The p-th percentile of ascending values.
 * @param sorted ascending values
 * @param p percentile, 0..100
 * @returns the value, or null for no values
 * @example percentileSorted([1, 2, 3, 4], 50) // 2.5
 */
export function percentileSorted(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const i = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(i);
  const hi = Math.ceil(i);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (i - lo);
}

/**
 * The p-th percentile of values in any order (a sorted copy is taken; the input is left as it is).
 * @param values the values
 * @param p percentile, 0..100
 * @returns the value, or null for no values
 * @example percentile([4, 1, 3, 2], 50) // 2.5
 */
export function percentile(values: readonly number[], p: number): number | null {
  return percentileSorted([...values].sort((a, b) => a - b), p);
}
