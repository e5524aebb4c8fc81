/**
 * `caplab plan`: size every data center per quarter from traffic.json and per-node capacity (measured from a probe
 * and sweep in --results when present, else modeled from data/hardware.json and data/services.json), print the
 * table and write <out-dir>/plan.json.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { HardwareSchema, ServiceTimesSchema, serviceMix } from '../../models/capacity/hardware.ts';
import { modeledNodeCapacity } from '../../models/capacity/node-capacity.ts';
import { buildPlan, type DcCapacity } from '../../models/capacity/planner.ts';
import { FleetSchema, PlannerSettingsSchema } from '../../models/capacity/settings.ts';
import { TrafficFileSchema } from '../../models/traffic/traffic-file.ts';
import { ScenarioSettingsSchema } from '../../scenarios/build-settings.ts';
import type { Plan, Traffic } from '../../models/types.ts';
import { ValidationError } from '../../models/errors.ts';
import { parseWith } from '../../models/validation.ts';
import type { CommandRun } from '../context.ts';
import { loadData } from '../data.ts';
import { EXIT, InputError } from '../errors.ts';
import { writeFileAtomic } from '../io.ts';
import { readJson } from '../inputs/json.ts';
import { measuredCapacity } from '../measured-capacity.ts';
import { renderPlan } from '../print/plan.ts';
import { loadRoutingData } from '../inputs/routing.ts';
import type { Catalog } from '../../scenarios/catalog.ts';
import { catalogOf } from '../inputs/catalog.ts';
import { optimizePlan } from '../optimize.ts';
import { computeTraffic } from './traffic.ts';

/** Options of `caplab plan`. */
export interface PlanOptions {
  forecast?: string;
  traffic?: string;
  fleet?: string;
  results?: string;
  json: boolean;
  /** The service catalog, loaded or a file (default: data/catalog.json): its demand and its services' modeled times. */
  catalog?: Catalog | string;
  /** Also solve the least-cost placement under the intents (plan.json `optimized`). */
  optimize?: boolean;
  /** A `caplab.intents/v1` file for --optimize (default data/intents.json). */
  intents?: string;
  /** A `caplab.candidates/v1` file of what-if sites for --optimize. */
  candidates?: string;
}

/**
 * Computes plan.json's content.
 * @param opts forecast, traffic, fleet files and results directory (each optional)
 * @param seed seed
 * @returns the plan
 * @throws {InputError} on unreadable files, a DC without hardware, or a --results that is missing, not a directory or
 *   holds no planned DC
 * @throws {ValidationError} on invalid files, and a fleet naming a data center data/hardware.json does not know
 */
export async function computePlan(opts: Partial<PlanOptions>, seed: number): Promise<Plan> {
  const catalog = await catalogOf(opts.catalog, undefined);
  const traffic: Traffic = opts.traffic
    ? parseWith(TrafficFileSchema, await readJson(opts.traffic, 'traffic file'), opts.traffic)
    : (await computeTraffic({ forecast: opts.forecast }, seed, catalog)).traffic;
  const hardware = loadData('hardware.json', HardwareSchema);
  // Modeled service times: a catalog service's own `model`, else the built-in stacks' route of the same name.
  const routes = {
    ...loadData('services.json', ServiceTimesSchema).routes,
    ...Object.fromEntries(catalog.services.flatMap((c) => (c.model ? [[c.name, c.model]] : []))),
  };
  const settings = loadData('planner.json', PlannerSettingsSchema);
  const fleetSource = opts.fleet ?? 'data/fleet.json';
  const fleet = opts.fleet ? parseWith(FleetSchema, await readJson(opts.fleet, 'fleet file'), opts.fleet) : loadData('fleet.json', FleetSchema);
  // A fleet in a DC caplab does not know would silently drop out of the plan: a typo, refuse it.
  const unknown = Object.keys(fleet.nodes).filter((dc) => !hardware.dcs[dc]);
  if (unknown.length > 0) {
    throw new ValidationError(`${fleetSource} is invalid`, unknown.map((dc) => ({
      where: `${fleetSource}: nodes.${dc}`, message: `unknown data center "${dc}" (known: ${Object.keys(hardware.dcs).join(', ')}; data/hardware.json)`,
    })));
  }
  if (opts.results !== undefined) await checkResultsDir(opts.results, Object.keys(traffic.dcs));
  // The probe's warm-up, read once for every DC (only needed with measured results).
  const warmupS = opts.results ? loadData('scenarios.json', ScenarioSettingsSchema).probe.warmupSeconds : undefined;
  const capacity: Record<string, DcCapacity> = {};
  const prices: Record<string, number> = {};
  for (const [dc, quarters] of Object.entries(traffic.dcs)) {
    const site = hardware.dcs[dc];
    if (!site) throw new InputError(`data/hardware.json has no entry for data center ${dc} (known: ${Object.keys(hardware.dcs).join(', ')})`);
    const profile = hardware.profiles[site.profile]!;
    // The request mix a node serves: each service weighted by its design-peak rate over the planned quarters.
    const weights: Record<string, number> = {};
    for (const q of quarters) for (const [s, v] of Object.entries(q.services)) weights[s] = (weights[s] ?? 0) + v.flashSaleRps.p50;
    if (!Object.values(weights).some((w) => w > 0)) for (const s of Object.keys(traffic.demand)) weights[s] = traffic.demand[s]!;
    const measured = opts.results
      ? await measuredCapacity(opts.results, dc, warmupS!, settings.serverBudgetP95Ms)
      : undefined;
    const unmodeled = Object.keys(weights).filter((svc) => weights[svc]! > 0 && !routes[svc]);
    const modeled = unmodeled.length > 0 ? undefined : (() => {
      const mix = serviceMix(routes, weights);
      return modeledNodeCapacity(
        { workers: profile.workers, sigma: profile.sigma, kappa: profile.kappa, meanServiceMs: round(mix.meanMs), serviceCv: round(mix.cv) },
        settings.serverBudgetP95Ms,
      );
    })();
    if (!modeled && !(measured && measured.perNodeRps > 0)) {
      throw new InputError(`${dc}: ${measured ? `the measured capacity is unusable (SLO rate ${measured.sloRps}, ceiling ${measured.ceilingRps} req/s: no sweep step met the budget) and ` : 'no probe results and '}` +
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
  const { rtt, residency } = loadRoutingData();
  return buildPlan({ traffic, capacity, fleet, pricePerNodeMonth: prices, currency: hardware.currency, rtt, residency, settings, seed });
}

/**
 * An explicit --results must be a directory holding results of at least one planned DC (`<dir>/<dc>/`); otherwise
 * the plan would quietly fall back to modeled capacity.
 * @throws {InputError} naming the directory and what is missing
 */
async function checkResultsDir(dir: string, dcs: string[]): Promise<void> {
  const st = await stat(dir).catch((err: NodeJS.ErrnoException) => err);
  if (st instanceof Error) throw new InputError(`--results ${dir}: ${st.code === 'ENOENT' ? 'no such directory' : `cannot read it (${st.code ?? st.message})`}`);
  if (!st.isDirectory()) throw new InputError(`--results ${dir}: not a directory (expected <dir>/<dc>/points-probe.ndjson[.gz] per data center)`);
  const present = await Promise.all(dcs.map((dc) => stat(join(dir, dc)).then((s) => s.isDirectory(), () => false)));
  if (!present.some(Boolean)) {
    throw new InputError(`--results ${dir}: holds no results of a planned data center (expected a folder per DC with points-probe.ndjson[.gz]: ${dcs.map((dc) => join(dir, dc)).join(', ')})`);
  }
}

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}

/** Runs `caplab plan`. */
export const run: CommandRun<PlanOptions> = async ({ opts, global }) => {
  if ((opts.intents !== undefined || opts.candidates !== undefined) && !opts.optimize) throw new InputError(`${opts.intents !== undefined ? '--intents' : '--candidates'} is for --optimize`);
  if (opts.optimize && opts.traffic !== undefined) {
    throw new InputError('--optimize recomputes every country\'s design day from the forecast and the catalog: give --forecast (or neither), not --traffic');
  }
  const greedy = await computePlan(opts, global.seed);
  const plan = opts.optimize
    ? { ...greedy, optimized: await optimizePlan(greedy, { ...(opts.forecast ? { forecast: opts.forecast } : {}), ...(opts.catalog ? { catalog: opts.catalog } : {}), ...(opts.intents ? { intents: opts.intents } : {}), ...(opts.candidates ? { candidates: opts.candidates } : {}) }, global.seed) }
    : greedy;
  const json = `${JSON.stringify(plan, null, 2)}\n`;
  if (opts.json) {
    process.stdout.write(json);
    return EXIT.ok;
  }
  const path = join(global.outDir, 'plan.json');
  await writeFileAtomic(path, json);
  process.stdout.write(renderPlan(plan));
  if (!global.quiet) process.stdout.write(`\nwrote ${path}\n`);
  return EXIT.ok;
};
