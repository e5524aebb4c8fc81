/**
 * A quarter's placement problem from what the planner already has: each country's design day (requests/s per UTC
 * hour), each DC's per-node capacity (the plan's, measured or modeled) and price, the modeled RTTs, the residency
 * rules and the intents. Pure: the CLI computes the design days from the traffic model and hands them in.
 */
import { residencyFor } from '../../routing/residency.ts';
import { medianRttMs } from '../../routing/rtt.ts';
import type { Residency, Rtt } from '../../routing/settings.ts';
import { budgetOf, type Intents, placementIntents } from './intents.ts';
import type { PlacementProblem } from './problem.ts';

/** Inputs of {@link buildPlacementProblem}. */
export interface PlacementInputs {
  /** DCs of the placement with their per-node capacity (req/s) and price per node-month. */
  dcs: readonly { name: string; perNodeRps: number; pricePerNodeMonth: number }[];
  /** Countries with their region and design day (24 requests/s values, UTC hours). */
  countries: readonly { code: string; region: string; hourlyRps: readonly number[]; dataCostPerMonth?: Readonly<Record<string, number>> }[];
  rtt: Rtt;
  residency: Residency;
  intents: Intents;
  /** data/planner.json defaults of spares and utilization. */
  planner: { redundancy: number; targetUtilization: number };
  /** What-if sites the solver may open; `rtt` must hold their rows (rttWithSites). */
  sites?: readonly { name: string; residencyAs: string; perNodeRps: number; pricePerNodeMonth: number; maxNodes?: number }[];
}

/**
 * Builds the problem.
 * @param x DCs, countries' design days, RTT and residency data, intents, planner defaults
 * @returns the problem the solver takes
 */
export function buildPlacementProblem(x: PlacementInputs): PlacementProblem {
  const placed = x.dcs.map((d) => d.name);
  const sites = x.sites ?? [];
  const dcs = [...placed, ...sites.map((s) => s.name)];
  const intents = placementIntents(x.intents, { dcs: placed, planner: x.planner });
  return {
    dcs: [
      ...x.dcs.map((d) => ({ ...d, ...(x.intents.maxNodes[d.name] !== undefined ? { maxNodes: x.intents.maxNodes[d.name]! } : {}) })),
      ...sites.map((s) => ({ name: s.name, perNodeRps: s.perNodeRps, pricePerNodeMonth: s.pricePerNodeMonth, candidate: true, ...(s.maxNodes !== undefined ? { maxNodes: s.maxNodes } : {}) })),
    ],
    countries: x.countries.map((c) => {
      const allowed = residencyFor(x.residency, c.code).dcs.filter((d) => placed.includes(d));
      return {
        code: c.code,
        hourlyRps: [...c.hourlyRps],
        // A site follows the residency of the DC it names: allowed wherever that DC is.
        allowedDcs: [...allowed, ...sites.filter((s) => allowed.includes(s.residencyAs)).map((s) => s.name)],
        rttMs: Object.fromEntries(dcs.map((d) => [d, medianRttMs(x.rtt, d, c.code)])),
        budgetMs: budgetOf(x.intents, c.code, c.region),
        ...(c.dataCostPerMonth ? { dataCostPerMonth: c.dataCostPerMonth } : {}),
      };
    }),
    // `any-one` covers the sites too: an opened site must be survivable like any other.
    intents: x.intents.survive === 'any-one' ? { ...intents, survive: [...intents.survive, ...sites.map((s) => s.name)] } : intents,
  };
}
