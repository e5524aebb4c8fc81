/**
 * Scores of a probabilistic forecast against what happened, as forecasting research scores them: the pinball
 * (quantile) loss of a quantile forecast, the continuous ranked probability score (CRPS) of a sample forecast, the
 * coverage of a central interval, and the absolute percentage error of the median. Pure.
 */

/**
 * Pinball loss of a q-quantile forecast: q (y - f) when the outcome is above it, (1 - q)(f - y) when below.
 * @param q quantile level in (0, 1)
 * @param forecast the q-quantile forecast
 * @param observed what happened
 * @returns the loss (same unit as the values, >= 0)
 * @example pinballLoss(0.9, 10, 8) // 0.2
 */
export function pinballLoss(q: number, forecast: number, observed: number): number {
  const d = observed - forecast;
  return d >= 0 ? q * d : (q - 1) * d;
}

/**
 * CRPS of a forecast given as samples: E|X - y| - E|X - X'| / 2, both expectations over the samples (the energy
 * form), with E|X - X'| from the sorted samples in O(n log n): (2 / n^2) sum_i (2i - n - 1) x_(i), i = 1..n.
 * @param samples forecast draws (not modified)
 * @param observed what happened
 * @returns the CRPS (same unit as the values, >= 0; |c - y| for a point forecast c)
 * @throws {RangeError} when there are no samples
 * @example crpsSamples([1, 2, 3], 2) // 2/9
 */
export function crpsSamples(samples: ArrayLike<number>, observed: number): number {
  const n = samples.length;
  if (n === 0) throw new RangeError('crpsSamples: no samples');
  const x = Float64Array.from(samples).sort();
  let toObs = 0;
  let spread = 0;
  for (let i = 0; i < n; i++) {
    toObs += Math.abs(x[i]! - observed);
    spread += (2 * (i + 1) - n - 1) * x[i]!;
  }
  return toObs / n - spread / (n * n);
}

/**
 * Empirical quantile of sorted samples (linear interpolation between order statistics, type 7).
 * @param sorted ascending samples
 * @param q level in [0, 1]
 * @returns the quantile
 */
export function sampleQuantile(sorted: ArrayLike<number>, q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}
