/**
 * The scenarios stage: the probe, sweep, refinement and replay specs of every data center for one quarter
 * (scenarios/build.ts), with the budgets (the catalog's added) as the replay's thresholds, the TLS setting applied per
 * DC, and every spec validated before any is written; and the users file each DC's specs read, the first users of the
 * quarter's population that route to the DC. Values in, values out: traffic, plan, budgets document, targets and the
 * population are handed in.
 */
import { firstUsers } from '../models/population/first-users.ts';
import { createUserGenerator, MAX_USERS } from '../models/population/user.ts';
import { dcByCountry, type Routing } from '../models/routing/route.ts';
import type { Plan, Population, Traffic } from '../models/types.ts';
import { parseBudgets } from '../scenarios/budgets.ts';
import type { ScenarioSettings } from '../scenarios/build-settings.ts';
import { buildScenarios, type DcSpecs } from '../scenarios/build.ts';
import type { Catalog } from '../scenarios/catalog.ts';
import { withCatalogBudgets } from '../scenarios/catalog-budgets.ts';
import { parseScenarioSpec } from '../scenarios/spec.ts';
import { type InsecureSkipTLSVerifySetting, skipsTLSVerify, withInsecureSkipTLSVerify } from '../scenarios/tls-verify.ts';
import { type TransportOptions, transportOptionsOf } from '../scenarios/transport-options.ts';
import { StageInputError } from './errors.ts';
import { specFile } from './layout.ts';
import type { NamedDocument } from './document.ts';

/** Where specs point when no target is known: the port `caplab stack up --port 8080` gives the first DC. */
export const DEFAULT_TARGET = 'http://127.0.0.1:8080';

/** What the scenarios stage reads besides its request. */
export interface ScenariosData {
  /** data/scenarios.json. */
  scenarios: ScenarioSettings;
  /** data/defaults.json `users.quarter`: the quarter loaded when none is given and the traffic covers it. */
  defaultQuarter: string;
}

/** The scenarios stage's own inputs. */
export interface ScenariosRequest {
  traffic: Traffic;
  /** The plan for the replay (no plan: no replay). */
  plan?: Plan;
  /** The resolved catalog: its services' requests, budgets and TLS setting. */
  catalog: Catalog;
  /** A `caplab.budgets/v1` document. */
  budgets: NamedDocument;
  /** Quarter to load (default: data/defaults.json's when the traffic covers it, else the traffic's first). */
  quarter?: string;
  /** Base URL per DC of the traffic (see {@link resolveTargets}). */
  targets: Readonly<Record<string, string>>;
  /** Short smoke-run steps. */
  quick: boolean;
  /** Replay seconds per hour (campaign timeScale). */
  timeScale?: number;
  /** Replay per-node share (campaign rateScale). */
  rateScale?: number;
  /** The runner the specs are for (default engine): under k6 a catalog's k6 scripts run. */
  runner?: 'engine' | 'k6';
  /** Per-node ceilings that set the sweep's rates (the campaign's measured probe), instead of the plan's. */
  ceilings?: Readonly<Record<string, number>>;
  /** Per DC, the rate of a one-step refinement spec (the campaign's bisection of the SLO rate). */
  refineRates?: Readonly<Record<string, number>>;
  /** campaign.yaml `insecureSkipTLSVerify` (k6's option, for every DC or per DC; else the catalog's). */
  insecureSkipTLSVerify?: InsecureSkipTLSVerifySetting;
  /** k6 transport options per DC (campaign.yaml `targets` entries): each wins over the catalog's option of its name. */
  transport?: Readonly<Record<string, TransportOptions>>;
  /** The push node's scale (built-in stacks: data/scenarios.json connections.connectionScale; 1 for a user's): gives the connection probe. */
  pushScale?: number;
}

/** The specs built. */
export interface BuiltSpecs {
  /** Validated spec objects by DC and kind. */
  specs: Record<string, DcSpecs>;
  /** DCs without demand in the quarter, given no specs. */
  skipped: string[];
  /** The quarter loaded. */
  quarter: string;
}

/**
 * The quarter to load.
 * @param traffic the traffic (its quarters)
 * @param quarter the user's, if any
 * @param defaultQuarter data/defaults.json `users.quarter`
 * @returns the quarter
 * @throws {StageInputError} when the user's quarter is not in the traffic
 */
export function scenarioQuarter(traffic: Traffic, quarter: string | undefined, defaultQuarter: string): string {
  const quarters = Object.values(traffic.dcs)[0]!.map((q) => q.quarter);
  // Default: the quarter the population defaults to, when the traffic covers it.
  const q = quarter ?? (quarters.includes(defaultQuarter) ? defaultQuarter : quarters[0]!);
  if (!quarters.includes(q)) throw new StageInputError(`--quarter ${q} is not in the traffic (${quarters[0]} to ${quarters[quarters.length - 1]})`);
  return q;
}

/**
 * The base URL of each DC: the targets the user named (each DC must have one), else those of the running stacks, else
 * {@link DEFAULT_TARGET} for every DC.
 * @param dcs the traffic's DCs
 * @param named a targets file's URLs and the file's name, when the user gave one
 * @param running the URLs `caplab stack up` recorded, when there are some
 * @returns URL by DC
 * @throws {StageInputError} when the user's targets leave a DC out
 */
export function resolveTargets(dcs: readonly string[], named: { urls: Readonly<Record<string, string>>; source: string } | undefined, running: Readonly<Record<string, string>> | undefined): Record<string, string> {
  const urls = named?.urls ?? running ?? {};
  const missing = named ? dcs.filter((d) => !urls[d]) : [];
  if (missing.length > 0) throw new StageInputError(`${named!.source}: no URL for ${missing.join(', ')}`);
  return Object.fromEntries(dcs.map((d) => [d, urls[d] ?? DEFAULT_TARGET]));
}

/**
 * Builds and validates the specs of every DC.
 * @param req traffic, plan, catalog, budgets, quarter, targets and the campaign's settings
 * @param data scenario settings and the default quarter
 * @param seed seed of the users and the mix
 * @returns validated specs by DC and kind, the DCs skipped and the quarter
 * @throws {StageInputError} when the quarter is not in the traffic
 * @throws {ValidationError} on invalid budgets (or a builder bug producing an invalid spec)
 */
export function scenariosStage(req: ScenariosRequest, data: ScenariosData, seed: number): BuiltSpecs {
  const { catalog, traffic, plan } = req;
  const budgets = parseBudgets(req.budgets.doc, req.budgets.source);
  const quarter = scenarioQuarter(traffic, req.quarter, data.defaultQuarter);
  const built = buildScenarios({
    traffic, ...(plan ? { plan } : {}), ...(req.ceilings ? { ceilings: req.ceilings } : {}), catalog,
    budgets: withCatalogBudgets(budgets, catalog), settings: data.scenarios, quarter, targets: req.targets, seed, quick: req.quick,
    ...(req.timeScale !== undefined ? { secondsPerHour: req.timeScale } : {}),
    ...(req.rateScale !== undefined ? { rateScale: req.rateScale } : {}),
    ...(req.runner ? { runner: req.runner } : {}),
    ...(req.refineRates ? { refineRates: req.refineRates } : {}),
    ...(req.pushScale !== undefined ? { pushScale: req.pushScale } : {}),
  });
  const specs = Object.fromEntries(Object.entries(built.specs).map(([dc, kinds]) => {
    const skip = skipsTLSVerify(dc, req.insecureSkipTLSVerify, catalog.insecureSkipTLSVerify);
    const own = req.transport?.[dc];
    const withTarget = (spec: Record<string, unknown>): Record<string, unknown> =>
      (own ? { ...spec, options: { ...(spec.options as object), ...transportOptionsOf(own) } } : spec);
    return [dc, Object.fromEntries(Object.entries(kinds).map(([kind, spec]) => [kind, spec && withInsecureSkipTLSVerify(withTarget(spec), skip)])) as typeof kinds];
  }));
  // Validate every spec before writing any: a builder bug must not leave half a scenario set behind.
  for (const [dc, kinds] of Object.entries(specs)) {
    for (const [kind, spec] of Object.entries(kinds)) if (spec) parseScenarioSpec(spec, specFile(dc, kind));
  }
  return { specs, skipped: built.skipped, quarter };
}

/**
 * The users file of every DC of a routing: the first users of the population whose country routes to the DC, with
 * their `dc` filled in.
 * @param population the quarter's population
 * @param routing the placement's routing of the population's countries
 * @param seed seed of the users
 * @param perDc users per DC (data/scenarios.json usersPerDc)
 * @returns NDJSON text by DC; DCs that no user routes to are left out
 */
export function dcUsersFiles(population: Population, routing: Routing, seed: number, perDc: number): Record<string, string> {
  const byCountry = dcByCountry(routing);
  const gen = createUserGenerator(seed, population, { dcByCountry: byCountry });
  const out: Record<string, string> = {};
  for (const dc of routing.dcs) {
    const served = population.countries.map((c) => byCountry[c.code] === dc);
    // Small DCs hold a tiny share of users: look far enough to fill the file, but never forever.
    const share = population.countries.reduce((s, c, i) => s + (served[i] ? c.share : 0), 0);
    if (!(share > 0)) continue;
    const limit = Math.min(MAX_USERS, Math.ceil((perDc / Math.max(share, 1e-9)) * 4) + 1000);
    const { text, count } = firstUsers(gen, (i) => served[gen.countryIndex(i)]!, perDc, limit);
    if (count > 0) out[dc] = text;
  }
  return out;
}
