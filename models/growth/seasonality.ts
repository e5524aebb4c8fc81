/**
 * Quarterly split of a growth curve: each quarter gets the curve's own increase in that quarter times a seasonal
 * weight, rescaled so every calendar year keeps the curve's yearly total.
 */

/**
 * Quarterly shipments for consecutive quarters from a cumulative curve.
 * @param cumulative N(t), phones by decimal year
 * @param firstQuarter index of the first quarter (year * 4 + q - 1)
 * @param count number of quarters
 * @param weights seasonal weights of Q1..Q4 (positive)
 * @returns shipments per quarter; a year's quarters sum to N(year end) - N(year start) when the year is whole
 */
export function quarterlyShipments(
  cumulative: (t: number) => number,
  firstQuarter: number,
  count: number,
  weights: readonly [number, number, number, number],
): Float64Array {
  const out = new Float64Array(count);
  const edges = new Float64Array(count + 1);
  for (let i = 0; i <= count; i++) edges[i] = cumulative((firstQuarter + i) / 4);
  for (let i = 0; i < count; ) {
    const q = firstQuarter + i;
    const yearStartQ = q - (((q % 4) + 4) % 4);
    const lo = Math.max(yearStartQ, firstQuarter) - firstQuarter;
    const hi = Math.min(yearStartQ + 4, firstQuarter + count) - firstQuarter;
    // Rescale within the year's whole quarters (so partial years at the ends keep their own trend total).
    let trendTotal = 0;
    let weighted = 0;
    for (let j = lo; j < hi; j++) {
      const inc = Math.max(edges[j + 1]! - edges[j]!, 0);
      trendTotal += inc;
      weighted += inc * weights[(firstQuarter + j) % 4]!;
    }
    for (let j = lo; j < hi; j++) {
      const inc = Math.max(edges[j + 1]! - edges[j]!, 0);
      out[j] = weighted > 0 ? (inc * weights[(firstQuarter + j) % 4]! * trendTotal) / weighted : 0;
    }
    i = hi;
  }
  return out;
}
