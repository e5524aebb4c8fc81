/**
 * The stage chain fed from files, for the commands that start from flags (forecast, traffic, users, plan, scenarios
 * build) and for tests: each function reads what its flags name (cli/inputs) and asks pipeline/chain.ts for the
 * stage's output, which computes what was not given (a plan without --traffic computes the traffic from the
 * forecast, itself from the history). The campaign builds its chain itself, from values.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { OptimizedPlacement } from '../models/capacity/optimize/result.ts';
import { FleetSchema } from '../models/capacity/settings.ts';
import type { GrowthModelName } from '../models/growth/model.ts';
import type { RoutingComparison } from '../models/routing/compare.ts';
import type { Forecast, Plan, Population, Traffic } from '../models/types.ts';
import { parseWith } from '../models/validation.ts';
import { type Chain, chain, type ChainGiven } from '../pipeline/chain.ts';
import type { ForecastChoices } from '../pipeline/forecast.ts';
import { BUDGETS, STACKS } from '../pipeline/layout.ts';
import { placementProblems as problemsOf, type QuarterProblems } from '../pipeline/optimize.ts';
import { type BuiltSpecs, resolveTargets } from '../pipeline/scenarios.ts';
import type { Catalog } from '../scenarios/catalog.ts';
import type { DcSpecs } from '../scenarios/build.ts';
import type { InsecureSkipTLSVerifySetting } from '../scenarios/tls-verify.ts';
import { DATA_DIR, loadData } from './data.ts';
import { loadHighs } from './highs.ts';
import { catalogOf, readObservedDemand } from './inputs/catalog.ts';
import { InputError } from './errors.ts';
import { chainData } from './inputs/chain-data.ts';
import { readDemandFile } from './inputs/demand.ts';
import { readForecastFile } from './inputs/forecast.ts';
import { loadHistory } from './inputs/history.ts';
import { readCandidates, readIntents } from './inputs/intents.ts';
import { readDocument, readJson } from './inputs/json.ts';
import { measuredCapacities, measuredConnections } from './inputs/measurements.ts';
import { BudgetsSchema } from '../scenarios/budgets.ts';
import { pushServiceOf, replyBudgetMs } from '../scenarios/build-push.ts';
import { withCatalogBudgets } from '../scenarios/catalog-budgets.ts';
import { loadPlacement } from './inputs/routing.ts';
import { readTrafficFile } from './inputs/traffic.ts';

/** The placement problems of a plan's quarters (pipeline/optimize.ts). */
export type { QuarterProblems };

/** The forecast's flags (`caplab forecast`, a campaign's `forecast`). */
export interface ForecastFlags extends ForecastChoices {
  /** A `.csv` or `.json` shipment history instead of data/history.json. */
  history?: string;
  model?: GrowthModelName | 'auto';
}

/** The traffic's flags (`caplab traffic`). */
export interface TrafficFlags {
  /** forecast.json to start from (default: computed from data/). */
  forecast?: string;
  /** Built-in placement name or placement file (default seed-4dc). */
  placement?: string;
  /** Placement to compare RTTs against (default beijing-only). */
  baseline?: string;
  from?: string;
  to?: string;
  /** A `caplab.demand/v1` file whose services replace or extend the catalog's. */
  demand?: string;
  /** A `caplab.catalog/v1` file whose services' demand is planned (default: data/catalog.json). */
  catalog?: string;
}

/** The population's flags (`caplab users`). */
export interface PopulationFlags {
  quarter?: string;
  forecast?: string;
}

/** The plan's flags (`caplab plan`). */
export interface PlanFlags {
  forecast?: string;
  traffic?: string;
  fleet?: string;
  results?: string;
  /** The service catalog, loaded or a file (default: data/catalog.json): its demand and its services' modeled times. */
  catalog?: Catalog | string;
  /** Also solve the least-cost placement under the intents (plan.json `optimized`). */
  optimize?: boolean;
  /** A `caplab.intents/v1` file for --optimize (default data/intents.json). */
  intents?: string;
  /** A `caplab.candidates/v1` file of what-if sites for --optimize. */
  candidates?: string;
  /** Scale the demand so the model's peak at the fleet's as-of quarter is what today's fleet serves. */
  calibrateFleet?: boolean;
}

/** The scenario builder's flags (`caplab scenarios build`). */
export interface ScenariosFlags {
  traffic?: string;
  plan?: string;
  budgets?: string;
  quarter?: string;
  targets?: string;
  quick: boolean;
  /** Targets already known, instead of a file. */
  targetUrls?: Record<string, string>;
  /** Replay seconds per hour. */
  timeScale?: number;
  /** Replay per-node share. */
  rateScale?: number;
  /** The service catalog, loaded or a file (default: data/catalog.json). */
  catalog?: Catalog | string;
  /** Per-node ceilings that set the sweep's rates, instead of the plan's. */
  ceilings?: Record<string, number>;
  /** The runner the specs are for (default engine): under k6 a catalog's k6 scripts run. */
  runner?: 'engine' | 'k6';
  /** Build the replay from a plan (default true). */
  replay?: boolean;
  /** k6's insecureSkipTLSVerify, for every DC or per DC (else the catalog's). */
  insecureSkipTLSVerify?: InsecureSkipTLSVerifySetting;
  /** Per DC, the rate of a one-step refinement spec. */
  refineRates?: Record<string, number>;
}

/**
 * The forecast's choices among a forecast's flags (a command's options, a campaign's `forecast`).
 * @param f the flags (absent: no choices, every default)
 * @returns the choices that were set
 */
export function forecastChoices(f: Partial<ForecastFlags> | undefined = {}): ForecastChoices {
  const keys = ['target', 'horizon', 'model', 'draws', 'backtest', 'select', 'analogues'] as const;
  return Object.fromEntries(keys.filter((k) => f[k] !== undefined).map((k) => [k, f[k]])) as ForecastChoices;
}

/**
 * The forecast from flags and data/ (`caplab forecast`).
 * @param opts the forecast's flags
 * @param seed seed
 * @returns the forecast
 * @throws {InputError} on an unreadable history
 * @throws {StageInputError} on a flag combination the forecast refuses
 * @throws {ValidationError} on a bad history, data files or horizon
 */
export async function computeForecast(opts: Partial<ForecastFlags>, seed: number): Promise<Forecast> {
  const history = opts.history !== undefined ? await loadHistory(opts.history) : undefined;
  return chain({ ...(history ? { history } : {}), forecastChoices: forecastChoices(opts) }, chainData(), seed).forecast();
}

/**
 * traffic.json's content and the comparison with the baseline placement (`caplab traffic`).
 * @param opts the traffic's flags
 * @param seed seed for a computed forecast
 * @param catalog an already loaded catalog, which takes the place of `opts.catalog`
 * @returns traffic and comparison
 * @throws {InputError} on unreadable inputs
 * @throws {StageInputError} on a bad quarter range
 * @throws {ValidationError} on invalid data files, forecast, catalog or demand file
 * @example const { traffic } = await computeTraffic({ demand: 'caplab-out/demand.json' }, 1)
 */
export async function computeTraffic(opts: Partial<TrafficFlags>, seed: number, catalog?: Catalog): Promise<{ traffic: Traffic; comparison?: RoutingComparison }> {
  const data = chainData();
  const cat = await catalogOf(catalog ?? opts.catalog, undefined);
  const given: ChainGiven = {
    ...(opts.forecast !== undefined ? { forecast: await readForecastFile(opts.forecast) } : {}),
    placement: await loadPlacement(opts.placement, data.world),
    ...(opts.baseline ?? data.world.baseline ? { baseline: await loadPlacement(opts.baseline ?? data.world.baseline, data.world) } : {}),
    ...(opts.from !== undefined ? { from: opts.from } : {}), ...(opts.to !== undefined ? { to: opts.to } : {}),
    catalog: cat, observed: await readObservedDemand(cat),
    ...(opts.demand !== undefined ? { calibration: await readDemandFile(opts.demand) } : {}),
  };
  const { traffic, comparison } = chain(given, data, seed).traffic();
  return { traffic, ...(comparison ? { comparison } : {}) };
}

/**
 * The population of a quarter from a forecast file or the forecast computed from data/ (`caplab users`).
 * @param opts quarter and forecast file
 * @param seed seed
 * @returns the population
 * @throws {InputError} when the forecast file cannot be read or parsed
 * @throws {ValidationError} when the forecast file, data files or quarter are invalid
 */
export async function computePopulation(opts: PopulationFlags, seed: number): Promise<Population> {
  const forecast = opts.forecast !== undefined ? await readForecastFile(opts.forecast) : undefined;
  return chain(forecast ? { forecast } : {}, chainData(), seed).population(opts.quarter);
}

/** The chain of `caplab plan`: its inputs read, the measured capacity of --results included. */
async function planChain(opts: Partial<PlanFlags>, seed: number): Promise<Chain> {
  const data = chainData();
  const catalog = await catalogOf(opts.catalog, undefined);
  const traffic = opts.traffic !== undefined ? await readTrafficFile(opts.traffic) : undefined;
  const given: ChainGiven = {
    catalog, observed: await readObservedDemand(catalog),
    ...(traffic ? { traffic } : opts.forecast !== undefined ? { forecast: await readForecastFile(opts.forecast) } : {}),
    placement: await loadPlacement(undefined, data.world),
    ...(opts.fleet !== undefined ? { fleet: { fleet: parseWith(FleetSchema, await readJson(opts.fleet, 'fleet file'), opts.fleet), source: opts.fleet } } : {}),
    ...(opts.optimize ? { intents: await readIntents(opts.intents), ...(opts.candidates !== undefined ? { candidates: await readCandidates(opts.candidates) } : {}) } : {}),
    ...(opts.calibrateFleet ? { calibrateToFleet: true } : {}),
  };
  if (opts.calibrateFleet && traffic) throw new InputError('--calibrate-fleet scales the demand the traffic is computed from: it cannot be used with --traffic (use --forecast)');
  const c = chain(given, data, seed);
  if (opts.results === undefined) return c;
  // Measured capacity is read for the DCs of the traffic, which the chain may compute first.
  const dcs = Object.keys(c.traffic().traffic.dcs);
  // A push service's connection probe, where the results hold one, judged by data/budgets.json (the catalog's added).
  const push = pushServiceOf(catalog.services);
  const budgets = push ? withCatalogBudgets(loadData(BUDGETS, BudgetsSchema), catalog) : undefined;
  const replyBudget = (d: string): number => (push && budgets ? replyBudgetMs(budgets, push.name, d) : undefined) ?? data.planner.serverBudgetP95Ms;
  return c.with({
    measured: await measuredCapacities(opts.results, dcs, data.scenarios.probe.warmupSeconds, data.planner.serverBudgetP95Ms),
    ...(push ? { measuredConnections: await measuredConnections(opts.results, dcs, data.scenarios.connections.warmupSeconds, replyBudget) } : {}),
  });
}

/**
 * plan.json's content (`caplab plan`), with the optimized placement under `optimize`.
 * @param opts forecast, traffic, fleet, results, catalog, optimize, intents, candidates (each optional)
 * @param seed seed
 * @returns the plan
 * @throws {InputError} on unreadable files, or a --results that is missing, not a directory or holds no planned DC
 * @throws {StageInputError} on a DC without hardware, or without a usable measurement and a modeled time
 * @throws {ValidationError} on invalid files, a fleet naming an unknown data center, or intents no plan meets
 */
export async function computePlan(opts: Partial<PlanFlags>, seed: number): Promise<Plan> {
  const c = await planChain(opts, seed);
  const greedy = c.plan();
  return opts.optimize ? { ...greedy, optimized: c.optimized(await loadHighs()) } : greedy;
}

/** What the optimizer needs besides a plan. */
export interface OptimizeFlags {
  /** forecast.json (default: computed from data/ with the seed). */
  forecast?: string;
  /** The catalog whose demand was planned. */
  catalog?: Catalog | string;
  /** A `caplab.intents/v1` file (default data/intents.json). */
  intents?: string;
  /** A `caplab.candidates/v1` file of what-if sites, each tried alone and all together. */
  candidates?: string;
}

/** What the optimizer is given for a plan already made: the plan, its catalog's demand, intents, candidates, forecast. */
async function optimizeGiven(plan: Plan, opts: OptimizeFlags): Promise<ChainGiven & Required<Pick<ChainGiven, 'intents'>>> {
  const catalog = await catalogOf(opts.catalog, undefined);
  return {
    plan, catalog, observed: await readObservedDemand(catalog), intents: await readIntents(opts.intents),
    ...(opts.candidates !== undefined ? { candidates: await readCandidates(opts.candidates) } : {}),
    ...(opts.forecast !== undefined ? { forecast: await readForecastFile(opts.forecast) } : {}),
  };
}

/**
 * The optimized placement of a plan (tests and benchmarks; `caplab plan --optimize` goes through {@link computePlan}).
 * @param plan the greedy plan
 * @param opts forecast, catalog, intents, candidates
 * @param seed seed of a computed forecast
 * @returns the optimized section
 * @throws {InputError} on an unreadable intents file
 * @throws {ValidationError} on invalid intents, or listing the conflicting intents of a quarter no plan meets
 */
export async function optimizePlan(plan: Plan, opts: OptimizeFlags, seed: number): Promise<OptimizedPlacement> {
  return chain(await optimizeGiven(plan, opts), chainData(), seed).optimized(await loadHighs());
}

/**
 * The placement problem of every quarter of a plan (tests and benchmarks).
 * @param plan the greedy plan
 * @param opts forecast, catalog, intents, candidates
 * @param seed seed of a computed forecast
 * @returns one problem per quarter
 * @throws {InputError} on an unreadable intents file
 * @throws {ValidationError} on invalid intents
 */
export async function placementProblems(plan: Plan, opts: OptimizeFlags, seed: number): Promise<QuarterProblems> {
  const given = await optimizeGiven(plan, opts);
  const data = chainData();
  const c = chain(given, data, seed);
  return problemsOf({ plan, forecast: c.forecast(), services: c.services(), intents: given.intents, ...(given.candidates ? { candidates: given.candidates } : {}) }, data);
}

const TargetsSchema = z.record(z.string(), z.url({ protocol: /^https?$/ }));
const PlanFileSchema = z.object({ schema: z.literal('caplab.plan/v1'), dcs: z.record(z.string(), z.object({}).loose()) }).loose();

/**
 * The targets the user named or `caplab stack up` recorded: `--targets F` (JSON dc -> URL), else <out-dir>/stacks.json.
 * @returns the named and the running targets (either absent)
 */
async function readTargets(targets: string | undefined, outDir: string): Promise<{ named?: { urls: Record<string, string>; source: string }; running?: Record<string, string> }> {
  if (targets !== undefined) return { named: { urls: parseWith(TargetsSchema, await readJson(targets, 'targets file'), targets), source: targets } };
  const path = join(outDir, STACKS);
  if (!existsSync(path)) return {};
  return { running: parseWith(z.object({ urls: TargetsSchema }).loose(), await readJson(path, 'stacks file'), path).urls };
}

/**
 * Builds and validates the specs of every DC, with each DC's users file (`caplab scenarios build`).
 * @param opts inputs and flags
 * @param outDir output directory (for stacks.json)
 * @param seed seed
 * @returns validated spec objects by DC and kind, the DCs skipped, the quarter and the users files by DC
 * @throws {InputError} on unreadable inputs
 * @throws {StageInputError} on a quarter not in the traffic, or targets that leave a DC out
 * @throws {ValidationError} on invalid inputs (or a builder bug producing an invalid spec)
 */
export async function computeScenarios(opts: Partial<ScenariosFlags>, outDir: string, seed: number): Promise<BuiltSpecs & { specs: Record<string, DcSpecs>; users: Record<string, string> }> {
  const data = chainData();
  const catalog = await catalogOf(opts.catalog, opts.runner ?? 'engine');
  const traffic = opts.traffic !== undefined ? await readTrafficFile(opts.traffic) : undefined;
  const plan = opts.replay !== false && opts.plan !== undefined ? parseWith(PlanFileSchema, await readJson(opts.plan, 'plan file'), opts.plan) as unknown as Plan : undefined;
  const c = chain({
    catalog, observed: await readObservedDemand(catalog), placement: await loadPlacement(undefined, data.world),
    ...(traffic ? { traffic } : {}), ...(plan ? { plan } : {}),
  }, data, seed);
  const budgetsPath = opts.budgets ?? join(DATA_DIR, BUDGETS);
  const budgets = { doc: await readDocument(budgetsPath, 'budgets file'), source: opts.budgets ?? `data/${BUDGETS}` };
  const t = c.traffic().traffic;
  const dcs = Object.keys(t.dcs);
  let targets = opts.targetUrls;
  if (!targets) {
    const { named, running } = await readTargets(opts.targets, outDir);
    targets = resolveTargets(dcs, named, running);
  }
  const built = c.scenarios({
    budgets, targets, quick: opts.quick ?? false,
    ...(opts.quarter !== undefined ? { quarter: opts.quarter } : {}),
    ...(opts.replay === false ? { replay: false } : {}),
    ...(opts.ceilings ? { ceilings: opts.ceilings } : {}),
    ...(opts.refineRates ? { refineRates: opts.refineRates } : {}),
    ...(opts.timeScale !== undefined ? { timeScale: opts.timeScale } : {}),
    ...(opts.rateScale !== undefined ? { rateScale: opts.rateScale } : {}),
    ...(opts.runner ? { runner: opts.runner } : {}),
    ...(opts.insecureSkipTLSVerify !== undefined ? { insecureSkipTLSVerify: opts.insecureSkipTLSVerify } : {}),
  });
  // The users follow the population of the forecast computed from data/ (the traffic's, when it was computed too).
  const users = c.usersFiles(built.quarter, await loadPlacement(t.placement, data.world));
  return { ...built, users };
}
