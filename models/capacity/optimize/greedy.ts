/**
 * The greedy placement on the optimizer's own terms, as the baseline it is compared with (what-if sites stay closed:
 * the greedy rule has no way to choose them): every country served by
 * its nearest live DC that residency allows, in every scenario (so a lost DC's countries move to their next-nearest),
 * and each DC given the nodes its busiest hour needs in its worst scenario (normal operation plus the spares, or a
 * loss). It is a feasible point of the optimizer's program (the nearest allowed DC is within budget whenever any is),
 * so the optimum never costs more.
 */
import { countryOptions, dataCostOf, type PlacementProblem, peakRps, scenariosOf } from './problem.ts';
import type { PlacementSolution } from './solve.ts';

/**
 * The greedy plan of a problem.
 * @param p the problem
 * @returns nodes, cost, routing per scenario, stranded countries and the traffic beyond its budget, as the optimizer
 *   reports them (status `greedy`, gap 0, no solver time)
 */
export function greedyPlacement(p: PlacementProblem): PlacementSolution {
  const open = p.dcs.filter((d) => !d.candidate);
  const names = open.map((d) => d.name);
  const need = new Map(names.map((d) => [d, p.intents.spares]));
  const routing: PlacementSolution['routing'] = {};
  const stranded: PlacementSolution['stranded'] = {};
  const beyondBudget: PlacementSolution['beyondBudget'] = {};
  let penalty = 0;
  for (const s of scenariosOf(p)) {
    routing[s.name] = {};
    stranded[s.name] = [];
    beyondBudget[s.name] = [];
    const load = new Map(names.map((d) => [d, new Array<number>(24).fill(0)]));
    for (const c of p.countries) {
      const { live } = countryOptions(c, s, names);
      if (live.length === 0) {
        stranded[s.name]!.push(c.code);
        continue;
      }
      // Nearest by RTT; the problem's DC order breaks ties.
      const dc = live.reduce((best, d) => (c.rttMs[d]! < c.rttMs[best]! ? d : best));
      routing[s.name]![c.code] = { [dc]: 1 };
      c.hourlyRps.forEach((r, h) => { load.get(dc)![h]! += r; });
      if (c.rttMs[dc]! > c.budgetMs) {
        beyondBudget[s.name]!.push({ country: c.code, dc, share: 1, rttMs: c.rttMs[dc]!, budgetMs: c.budgetMs });
        penalty += p.intents.latencyPenaltyPerRps * (c.rttMs[dc]! - c.budgetMs) * peakRps(c);
      }
    }
    for (const d of open) {
      if (d.name === s.lost) continue;
      const peak = Math.max(...load.get(d.name)!);
      // A hair under an integer is that integer: float sums must not buy a node.
      const nodes = Math.ceil(peak / (p.intents.maxUtilization * d.perNodeRps) - 1e-9) + (s.lost === undefined ? p.intents.spares : 0);
      need.set(d.name, Math.max(need.get(d.name)!, nodes));
    }
  }
  const nodes: Record<string, number> = Object.fromEntries(p.dcs.map((d) => [d.name, need.get(d.name) ?? 0]));
  const costPerMonth = p.dcs.reduce((t, d) => t + d.pricePerNodeMonth * nodes[d.name]!, 0);
  const data = dataCostOf(p, routing.normal);
  return { status: 'greedy', gap: 0, seconds: 0, opened: [], nodes, costPerMonth, ...(data !== undefined ? { dataCostPerMonth: data } : {}), latencyPenalty: Math.round(penalty * 100) / 100, routing, stranded, beyondBudget };
}
