/**
 * Figures that compare placements (optimized, greedy, what-if) in the report: how many nodes are reserve, beyond what
 * normal operation needs at the utilization cap (the spares and the capacity held for a DC loss), and how many
 * countries are served within their latency budget in normal operation.
 */
import type { PlacementProblem } from './problem.ts';
import type { PlacementSolution } from './solve.ts';

/**
 * Reserve nodes and countries within budget of a placement.
 * @param p the problem
 * @param s the placement
 * @returns `reserveNodes` (all DCs) and `withinBudget` (countries)
 */
export function placementFigures(p: PlacementProblem, s: Pick<PlacementSolution, 'nodes' | 'routing'>): { reserveNodes: number; withinBudget: number } {
  const normal = s.routing.normal ?? {};
  let needed = 0;
  for (const d of p.dcs) {
    let peak = 0;
    for (let h = 0; h < 24; h++) {
      let load = 0;
      for (const c of p.countries) load += (c.hourlyRps[h] ?? 0) * (normal[c.code]?.[d.name] ?? 0);
      peak = Math.max(peak, load);
    }
    // A hair over an integer from float sums does not need another node.
    if (peak > 0) needed += Math.ceil(peak / (p.intents.maxUtilization * d.perNodeRps) - 1e-6);
  }
  const total = Object.values(s.nodes).reduce((t, n) => t + n, 0);
  const withinBudget = p.countries.filter((c) => {
    const shares = normal[c.code];
    return shares !== undefined && Object.keys(shares).every((d) => c.rttMs[d]! <= c.budgetMs);
  }).length;
  return { reserveNodes: total - needed, withinBudget };
}
