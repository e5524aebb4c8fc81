/**
 * The plan stage: per-node capacity of every data center of the traffic, measured (a probe and sweep, when given and
 * usable) or modeled (data/hardware.json's node profile serving the DC's service mix, data/services.json's and the
 * catalog's service times), with the prices, fleet and settings: the input of the plan itself (models/capacity/planner.ts
 * buildPlan: nodes per DC and quarter, N+2, the loss of a DC, cost, when today's fleet runs out), which the chain builds
 * and varies for the sensitivity. Values in, values out: the traffic, measurements and data files' contents are handed in.
 */
import { type Hardware, type ServiceTimes, serviceMix } from '../models/capacity/hardware.ts';
import { modeledNodeCapacity, type NodeCapacity } from '../models/capacity/node-capacity.ts';
import type { DcCapacity, PlanInput } from '../models/capacity/planner.ts';
import type { Fleet, PlannerSettings } from '../models/capacity/settings.ts';
import { ValidationError } from '../models/errors.ts';
import type { Residency, Rtt } from '../models/routing/settings.ts';
import type { Plan, Traffic } from '../models/types.ts';
import type { Catalog } from '../scenarios/catalog.ts';
import { StageInputError } from './errors.ts';

/** What the plan stage reads besides the traffic. */
export interface PlanData {
  /** data/hardware.json: each DC's node profile and price. */
  hardware: Hardware;
  /** data/services.json: the built-in stacks' modeled service time per route. */
  serviceTimes: ServiceTimes;
  /** data/planner.json. */
  planner: PlannerSettings;
  /** the world's RTT tables and the world's residency rules, to decide where a lost DC's countries go. */
  rtt: Rtt;
  residency: Residency;
}

/** The plan stage's own inputs. */
export interface PlanRequest {
  /** The traffic to plan for. */
  traffic: Traffic;
  /** The catalog whose services' own `model` service times come before data/services.json's. */
  catalog: Catalog;
  /** Today's fleet. */
  fleet: Fleet;
  /** Where the fleet came from, for messages (`the world's fleet` or the user's file). */
  fleetSource: string;
  /** Measured capacity per DC, when results were given (a DC without a probe: undefined). */
  measured?: Readonly<Record<string, NodeCapacity | undefined>>;
}

/**
 * What the planner is given for a plan: the traffic, each DC's per-node capacity (measured or modeled), prices, fleet,
 * routing data and settings (the sensitivity analysis varies it).
 * @param req traffic, catalog, fleet and measurements
 * @param data hardware, service times, planner settings, RTT and residency
 * @param seed seed of the plan's draws
 * @returns the planner's input (models/capacity/planner.ts buildPlan makes plan.json's content of it)
 * @throws {ValidationError} when the fleet names a data center data/hardware.json does not know
 * @throws {StageInputError} when a DC has no hardware entry, or neither a usable measurement nor a modeled time for
 *   every service it serves
 */
export function planInput(req: PlanRequest, data: PlanData, seed: number): PlanInput {
  const { traffic, fleet, fleetSource } = req;
  const { hardware, planner: settings } = data;
  // Modeled service times: a catalog service's own `model`, else the built-in stacks' route of the same name.
  const routes = {
    ...data.serviceTimes.routes,
    ...Object.fromEntries(req.catalog.services.flatMap((c) => (c.model ? [[c.name, c.model]] : []))),
  };
  // A fleet in a DC caplab does not know would silently drop out of the plan: a typo, refuse it.
  const unknown = Object.keys(fleet.nodes).filter((dc) => !hardware.dcs[dc]);
  if (unknown.length > 0) {
    throw new ValidationError(`${fleetSource} is invalid`, unknown.map((dc) => ({
      where: `${fleetSource}: nodes.${dc}`, message: `unknown data center "${dc}" (known: ${Object.keys(hardware.dcs).join(', ')}; data/hardware.json)`,
    })));
  }
  const capacity: Record<string, DcCapacity> = {};
  const prices: Record<string, number> = {};
  for (const [dc, quarters] of Object.entries(traffic.dcs)) {
    const site = hardware.dcs[dc];
    if (!site) throw new StageInputError(`data/hardware.json has no entry for data center ${dc} (known: ${Object.keys(hardware.dcs).join(', ')})`);
    const profile = hardware.profiles[site.profile]!;
    // The request mix a node serves: each service weighted by its design-peak rate over the planned quarters.
    const weights: Record<string, number> = {};
    for (const q of quarters) for (const [s, v] of Object.entries(q.services)) weights[s] = (weights[s] ?? 0) + v.flashSaleRps.p50;
    if (!Object.values(weights).some((w) => w > 0)) for (const s of Object.keys(traffic.demand)) weights[s] = traffic.demand[s]!;
    const measured = req.measured?.[dc];
    const unmodeled = Object.keys(weights).filter((svc) => weights[svc]! > 0 && !routes[svc]);
    const modeled = unmodeled.length > 0 ? undefined : (() => {
      const mix = serviceMix(routes, weights);
      return modeledNodeCapacity(
        { workers: profile.workers, sigma: profile.sigma, kappa: profile.kappa, meanServiceMs: round(mix.meanMs), serviceCv: round(mix.cv) },
        settings.serverBudgetP95Ms,
      );
    })();
    if (!modeled && !(measured && measured.perNodeRps > 0)) {
      throw new StageInputError(`${dc}: ${measured ? `the measured capacity is unusable (SLO rate ${measured.sloRps}, ceiling ${measured.ceilingRps} req/s: no sweep step met the budget) and ` : 'no probe results and '}` +
        `no modeled service time for ${unmodeled.join(', ')} (a catalog service's \`model: {meanMs, cv}\`): measure it with \`caplab campaign\` or \`caplab plan --results\`, or give its model`);
    }
    // A measurement that gives no usable rate (no sweep step met the budget: the node, or a starved load generator,
    // missed it everywhere) cannot size a fleet; say so and plan on the model rather than on infinite nodes.
    const cap = measured && measured.perNodeRps > 0 ? measured
      : measured ? { ...modeled!, inputs: { ...modeled!.inputs, note: `measured capacity unusable (SLO rate ${measured.sloRps}, ceiling ${measured.ceilingRps} req/s): modeled capacity used`, measured: JSON.stringify(measured.inputs) } }
        : modeled!;
    capacity[dc] = { ...cap, inputs: { ...cap.inputs, profile: site.profile }, workers: profile.workers };
    prices[dc] = site.pricePerNodeMonth;
  }
  return { traffic, capacity, fleet, pricePerNodeMonth: prices, currency: hardware.currency, rtt: data.rtt, residency: data.residency, settings, seed };
}

/**
 * Each DC's modeled per-node USL ceiling, for a campaign whose probe measured none: the plan's modeled capacity.
 * @param plan a plan computed without measurements
 * @returns ceiling by DC, requests/s
 */
export function modeledCeilings(plan: Plan): Record<string, number> {
  return Object.fromEntries(Object.entries(plan.dcs).map(([d, x]) => [d, x.capacity.ceilingRps]));
}

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}
