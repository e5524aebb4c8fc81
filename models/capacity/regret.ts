/**
 * Least-regret sizing: the node count that minimises the expected cost of being wrong over Monte Carlo draws of the
 * nodes needed, when running short costs `shortage` per node and buying too many costs `surplus` per node (the
 * newsvendor problem: the answer is the shortage / (shortage + surplus) quantile of the need, found here exactly).
 */

/**
 * Node count with the least expected regret.
 * @param needs nodes needed in each draw (non-negative integers)
 * @param shortage cost weight of one node short
 * @param surplus cost weight of one node too many
 * @returns the count (0 for no draws)
 * @example leastRegret([1, 2, 3, 10], 3, 1) // 3: the 75% quantile of the need
 */
export function leastRegret(needs: readonly number[], shortage: number, surplus: number): number {
  if (needs.length === 0) return 0;
  const sorted = [...needs].sort((a, b) => a - b);
  let best = sorted[0]!;
  let bestCost = Infinity;
  // The optimum is one of the drawn values: the regret is piecewise linear between them.
  for (const n of new Set(sorted)) {
    let cost = 0;
    for (const need of sorted) cost += need > n ? shortage * (need - n) : surplus * (n - need);
    if (cost < bestCost - 1e-9) {
      bestCost = cost;
      best = n;
    }
  }
  return best;
}
