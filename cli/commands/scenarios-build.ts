/**
 * `caplab scenarios build`: write the probe, sweep and replay specs of every data center for one quarter into
 * <out-dir>/scenarios/, each validated with the scenario schema before anything is written, with the users file
 * each spec reads (`users-<dc>.ndjson`, the DC's users of the quarter's population).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { TrafficFileSchema } from '../../models/traffic/traffic-file.ts';
import type { Plan, Traffic } from '../../models/types.ts';
import { parseWith } from '../../models/validation.ts';
import { parseBudgets } from '../../scenarios/budgets.ts';
import { ScenarioSettingsSchema } from '../../scenarios/build-settings.ts';
import { buildScenarios } from '../../scenarios/build.ts';
import type { Catalog } from '../../scenarios/catalog.ts';
import { withCatalogBudgets } from '../../scenarios/catalog-budgets.ts';
import { catalogOf } from '../inputs/catalog.ts';
import { parseScenarioSpec } from '../../scenarios/spec.ts';
import { type InsecureSkipTLSVerifySetting, skipsTLSVerify, withInsecureSkipTLSVerify } from '../../scenarios/tls-verify.ts';
import type { CommandRun } from '../context.ts';
import { DATA_DIR, loadData, loadDefaults } from '../data.ts';
import { EXIT, InputError } from '../errors.ts';
import { parseJsonInput, parseYamlInput, readTextInput, writeFileAtomic } from '../io.ts';
import { readJson } from '../inputs/json.ts';
import { dcUsersFiles } from '../dc-users.ts';
import { computePlan } from './plan.ts';
import { computeTraffic } from './traffic.ts';

/** Options of `caplab scenarios build`. */
export interface ScenariosBuildOptions {
  traffic?: string;
  plan?: string;
  budgets?: string;
  quarter?: string;
  targets?: string;
  quick: boolean;
  /** Targets already known (the campaign's stacks), instead of a file. */
  targetUrls?: Record<string, string>;
  /** Replay seconds per hour (campaign timeScale). */
  timeScale?: number;
  /** Replay per-node share (campaign rateScale). */
  rateScale?: number;
  /** The service catalog, loaded or a file (default: data/catalog.json). */
  catalog?: Catalog | string;
  /** Per-node ceilings that set the sweep's rates (the campaign's measured probe), instead of the plan's. */
  ceilings?: Record<string, number>;
  /** The runner the specs are for (campaign `runner`; default engine): under k6 a catalog's k6 scripts run. */
  runner?: 'engine' | 'k6';
  /** Build the replay from a plan (default true; the campaign builds probe and sweep before it has one). */
  replay?: boolean;
  /** campaign.yaml `insecureSkipTLSVerify` (k6's option, for every DC or per DC; else the catalog's). */
  insecureSkipTLSVerify?: InsecureSkipTLSVerifySetting;
  /** Per DC, the rate of a one-step refinement spec (the campaign's bisection of the SLO rate). */
  refineRates?: Record<string, number>;
}

const TargetsSchema = z.record(z.string(), z.url({ protocol: /^https?$/ }));
const PlanFileSchema = z.object({ schema: z.literal('caplab.plan/v1'), dcs: z.record(z.string(), z.object({}).loose()) }).loose();
/** Where specs point when no target is known: the port `caplab stack up --port 8080` gives the first DC. */
const DEFAULT_TARGET = 'http://127.0.0.1:8080';

/**
 * Resolves the base URL of each DC: `--targets F` (JSON dc -> URL), else <out-dir>/stacks.json written by
 * `caplab stack up`, else the default local port for every DC.
 */
async function resolveTargets(opts: Partial<ScenariosBuildOptions>, outDir: string, dcs: readonly string[]): Promise<Record<string, string>> {
  let urls: Record<string, string> = {};
  if (opts.targets) {
    urls = parseWith(TargetsSchema, await readJson(opts.targets, 'targets file'), opts.targets);
  } else if (existsSync(join(outDir, 'stacks.json'))) {
    const path = join(outDir, 'stacks.json');
    urls = parseWith(z.object({ urls: TargetsSchema }).loose(), await readJson(path, 'stacks file'), path).urls;
  }
  const missing = opts.targets ? dcs.filter((d) => !urls[d]) : [];
  if (missing.length > 0) throw new InputError(`${opts.targets}: no URL for ${missing.join(', ')}`);
  return Object.fromEntries(dcs.map((d) => [d, urls[d] ?? DEFAULT_TARGET]));
}

/**
 * Builds and validates the specs.
 * @param opts inputs and flags
 * @param outDir output directory (for stacks.json)
 * @param seed seed
 * @returns validated spec objects by DC and kind
 * @throws {InputError} on unreadable inputs or a missing quarter
 * @throws {ValidationError} on invalid inputs (or a builder bug producing an invalid spec)
 */
export async function computeScenarios(opts: Partial<ScenariosBuildOptions>, outDir: string, seed: number) {
  const catalog = await catalogOf(opts.catalog, opts.runner ?? 'engine');
  const traffic: Traffic = opts.traffic
    ? parseWith(TrafficFileSchema, await readJson(opts.traffic, 'traffic file'), opts.traffic)
    : (await computeTraffic({}, seed, catalog)).traffic;
  const plan: Plan | undefined = opts.replay === false ? undefined : opts.plan
    ? (parseWith(PlanFileSchema, await readJson(opts.plan, 'plan file'), opts.plan) as unknown as Plan)
    : await computePlan({ traffic: opts.traffic, catalog }, seed);
  const budgetsPath = opts.budgets ?? join(DATA_DIR, 'budgets.json');
  const budgetsText = await readTextInput(budgetsPath, 'budgets file');
  const budgets = parseBudgets(/\.ya?ml$/i.test(budgetsPath) ? parseYamlInput(budgetsText, budgetsPath) : parseJsonInput(budgetsText, budgetsPath), opts.budgets ?? 'data/budgets.json');
  const quarters = Object.values(traffic.dcs)[0]!.map((q) => q.quarter);
  // Default: the quarter the population defaults to (data/defaults.json), when the traffic covers it.
  const preferred = loadDefaults().users.quarter;
  const quarter = opts.quarter ?? (quarters.includes(preferred) ? preferred : quarters[0]!);
  if (!quarters.includes(quarter)) throw new InputError(`--quarter ${quarter} is not in the traffic (${quarters[0]} to ${quarters[quarters.length - 1]})`);
  const settings = loadData('scenarios.json', ScenarioSettingsSchema);
  const targets = opts.targetUrls ?? await resolveTargets(opts, outDir, Object.keys(traffic.dcs));
  const built = buildScenarios({
    traffic, ...(plan ? { plan } : {}), ...(opts.ceilings ? { ceilings: opts.ceilings } : {}), catalog,
    budgets: withCatalogBudgets(budgets, catalog), settings, quarter, targets, seed, quick: opts.quick ?? false,
    ...(opts.timeScale !== undefined ? { secondsPerHour: opts.timeScale } : {}),
    ...(opts.rateScale !== undefined ? { rateScale: opts.rateScale } : {}),
    ...(opts.runner ? { runner: opts.runner } : {}),
    ...(opts.refineRates ? { refineRates: opts.refineRates } : {}),
  });
  const { skipped } = built;
  const specs = Object.fromEntries(Object.entries(built.specs).map(([dc, kinds]) => {
    const skip = skipsTLSVerify(dc, opts.insecureSkipTLSVerify, catalog.insecureSkipTLSVerify);
    return [dc, Object.fromEntries(Object.entries(kinds).map(([kind, spec]) => [kind, spec && withInsecureSkipTLSVerify(spec, skip)])) as typeof kinds];
  }));
  // Validate every spec before writing any: a builder bug must not leave half a scenario set behind.
  for (const [dc, kinds] of Object.entries(specs)) {
    for (const [kind, spec] of Object.entries(kinds)) if (spec) parseScenarioSpec(spec, `scenarios/${dc}-${kind}.json`);
  }
  const users = await dcUsersFiles(seed, quarter, traffic.placement, settings.usersPerDc);
  return { specs, skipped, quarter, users };
}

/** Runs `caplab scenarios build`. */
export const run: CommandRun<ScenariosBuildOptions> = async ({ opts, global }) => {
  const { specs, skipped, quarter, users } = await computeScenarios(opts, global.outDir, global.seed);
  const written: string[] = [];
  for (const [dc, text] of Object.entries(users).filter(([d]) => specs[d] !== undefined)) {
    const path = join(global.outDir, 'scenarios', `users-${dc}.ndjson`);
    await writeFileAtomic(path, text);
    written.push(path);
  }
  for (const [dc, kinds] of Object.entries(specs)) {
    for (const [kind, spec] of Object.entries(kinds)) {
      if (!spec) continue;
      const path = join(global.outDir, 'scenarios', `${dc}-${kind}.json`);
      await writeFileAtomic(path, `${JSON.stringify(spec, null, 2)}\n`);
      written.push(path);
    }
  }
  if (!global.quiet) {
    process.stdout.write(`scenarios for ${quarter}${opts.quick ? ' (quick)' : ''}:\n${written.map((p) => `  ${p}`).join('\n')}\n`);
    if (skipped.length > 0) process.stdout.write(`no demand in ${quarter}, no scenarios for: ${skipped.join(', ')}\n`);
  }
  return EXIT.ok;
};
