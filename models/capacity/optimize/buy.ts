/**
 * The plan to buy, from the optimized placement: per site and quarter the nodes to have, the nodes to order and by
 * when (the quarter's first day less the site's order lead time), the monthly cost, and what binds the count: the
 * demand (with the N+k spares on top), the spares alone (a site with no demand in normal operation), the loss of
 * another site (the failover it must absorb), or the site's limit.
 */
import { quarterIndex } from '../../quarter.ts';
import type { PlacementProblem } from './problem.ts';
import type { PlacementSolution } from './solve.ts';

/** What sets a site's node count in a quarter. */
export interface SiteBinding {
  binds: 'demand' | 'N+k' | 'site loss' | 'site limit';
  /** With `site loss`: the site whose loss sets the count. */
  lostSite?: string;
  /** Nodes normal operation needs at the utilization cap, spares included. */
  normalNodes: number;
  /** Nodes the worst loss needs (spares used), and which loss. */
  lossNodes: number;
}

/** One site in one quarter of the plan to buy. */
export interface SiteBuy extends SiteBinding {
  /** Nodes to have in service. */
  have: number;
  /** Nodes to add to what is in service (today's fleet or an earlier quarter's). */
  order: number;
  /** Latest order date (ISO, YYYY-MM-DD) for them to be in service when the quarter starts; null: no lead time stated or nothing to order. */
  orderBy: string | null;
  /** Cost of the nodes to have, per month. */
  costPerMonth: number;
}

/** The busiest hour's load on a site in a scenario, requests/s. */
function peakLoad(p: PlacementProblem, s: Pick<PlacementSolution, 'routing'>, scenario: string, dc: string): number {
  const shares = s.routing[scenario] ?? {};
  let peak = 0;
  for (let h = 0; h < 24; h++) {
    let load = 0;
    for (const c of p.countries) load += (c.hourlyRps[h] ?? 0) * (shares[c.code]?.[dc] ?? 0);
    peak = Math.max(peak, load);
  }
  return peak;
}

/**
 * What binds each site's node count in a placement.
 * @param p the quarter's problem
 * @param s the placement (nodes and routing per scenario)
 * @returns per site of the problem
 */
export function siteBindings(p: PlacementProblem, s: Pick<PlacementSolution, 'nodes' | 'routing'>): Record<string, SiteBinding> {
  const out: Record<string, SiteBinding> = {};
  const { spares, maxUtilization } = p.intents;
  for (const d of p.dcs) {
    // A hair over an integer from float sums does not need another node.
    const nodesFor = (rps: number): number => (rps > 0 ? Math.ceil(rps / (maxUtilization * d.perNodeRps) - 1e-6) : 0);
    const normal = peakLoad(p, s, 'normal', d.name);
    const normalNodes = nodesFor(normal) + spares;
    let lossNodes = 0;
    let lostSite: string | undefined;
    for (const lost of p.intents.survive) {
      if (lost === d.name) continue;
      const n = nodesFor(peakLoad(p, s, `loss:${lost}`, d.name));
      if (n > lossNodes) [lossNodes, lostSite] = [n, lost];
    }
    const have = s.nodes[d.name] ?? 0;
    const binds: SiteBinding['binds'] = d.maxNodes !== undefined && have >= d.maxNodes ? 'site limit'
      : lossNodes > normalNodes && have <= lossNodes ? 'site loss'
        : normal > 0 ? 'demand' : 'N+k';
    out[d.name] = { binds, ...(binds === 'site loss' && lostSite ? { lostSite } : {}), normalNodes, lossNodes };
  }
  return out;
}

/**
 * The plan to buy over the quarters of an optimized placement.
 * @param quarters per quarter in time order: its label, nodes per site and what binds them
 * @param fleet nodes in service today per site
 * @param sites per site: price per node-month and order lead time in days (absent: not stated)
 * @returns per quarter, per site
 * @example buyPlan([{ quarter: '2027Q1', nodes: { a: 5 }, bindings: { a: b } }], { a: 3 }, { a: { pricePerNodeMonth: 100, leadTimeDays: 30 } })[0].sites.a.orderBy // '2026-12-02'
 */
export function buyPlan(
  quarters: readonly { quarter: string; nodes: Readonly<Record<string, number>>; bindings: Readonly<Record<string, SiteBinding>> }[],
  fleet: Readonly<Record<string, number>>,
  sites: Readonly<Record<string, { pricePerNodeMonth: number; leadTimeDays?: number }>>,
): { quarter: string; sites: Record<string, SiteBuy> }[] {
  // Nodes once bought stay in service: a quarter that needs fewer keeps them, and a later rise orders only the difference.
  const inService: Record<string, number> = { ...fleet };
  return quarters.map((q) => {
    const start = quarterStart(q.quarter);
    const out: Record<string, SiteBuy> = {};
    for (const [site, binding] of Object.entries(q.bindings)) {
      const have = q.nodes[site] ?? 0;
      const order = Math.max(0, have - (inService[site] ?? 0));
      inService[site] = Math.max(inService[site] ?? 0, have);
      const lead = sites[site]?.leadTimeDays;
      const orderBy = order > 0 && lead !== undefined ? isoDate(new Date(start.getTime() - lead * 86_400_000)) : null;
      out[site] = { ...binding, have, order, orderBy, costPerMonth: have * (sites[site]?.pricePerNodeMonth ?? 0) };
    }
    return { quarter: q.quarter, sites: out };
  });
}

/** The first day of a quarter, UTC midnight. */
function quarterStart(label: string): Date {
  const k = quarterIndex(label);
  return new Date(Date.UTC(Math.floor(k / 4), (k % 4) * 3, 1));
}

function isoDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}
