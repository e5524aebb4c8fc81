/**
 * Test helper: an independent check of a placement against its problem's intents, written from the intents alone
 * (not from the MIP's formulation). In every scenario (normal, each loss to survive): each country's shares sum to 1
 * over DCs that residency allows and that are up (or it is listed as stranded when none is), each DC's load in every
 * UTC hour fits its nodes at the utilization cap (less the spares in normal operation), and where a live DC within
 * the country's latency budget exists, nothing is served beyond it; every DC holds at least the spares.
 */
import { type PlacementProblem, scenariosOf } from '../../models/capacity/optimize/problem.ts';
import type { PlacementSolution } from '../../models/capacity/optimize/solve.ts';

/**
 * Replays every scenario of a placement.
 * @param p the problem
 * @param s the placement (optimized or greedy)
 * @returns the violations found; empty when it meets every intent
 */
export function verifyPlacement(p: PlacementProblem, s: Pick<PlacementSolution, 'nodes' | 'routing' | 'stranded' | 'opened'>): string[] {
  const bad: string[] = [];
  // A what-if site the plan leaves closed is not there: no nodes, no traffic.
  const closed = new Set(p.dcs.filter((d) => d.candidate && !s.opened.includes(d.name)).map((d) => d.name));
  for (const d of closed) if (s.nodes[d] !== 0) bad.push(`closed site ${d} has ${s.nodes[d]} nodes`);
  for (const sc of scenariosOf(p)) {
    const load = new Map(p.dcs.map((d) => [d.name, new Array<number>(24).fill(0)]));
    for (const c of p.countries) {
      const live = c.allowedDcs.filter((d) => d !== sc.lost && !closed.has(d));
      const shares = s.routing[sc.name]?.[c.code];
      if (live.length === 0) {
        if (!s.stranded[sc.name]!.includes(c.code)) bad.push(`${sc.name}: ${c.code} has no allowed DC but is not listed as stranded`);
        continue;
      }
      const total = Object.values(shares ?? {}).reduce((t, v) => t + v, 0);
      if (Math.abs(total - 1) > 1e-5) bad.push(`${sc.name}: ${c.code} is served ${total}, not 1`);
      // The budget is hard where a live DC in service (not a what-if site) meets it.
      const within = live.some((d) => c.rttMs[d]! <= c.budgetMs && !p.dcs.find((x) => x.name === d)!.candidate);
      for (const [d, share] of Object.entries(shares ?? {})) {
        if (!live.includes(d)) bad.push(`${sc.name}: ${c.code} served from ${d}, not allowed or down`);
        if (within && c.rttMs[d]! > c.budgetMs) bad.push(`${sc.name}: ${c.code} served from ${d} beyond its budget while a DC within it is up`);
        c.hourlyRps.forEach((r, h) => { load.get(d)![h]! += r * share; });
      }
    }
    for (const d of p.dcs) {
      if (d.name === sc.lost || closed.has(d.name)) continue;
      const usable = p.intents.maxUtilization * d.perNodeRps * (s.nodes[d.name]! - (sc.lost === undefined ? p.intents.spares : 0));
      // Tolerance: shares are reported to 6 decimals (each off by at most 5e-7) and the solver meets rows to 1e-7, so
      // an hour's load may exceed by 1e-6 x the demand of that hour without a real violation.
      const hours = load.get(d.name)!;
      hours.forEach((l, h) => {
        const slack = 1e-6 * p.countries.reduce((t, c) => t + c.hourlyRps[h]!, 0) + 1e-6;
        if (l > usable + slack) bad.push(`${sc.name}: ${d.name} carries ${l} req/s in UTC hour ${h}, more than ${usable}`);
      });
    }
  }
  for (const d of p.dcs) if (!closed.has(d.name) && s.nodes[d.name]! < p.intents.spares) bad.push(`${d.name} has fewer than ${p.intents.spares} nodes`);
  return bad;
}
