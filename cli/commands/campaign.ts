/**
 * `caplab campaign [campaign.yaml] [--quick]`: the whole lab in one command. forecast -> traffic -> users ->
 * scenarios -> pre-flight request per service and target -> probe and sweep per DC (one node, WAN off) -> bisection
 * of the SLO rate, and with a push service the connection probe of one push node -> plan on the measured capacity
 * (requests and connections) -> replay per DC at one node's planned share (WAN on; the push node's planned sessions held
 * meanwhile) -> report.
 * The stages run as one in-memory chain (pipeline/chain.ts): each output goes on to the next as a value and is written
 * once, as the run's record. Every input is checked before anything runs. Starts the built-in stacks on 127.0.0.1 when the campaign names no
 * targets and stops them at the end, on failure and on Ctrl-C; load runs in child processes (they stop gracefully on
 * an interrupt and write their outputs). The run writes into a staging folder beside `--out-dir`, tags its files
 * with its run id, writes the folder's manifest (campaign.json) last and then swaps the folder into place, so
 * `--out-dir` always holds one whole run (cli/campaign/staging.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Plan } from '../../models/types.ts';
import { chain } from '../../pipeline/chain.ts';
import { BUDGETS, CAPACITY_DIR, FORECAST, PLAN, POPULATION, REPORT_HTML, specFile, TRAFFIC, usersFile, WORLD } from '../../pipeline/layout.ts';
import { modeledCeilings } from '../../pipeline/plan.ts';
import type { DcSpecs } from '../../scenarios/build.ts';
import { PlannerSettingsSchema } from '../../models/capacity/settings.ts';
import { connectionSettings, ScenarioSettingsSchema } from '../../scenarios/build-settings.ts';
import { startStacks, type RunningStacks } from '../../stacks/start.ts';
import { childFailure, createChildren } from '../campaign/children.ts';
import { loadCampaignInputs } from '../campaign/inputs.ts';
import { type LoadKind, runLoad } from '../campaign/load-runs.ts';
import { writeCampaignManifest } from '../campaign/manifest.ts';
import { preflightError, preflightFailures, preflightOptions } from '../campaign/preflight.ts';
import { probeCeilings } from '../campaign/probe-ceilings.ts';
import { refineSloRates, refineSpecPath } from '../campaign/refine.ts';
import { checkOutDir, commitStaging, lockOutDir, newRunId, prepareStaging } from '../campaign/staging.ts';
import type { CommandRun } from '../context.ts';
import { loadData, loadDefaults } from '../data.ts';
import { EXIT, InterruptedError } from '../errors.ts';
import { writeFileAtomic } from '../io.ts';
import { forecastChoices } from '../chain.ts';
import { loadHighs } from '../highs.ts';
import { readObservedDemand } from '../inputs/catalog.ts';
import { chainData } from '../inputs/chain-data.ts';
import { loadHistory } from '../inputs/history.ts';
import { readCandidates, readIntents } from '../inputs/intents.ts';
import { measuredCapacities, measuredConnections } from '../inputs/measurements.ts';
import { parseBudgets } from '../../scenarios/budgets.ts';
import { pushServiceOf, replyBudgetMs } from '../../scenarios/build-push.ts';
import { withCatalogBudgets } from '../../scenarios/catalog-budgets.ts';
import { loadPlacement } from '../inputs/routing.ts';
import { renderPlan } from '../print/plan.ts';
import { startProgress } from '../progress.ts';

/** Options of `caplab campaign`. */
export interface CampaignOptions {
  quick?: boolean;
}

const STAGES = ['forecast', 'traffic', 'users and scenarios', 'stacks', 'preflight', 'probe', 'sweep', 'refine', 'plan', 'replay', 'report'] as const;

const json = (v: unknown): string => `${JSON.stringify(v, null, 2)}\n`;
/** A caplab JSON document tagged with the run that wrote it (after its schema key; every reader of these kinds accepts extra keys). */
const tagged = (runId: string, doc: { schema: string }): string => {
  const { schema, ...rest } = doc;
  return json({ schema, runId, ...rest });
};

/** Runs `caplab campaign`. */
export const run: CommandRun<CampaignOptions> = async ({ args, opts, global }) => {
  // The campaign and everything it names (catalog, budgets, DCs, targets, intents), checked before anything is written.
  const { campaign, catalog, budgets, budgetsSource, fleet, world } = await loadCampaignInputs(args[0]);
  const defaults = loadDefaults().campaign;
  const quick = opts.quick === true || campaign.quick === true || defaults.quick;
  const seed = campaign.seed ?? global.seed;
  const out = resolve(global.outDir);
  checkOutDir(out);
  const placement = campaign.placement ?? world.world.placement;
  const runner = campaign.runner ?? defaults.runner;
  const settings = loadData('scenarios.json', ScenarioSettingsSchema);
  const serverBudgetP95Ms = loadData('planner.json', PlannerSettingsSchema).serverBudgetP95Ms;
  const runId = newRunId();
  const startedAt = new Date().toISOString();

  const progress = startProgress('campaign', STAGES.length, global.quiet);
  const say = (line: string): void => {
    if (!global.quiet) process.stderr.write(`caplab: ${line}\n`);
  };
  // Stage timings only where no progress bar is drawn; where the run writes is said always (users look at the folder).
  const log = (line: string): void => {
    if (!global.quiet && !process.stderr.isTTY) process.stderr.write(`${line}\n`);
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
  let dir: string | undefined;
  let committed = false;
  let unlock: (() => void) | undefined;
  try {
    unlock = lockOutDir(out);
    dir = await prepareStaging(out, runId, say);
    const stagingDir = dir;
    say(`campaign run ${runId}: writing into ${stagingDir}; it becomes ${out} when the campaign finishes`);
    let stageNo = 0;
    const stage = async <T>(name: (typeof STAGES)[number], work: () => Promise<T>): Promise<T> => {
      if (interrupted) throw new InterruptedError(`campaign interrupted before the ${name}: the finished stages are in ${stagingDir}`);
      const t0 = performance.now();
      const result = await work();
      stageNo++;
      progress.update(stageNo);
      log(`[${stageNo}/${STAGES.length}] ${name}: done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      return result;
    };
    const loadCtx = { dir: stagingDir, seed, runner, children, interrupted: () => interrupted };
    const load = (kind: LoadKind, dcs: readonly string[]) => runLoad(loadCtx, kind, dcs);

    // The chain runs in memory: each stage's output goes on to the next as a value and is written once, as a record.
    const data = chainData(world);
    const history = campaign.forecast?.history !== undefined ? await loadHistory(campaign.forecast.history) : undefined;
    const placed = await loadPlacement(placement, data.world);
    const c = chain({
      ...(history ? { history } : {}), forecastChoices: forecastChoices(campaign.forecast), placement: placed,
      // The DCs were checked against the placement with the other inputs.
      ...(campaign.dcs ? { dcs: campaign.dcs } : {}),
      catalog, observed: await readObservedDemand(catalog),
      ...(campaign.calibrate === 'fleet' ? { calibrateToFleet: true } : {}),
      ...(fleet ? { fleet } : {}),
    }, data, seed);

    await stage('forecast', async () => {
      await writeFileAtomic(join(stagingDir, WORLD), json(world.doc));
      // A growth forecast is written when the world's driver is one; a series or a grown peak is in traffic.json.
      if (world.world.driver.kind === 'forecast' || campaign.forecast !== undefined) await writeFileAtomic(join(stagingDir, FORECAST), tagged(runId, c.forecast()));
    });
    const traffic = await stage('traffic', async () => {
      const t = c.traffic().traffic;
      await writeFileAtomic(join(stagingDir, TRAFFIC), tagged(runId, t));
      return t;
    });
    const dcs = Object.keys(traffic.dcs);

    // The budgets the run judges by, whatever their source, so report and gate read the same ones from the folder;
    // the specs are built from the budgets as recorded there (a limit without a value is no key in JSON).
    const budgetsPath = join(stagingDir, BUDGETS);
    const budgetsText = json(budgets);
    await writeFileAtomic(budgetsPath, budgetsText);
    const budgetsDoc = { doc: JSON.parse(budgetsText) as unknown, source: budgetsPath };
    log(`budgets: ${budgetsSource} (copied to ${BUDGETS})`);
    const quarter = await stage('users and scenarios', async () => {
      const q = campaign.quarter ?? data.defaults.users.quarter;
      await writeFileAtomic(join(stagingDir, POPULATION), tagged(runId, c.population(q)));
      return q;
    });
    // The users files follow the population of the forecast computed from data/ alone, as they always have: the
    // campaign's own forecast settings are not applied to them (with none, that forecast is the campaign's).
    const users = (Object.keys(campaign.forecast ?? {}).length === 0 ? c : chain({}, data, seed)).usersFiles(quarter, placed);

    // The built-in push node is scaled down (data/scenarios.json connections): a runner cannot hold a real node's
    // 150,000 sessions; a user's own node is loaded as it is, up to the probe's session bound.
    const pushScale = campaign.targets ? 1 : settings.connections.connectionScale;
    const { near, far } = await stage('stacks', async () => {
      if (campaign.targets) return { near: campaign.targets, far: campaign.targets };
      const push = { connectionScale: pushScale };
      const n = await startStacks({ dataDir: join(scratch, 'near'), dcs, wan: false, seed, push });
      stacks.push(n);
      const f = await startStacks({ dataDir: join(scratch, 'far'), dcs, wan: true, seed, push });
      stacks.push(f);
      return { near: n.urls, far: f.urls };
    });

    // Probe first, then a sweep at shares of the ceiling the probe measured, its bisection, then the replay of the measured plan.
    const build = (targets: Record<string, string>, from: { plan?: Plan; ceilings?: Record<string, number>; refineRates?: Record<string, number> }) =>
      (from.plan ? c.with({ plan: from.plan }) : c).scenarios({
        quarter, quick, targets, runner, budgets: budgetsDoc, pushScale,
        ...(from.plan ? {} : { replay: false }),
        ...(from.ceilings ? { ceilings: from.ceilings } : {}),
        ...(from.refineRates ? { refineRates: from.refineRates } : {}),
        ...(campaign.timeScale !== undefined ? { timeScale: campaign.timeScale } : {}),
        ...(campaign.rateScale !== undefined ? { rateScale: campaign.rateScale } : {}),
        ...(campaign.insecureSkipTLSVerify !== undefined ? { insecureSkipTLSVerify: campaign.insecureSkipTLSVerify } : {}),
        ...(campaign.transport ? { transport: campaign.transport } : {}),
      });
    const writeSpecs = async (specs: Record<string, DcSpecs>, kind: 'probe' | 'sweep' | 'replay' | 'connections', only: readonly string[]): Promise<void> => {
      for (const d of only) await writeFileAtomic(join(stagingDir, specFile(d, kind)), json(specs[d]![kind]));
    };
    const probeSpecs = build(near, {});
    const loaded = Object.keys(probeSpecs.specs);
    for (const d of loaded) if (users[d] !== undefined) await writeFileAtomic(join(stagingDir, usersFile(d)), users[d]);
    await writeSpecs(probeSpecs.specs, 'probe', loaded);

    await stage('preflight', async () => {
      const firstUser = Object.fromEntries(loaded.map((d) => [d, JSON.parse(users[d]!.split('\n', 1)[0]!) as Record<string, unknown>]));
      const failures = await preflightFailures({
        targets: Object.fromEntries(loaded.map((d) => [d, [near[d]!, far[d]!]])), catalog, users: firstUser, timeoutSeconds: settings.preflight.timeoutSeconds,
        options: (d) => preflightOptions(probeSpecs.specs[d]?.probe, join(stagingDir, specFile(d, 'probe'))),
      });
      if (failures.length > 0) throw preflightError(failures);
    });
    // The request probe, then the push node's connection probe where the catalog has a push service.
    const held = loaded.filter((d) => probeSpecs.specs[d]?.connections !== undefined);
    await stage('probe', async () => {
      await load('probe', loaded);
      await writeSpecs(probeSpecs.specs, 'connections', held);
      if (held.length > 0) await load('connections', held);
    });
    const capacityDir = join(stagingDir, CAPACITY_DIR);
    const ceilings = await stage('sweep', async () => {
      // Modeled ceilings, computed only if a probe needs one (every service of the DC must have a modeled time).
      const modeled = async (): Promise<Record<string, number> | undefined> => {
        try {
          return modeledCeilings(c.plan());
        } catch {
          return undefined;
        }
      };
      const ceil = await probeCeilings(capacityDir, loaded, modeled, say);
      await writeSpecs(build(near, { ceilings: ceil }).specs, 'sweep', loaded);
      await load('sweep', loaded);
      return ceil;
    });
    await stage('refine', () => refineSloRates({
      capacityDir, dcs: loaded, ...(quick ? settings.quick.refine : settings.refine),
      warmupS: settings.probe.warmupSeconds, serverBudgetP95Ms, log: say,
      runRound: async (round, rates) => {
        const specs = build(near, { ceilings, refineRates: rates }).specs;
        for (const d of Object.keys(rates)) await writeFileAtomic(refineSpecPath(stagingDir, d, round), json(specs[d]!.refine));
        await load(`refine-${round}`, Object.keys(rates));
      },
    }));

    const plan: Plan = await stage('plan', async () => {
      // The push service's reply budget per DC, from the budgets the run judges by (the catalog's added).
      const push = pushServiceOf(catalog.services);
      const judged = push && withCatalogBudgets(parseBudgets(budgetsDoc.doc, budgetsPath), catalog);
      const replyBudget = (d: string): number => (push && judged ? replyBudgetMs(judged, push.name, d) : undefined) ?? serverBudgetP95Ms;
      const measured = c.with({
        measured: await measuredCapacities(capacityDir, dcs, settings.probe.warmupSeconds, serverBudgetP95Ms),
        ...(held.length > 0 ? { measuredConnections: await measuredConnections(capacityDir, held, connectionSettings(settings, quick).warmupSeconds, replyBudget) } : {}),
      });
      const greedy = measured.plan();
      // The least-cost placement under the intents, beside the greedy one, when the campaign plans every DC of its
      // placement (a subset of DCs leaves the other DCs' countries out of what could be optimized).
      const p: Plan = campaign.dcs === undefined
        ? {
          ...greedy,
          optimized: measured.with({ intents: await readIntents(campaign.intents, world.world), ...(campaign.candidates ? { candidates: await readCandidates(campaign.candidates) } : {}) })
            .optimized(await loadHighs()),
        }
        : greedy;
      await writeFileAtomic(join(stagingDir, PLAN), tagged(runId, p));
      return p;
    });

    const replays = await stage('replay', async () => {
      await writeSpecs(build(far, { plan }).specs, 'replay', loaded);
      return load('replay', loaded);
    });

    await stage('report', async () => {
      // Run inside the folder, so the report names its files relative to it (the folder moves into place after).
      const r = await children.run(['--quiet', 'report', '.', '--budgets', BUDGETS], stagingDir);
      if (r.code !== EXIT.ok) throw childFailure('report', r);
    });
    if (interrupted) throw new InterruptedError(`campaign interrupted after the report: the finished run is in ${stagingDir}, not moved into place`);
    // The manifest last: a folder with one is a finished run (the next campaign completes a swap cut short).
    await writeCampaignManifest(stagingDir, { runId, startedAt, finishedAt: new Date().toISOString(), quick, seed, dcs: loaded, skipped: probeSpecs.skipped, budgets: BUDGETS });
    await commitStaging(stagingDir, out, runId);
    committed = true;
    progress.stop();

    process.stdout.write(`${renderPlan(plan)}\n`);
    const crossed = Object.entries(replays).filter(([, r]) => r.code === EXIT.thresholdsCrossed).map(([d]) => d);
    process.stdout.write(`${quick ? 'quick campaign (smoke run: short steps, less certain fits)' : 'campaign'} for ${quarter}: ` +
      `replay ${crossed.length === 0 ? 'met every budget' : `crossed budgets in ${crossed.join(', ')}`}` +
      `${probeSpecs.skipped.length > 0 ? `; no demand, not loaded: ${probeSpecs.skipped.join(', ')}` : ''}\n`);
    process.stdout.write(`run ${runId}: ${out}\nreport: ${join(out, REPORT_HTML)}\n`);
    return EXIT.ok;
  } finally {
    progress.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    children.interrupt();
    await Promise.all(stacks.map((s) => s.stop()));
    rmSync(scratch, { recursive: true, force: true });
    if (dir !== undefined && !committed) say(`run ${runId} did not finish: ${out} is unchanged; its files are in ${dir} (the next campaign into ${out} removes them)`);
    unlock?.();
  }
};

/** Exposed for tests: the stage names in order. */
export const CAMPAIGN_STAGES: readonly string[] = STAGES;
