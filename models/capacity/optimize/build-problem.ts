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
  countries: readonly { code: string; region: string; hourlyRps: readonly number[] }[];
  rtt: Rtt;
  residency: Residency;
  intents: Intents;
  /** data/planner.json defaults of spares and utilization. */
  planner: { redundancy: number; targetUtilization: number };
}

/**
 * Builds the problem.
 * @param x DCs, countries' design days, RTT and residency data, intents, planner defaults
 * @returns the problem the solver takes
 */
export function buildPlacementProblem(x: PlacementInputs): PlacementProblem {
  const dcs = x.dcs.map((d) => d.name);
  return {
    dcs: x.dcs.map((d) => ({ ...d, ...(x.intents.maxNodes[d.name] !== undefined ? { maxNodes: x.intents.maxNodes[d.name]! } : {}) })),
    countries: x.countries.map((c) => ({
      code: c.code,
      hourlyRps: [...c.hourlyRps],
      allowedDcs: residencyFor(x.residency, c.code).dcs.filter((d) => dcs.includes(d)),
      rttMs: Object.fromEntries(dcs.map((d) => [d, medianRttMs(x.rtt, d, c.code)])),
      budgetMs: budgetOf(x.intents, c.code, c.region),
    })),
    intents: placementIntents(x.intents, { dcs, planner: x.planner }),
  };
}
