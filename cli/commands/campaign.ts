/**
 * `caplab campaign [campaign.yaml] [--quick]`: the whole lab in one command. forecast -> traffic -> users ->
 * scenarios -> probe and sweep per DC (one node, WAN off) -> plan on the measured capacity -> replay per DC at one
 * node's planned share (WAN on) -> report. Starts the built-in stacks on 127.0.0.1 when the campaign names no
 * targets and stops them at the end, on failure and on Ctrl-C; load runs in child processes (they stop gracefully
 * on an interrupt and write their outputs); every file is written under a temporary name and renamed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Plan } from '../../models/types.ts';
import type { Catalog } from '../../scenarios/catalog.ts';
import { startStacks, type RunningStacks } from '../../stacks/start.ts';
import { type Campaign, readCampaign } from '../campaign/config.ts';
import { childFailure, createChildren, type ChildResult } from '../campaign/children.ts';
import type { CommandRun } from '../context.ts';
import { loadData, loadDefaults } from '../data.ts';
import { loadCatalog } from '../catalog.ts';
import { measuredCapacity } from '../measured-capacity.ts';
import { ValidationError } from '../../models/errors.ts';
import { PlannerSettingsSchema } from '../../models/capacity/settings.ts';
import { ScenarioSettingsSchema } from '../../scenarios/build-settings.ts';
import { EXIT, InputError, InterruptedError, ScriptError } from '../errors.ts';
import { readTextInput, writeFileAtomic } from '../io.ts';
import { renderPlan } from '../print/plan.ts';
import { startProgress } from '../progress.ts';
import { computeForecast, forecastJson } from './forecast.ts';
import { optimizeInputProblems, optimizePlan } from '../optimize.ts';
import { loadPlacement, loadRoutingData } from '../routing.ts';
import { computePlan } from './plan.ts';
import { computeScenarios } from './scenarios-build.ts';
import { computePopulation } from './users.ts';
import { computeTraffic, trafficJson } from './traffic.ts';

/** Options of `caplab campaign`. */
export interface CampaignOptions {
  quick?: boolean;
}

const STAGES = ['forecast', 'traffic', 'users and scenarios', 'stacks', 'probe', 'sweep', 'plan', 'replay', 'report'] as const;

const json = (v: unknown): string => `${JSON.stringify(v, null, 2)}\n`;

/** Makes directories (and their parents), naming the one that cannot be made. */
async function makeDirs(dirs: string[]): Promise<void> {
  for (const dir of dirs) {
    try {
      await mkdir(dir, { recursive: true });
    } catch (err) {
      throw new ScriptError(`cannot create the output directory ${dir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }
}

/**
 * Each DC's per-node USL ceiling from its probe (capacity/<dc>/points-probe.ndjson.gz), which sets the sweep's rates.
 * A DC whose probe gives no ceiling sweeps at its modeled ceiling when it has one (as the scenario builder does
 * without a measurement), and the campaign says so; the plan then judges the measurement again.
 * @param modeled per-node modeled ceilings by DC, when every service of the DC has a modeled service time
 * @param warn where the fallback is reported
 * @throws {CliError} 107 when a probe cannot be fitted and there is no model: the measurement failed, not the input
 */
async function probeCeilings(capacityDir: string, dcs: readonly string[], modeled: () => Promise<Record<string, number> | undefined>, warn: (line: string) => void): Promise<Record<string, number>> {
  const settings = loadData('scenarios.json', ScenarioSettingsSchema);
  const budget = loadData('planner.json', PlannerSettingsSchema).serverBudgetP95Ms;
  const out: Record<string, number> = {};
  for (const dc of dcs) {
    try {
      const cap = await measuredCapacity(capacityDir, dc, settings.probe.warmupSeconds, budget);
      if (cap && cap.ceilingRps > 0) out[dc] = cap.ceilingRps;
      else throw new Error(cap ? `the USL fit gives no positive ceiling (${cap.ceilingRps})` : 'no probe points');
    } catch (err) {
      const problems = err instanceof ValidationError ? `: ${err.problems.map((p) => `${p.where}: ${p.message}`).join('; ')}` : '';
      const why = `probe of ${dc} measured no ceiling to sweep from (${(err as Error).message}${problems})`;
      const model = (await modeled())?.[dc];
      if (!(model !== undefined && model > 0)) throw new ScriptError(why);
      warn(`${why}: sweeping at the modeled ceiling, ${model} req/s`);
      out[dc] = model;
    }
  }
  return out;
}

/**
 * Reads campaign.yaml when given (else the empty campaign: all defaults) and its service catalog (else
 * data/catalog.json), listing the problems of both at once.
 * @throws {ValidationError} with every problem of the campaign and of its catalog
 */
async function loadCampaign(path: string | undefined): Promise<{ campaign: Campaign; catalog: Catalog }> {
  const source = path === undefined ? undefined : resolve(path);
  const read = source === undefined ? { campaign: {}, problems: [] } : readCampaign(await readTextInput(source, 'campaign file'), source);
  const runner = read.campaign?.runner ?? loadDefaults().campaign.runner;
  const problems = [...read.problems];
  let catalog: Catalog | undefined;
  try {
    catalog = await loadCatalog(read.catalog, runner);
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    problems.push(...err.problems);
  }
  if (!read.campaign || !catalog || problems.length > 0) throw new ValidationError(`${source ?? 'the campaign'} is invalid`, problems);
  return { campaign: read.campaign, catalog };
}

/** Runs `caplab campaign`. */
export const run: CommandRun<CampaignOptions> = async ({ args, opts, global }) => {
  // The campaign and its services (its own catalog, else data/catalog.json, the built-in API's), read and checked
  // before anything is written.
  const { campaign, catalog } = await loadCampaign(args[0]);
  const defaults = loadDefaults().campaign;
  const quick = opts.quick === true || campaign.quick === true || defaults.quick;
  const seed = campaign.seed ?? global.seed;
  const out = resolve(global.outDir);
  const placement = campaign.placement ?? defaults.placement;
  const runner = campaign.runner ?? defaults.runner;
  if (campaign.dcs === undefined) {
    // The optimized placement's intents and what-if sites, checked now rather than after the load runs.
    const dcs = (await loadPlacement(placement, loadRoutingData().rtt)).dcs;
    const problems = await optimizeInputProblems({ ...(campaign.intents ? { intents: campaign.intents } : {}), ...(campaign.candidates ? { candidates: campaign.candidates } : {}) }, dcs);
    if (problems.length > 0) throw new ValidationError(`${args[0] ?? 'the campaign'}: the optimized placement's inputs are invalid`, problems);
  }
  const progress = startProgress('campaign', STAGES.length, global.quiet);
  const log = (line: string): void => {
    if (!global.quiet && !process.stderr.isTTY) process.stderr.write(`${line}\n`);
  };
  let stageNo = 0;
  const stage = async <T>(name: (typeof STAGES)[number], work: () => Promise<T>): Promise<T> => {
    if (interrupted) throw new InterruptedError('campaign interrupted: completed stages are in the campaign directory');
    const t0 = performance.now();
    const result = await work();
    stageNo++;
    progress.update(stageNo);
    log(`[${stageNo}/${STAGES.length}] ${name}: done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    return result;
  };

  const children = createChildren();
  let interrupted = false;
  const onSignal = (): void => {
    interrupted = true;
    children.interrupt();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const stacks: RunningStacks[] = [];
  const scratch = mkdtempSync(join(tmpdir(), 'caplab-campaign-'));
  try {
    const forecastPath = join(out, 'forecast.json');
    await stage('forecast', async () => {
      const f = await computeForecast({ ...campaign.forecast }, seed);
      await writeFileAtomic(forecastPath, forecastJson(f));
    });

    const trafficPath = join(out, 'traffic.json');
    const traffic = await stage('traffic', async () => {
      const { traffic: t } = await computeTraffic({ forecast: forecastPath, placement }, seed, catalog);
      if (campaign.dcs) {
        const unknown = campaign.dcs.filter((d) => !t.dcs[d]);
        if (unknown.length > 0) throw new InputError(`campaign dcs: ${unknown.join(', ')} not in placement ${t.placement} (${Object.keys(t.dcs).join(', ')})`);
        t.dcs = Object.fromEntries(Object.entries(t.dcs).filter(([d]) => campaign.dcs!.includes(d)));
      }
      await writeFileAtomic(trafficPath, trafficJson(t));
      return t;
    });
    const dcs = Object.keys(traffic.dcs);

    let budgetsPath: string | undefined;
    if (campaign.budgets !== undefined) {
      budgetsPath = typeof campaign.budgets === 'string' ? campaign.budgets : join(out, 'budgets.json');
      if (typeof campaign.budgets !== 'string') await writeFileAtomic(budgetsPath, json(campaign.budgets));
    }
    const quarter = await stage('users and scenarios', async () => {
      const q = campaign.quarter ?? loadDefaults().users.quarter;
      await writeFileAtomic(join(out, 'population.json'), json(await computePopulation({ quarter: q, forecast: forecastPath }, seed)));
      return q;
    });

    const { near, far } = await stage('stacks', async () => {
      if (campaign.targets) {
        const missing = dcs.filter((d) => !campaign.targets![d]);
        if (missing.length > 0) throw new InputError(`campaign targets: no URL for ${missing.join(', ')}`);
        return { near: campaign.targets, far: campaign.targets };
      }
      const n = await startStacks({ dataDir: join(scratch, 'near'), dcs, wan: false, seed });
      stacks.push(n);
      const f = await startStacks({ dataDir: join(scratch, 'far'), dcs, wan: true, seed });
      stacks.push(f);
      return { near: n.urls, far: f.urls };
    });

    // Probe first, then a sweep at shares of the ceiling the probe measured, then the replay of the measured plan.
    const build = async (targetUrls: Record<string, string>, from: { planPath?: string; ceilings?: Record<string, number> }) => {
      const built = await computeScenarios({
        traffic: trafficPath, quarter, quick, targetUrls, catalog, runner,
        ...(from.planPath ? { plan: from.planPath } : { replay: false }),
        ...(from.ceilings ? { ceilings: from.ceilings } : {}),
        ...(budgetsPath ? { budgets: budgetsPath } : {}),
        ...(campaign.timeScale !== undefined ? { timeScale: campaign.timeScale } : {}),
        ...(campaign.rateScale !== undefined ? { rateScale: campaign.rateScale } : {}),
        ...(campaign.insecureSkipTLSVerify !== undefined ? { insecureSkipTLSVerify: campaign.insecureSkipTLSVerify } : {}),
      }, out, seed);
      for (const [dc, text] of Object.entries(built.users)) if (built.specs[dc]) await writeFileAtomic(join(out, 'scenarios', `users-${dc}.ndjson`), text);
      return built;
    };
    const probeSpecs = await build(near, {});
    const loaded = Object.keys(probeSpecs.specs);
    for (const dc of loaded) await writeFileAtomic(join(out, 'scenarios', `${dc}-probe.json`), json(probeSpecs.specs[dc]!.probe));

    const runKind = async (kind: 'probe' | 'sweep' | 'replay'): Promise<Record<string, ChildResult>> => {
      // DCs run side by side: each loads its own stack and its load is far below a core.
      // Capacity runs (probe, sweep) overload the node on purpose and go to capacity/; results/ holds the replay,
      // the run the budgets and the gate judge.
      const where = (dc: string, file: string): string => (kind === 'replay' ? join(out, 'results', dc, file) : join(out, 'capacity', dc, file));
      // Every output directory exists before any runner starts: real k6 creates none (it exits 255, "could not open").
      await makeDirs(loaded.map((dc) => where(dc, '')));
      const results = await Promise.all(loaded.map((dc) => children.run([
        '--quiet', 'run', join(out, 'scenarios', `${dc}-${kind}.json`),
        // One worker each: the DCs' runs already go side by side, beside the stacks, on the same cores.
        ...(runner === 'k6' ? [] : ['--workers', '1']),
        '-o', `json=${where(dc, kind === 'replay' ? 'points.ndjson.gz' : `points-${kind}.ndjson.gz`)}`,
        '--summary-json', where(dc, kind === 'replay' ? 'summary.json' : `summary-${kind}.json`),
        ...(runner === 'k6' ? ['--runner', 'k6'] : []),
      ])));
      const failed = results.map((r, i) => [loaded[i]!, r] as const).filter(([, r]) => r.code !== EXIT.ok && r.code !== EXIT.thresholdsCrossed);
      if (interrupted) throw new InterruptedError(`campaign interrupted during the ${kind}: its outputs were written, later stages skipped`);
      if (failed.length > 0) {
        const [dc, r] = failed[0]!;
        throw childFailure(`${kind} of ${dc}`, r);
      }
      return Object.fromEntries(results.map((r, i) => [loaded[i]!, r]));
    };
    await stage('probe', () => runKind('probe'));
    await stage('sweep', async () => {
      // Modeled ceilings, computed only if a probe needs one (every service of the DC must have a modeled time).
      let modeled: Promise<Record<string, number> | undefined> | undefined;
      const modeledCeilings = (): Promise<Record<string, number> | undefined> => (modeled ??= computePlan({ traffic: trafficPath, catalog }, seed)
        .then((p) => Object.fromEntries(Object.entries(p.dcs).map(([dc, d]) => [dc, d.capacity.ceilingRps])))
        .catch(() => undefined));
      const ceilings = await probeCeilings(join(out, 'capacity'), loaded, modeledCeilings, (line) => {
        if (!global.quiet) process.stderr.write(`caplab: ${line}\n`);
      });
      const sweepSpecs = await build(near, { ceilings });
      for (const dc of loaded) await writeFileAtomic(join(out, 'scenarios', `${dc}-sweep.json`), json(sweepSpecs.specs[dc]!.sweep));
      return runKind('sweep');
    });

    const planPath = join(out, 'plan.json');
    const plan: Plan = await stage('plan', async () => {
      const greedy = await computePlan({ traffic: trafficPath, results: join(out, 'capacity'), catalog }, seed);
      // The least-cost placement under the intents, beside the greedy one, when the campaign plans every DC of its
      // placement (a subset of DCs leaves the other DCs' countries out of what could be optimized).
      const p: Plan = campaign.dcs === undefined
        ? { ...greedy, optimized: await optimizePlan(greedy, { forecast: forecastPath, catalog, ...(campaign.intents ? { intents: campaign.intents } : {}), ...(campaign.candidates ? { candidates: campaign.candidates } : {}) }, seed) }
        : greedy;
      await writeFileAtomic(planPath, json(p));
      return p;
    });

    const replays = await stage('replay', async () => {
      const replaySpecs = await build(far, { planPath });
      for (const dc of loaded) await writeFileAtomic(join(out, 'scenarios', `${dc}-replay.json`), json(replaySpecs.specs[dc]!.replay));
      return runKind('replay');
    });

    await stage('report', async () => {
      const r = await children.run(['--quiet', 'report', out, ...(budgetsPath ? ['--budgets', budgetsPath] : [])]);
      if (r.code !== EXIT.ok) throw childFailure('report', r);
    });
    progress.stop();

    process.stdout.write(`${renderPlan(plan)}\n`);
    const crossed = Object.entries(replays).filter(([, r]) => r.code === EXIT.thresholdsCrossed).map(([dc]) => dc);
    process.stdout.write(`${quick ? 'quick campaign (smoke run: short steps, less certain fits)' : 'campaign'} for ${quarter}: ` +
      `replay ${crossed.length === 0 ? 'met every budget' : `crossed budgets in ${crossed.join(', ')}`}` +
      `${probeSpecs.skipped.length > 0 ? `; no demand, not loaded: ${probeSpecs.skipped.join(', ')}` : ''}\n`);
    process.stdout.write(`report: ${join(out, 'report.html')}\n`);
    return EXIT.ok;
  } finally {
    progress.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    children.interrupt();
    await Promise.all(stacks.map((s) => s.stop()));
    rmSync(scratch, { recursive: true, force: true });
  }
};

/** Exposed for tests: the stage names in order. */
export const CAMPAIGN_STAGES: readonly string[] = STAGES;
