/**
 * `caplab campaign [campaign.yaml] [--quick]`: the whole lab in one command. forecast -> traffic -> users ->
 * scenarios -> pre-flight request per service and target -> probe and sweep per DC (one node, WAN off) -> bisection
 * of the SLO rate -> plan on the measured capacity -> replay per DC at one node's planned share (WAN on) -> report.
 * Every input is checked before anything runs. Starts the built-in stacks on 127.0.0.1 when the campaign names no
 * targets and stops them at the end, on failure and on Ctrl-C; load runs in child processes (they stop gracefully on
 * an interrupt and write their outputs). The run writes into a staging folder beside `--out-dir`, tags its files
 * with its run id, writes the folder's manifest (campaign.json) last and then swaps the folder into place, so
 * `--out-dir` always holds one whole run (cli/campaign/staging.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Plan } from '../../models/types.ts';
import { PlannerSettingsSchema } from '../../models/capacity/settings.ts';
import { ScenarioSettingsSchema } from '../../scenarios/build-settings.ts';
import { startStacks, type RunningStacks } from '../../stacks/start.ts';
import { childFailure, createChildren } from '../campaign/children.ts';
import { loadCampaignInputs } from '../campaign/inputs.ts';
import { type LoadKind, runLoad } from '../campaign/load-runs.ts';
import { writeCampaignManifest } from '../campaign/manifest.ts';
import { preflightError, preflightFailures } from '../campaign/preflight.ts';
import { skipsTLSVerify } from '../../scenarios/tls-verify.ts';
import { probeCeilings } from '../campaign/probe-ceilings.ts';
import { refineSloRates, refineSpecPath } from '../campaign/refine.ts';
import { checkOutDir, commitStaging, lockOutDir, newRunId, prepareStaging } from '../campaign/staging.ts';
import type { CommandRun } from '../context.ts';
import { loadData, loadDefaults } from '../data.ts';
import { EXIT, InterruptedError } from '../errors.ts';
import { writeFileAtomic } from '../io.ts';
import { computeForecast, computePlan, computePopulation, computeScenarios, computeTraffic, optimizePlan } from '../chain.ts';
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
  const { campaign, catalog, budgets, budgetsSource } = await loadCampaignInputs(args[0]);
  const defaults = loadDefaults().campaign;
  const quick = opts.quick === true || campaign.quick === true || defaults.quick;
  const seed = campaign.seed ?? global.seed;
  const out = resolve(global.outDir);
  checkOutDir(out);
  const placement = campaign.placement ?? defaults.placement;
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

    const forecastPath = join(dir, 'forecast.json');
    await stage('forecast', async () => writeFileAtomic(forecastPath, tagged(runId, await computeForecast({ ...campaign.forecast }, seed))));

    const trafficPath = join(dir, 'traffic.json');
    const traffic = await stage('traffic', async () => {
      const { traffic: t } = await computeTraffic({ forecast: forecastPath, placement }, seed, catalog);
      // The DCs were checked against the placement with the other inputs.
      if (campaign.dcs) t.dcs = Object.fromEntries(Object.entries(t.dcs).filter(([d]) => campaign.dcs!.includes(d)));
      await writeFileAtomic(trafficPath, tagged(runId, t));
      return t;
    });
    const dcs = Object.keys(traffic.dcs);

    // The budgets the run judges by, whatever their source, so report and gate read the same ones from the folder.
    const budgetsPath = join(dir, 'budgets.json');
    await writeFileAtomic(budgetsPath, json(budgets));
    log(`budgets: ${budgetsSource} (copied to budgets.json)`);
    const quarter = await stage('users and scenarios', async () => {
      const q = campaign.quarter ?? loadDefaults().users.quarter;
      await writeFileAtomic(join(stagingDir, 'population.json'), tagged(runId, await computePopulation({ quarter: q, forecast: forecastPath }, seed)));
      return q;
    });

    const { near, far } = await stage('stacks', async () => {
      if (campaign.targets) return { near: campaign.targets, far: campaign.targets };
      const n = await startStacks({ dataDir: join(scratch, 'near'), dcs, wan: false, seed });
      stacks.push(n);
      const f = await startStacks({ dataDir: join(scratch, 'far'), dcs, wan: true, seed });
      stacks.push(f);
      return { near: n.urls, far: f.urls };
    });

    // Probe first, then a sweep at shares of the ceiling the probe measured, its bisection, then the replay of the measured plan.
    const build = async (targetUrls: Record<string, string>, from: { planPath?: string; ceilings?: Record<string, number>; refineRates?: Record<string, number> }) => {
      const built = await computeScenarios({
        traffic: trafficPath, quarter, quick, targetUrls, catalog, runner, budgets: budgetsPath,
        ...(from.planPath ? { plan: from.planPath } : { replay: false }),
        ...(from.ceilings ? { ceilings: from.ceilings } : {}),
        ...(from.refineRates ? { refineRates: from.refineRates } : {}),
        ...(campaign.timeScale !== undefined ? { timeScale: campaign.timeScale } : {}),
        ...(campaign.rateScale !== undefined ? { rateScale: campaign.rateScale } : {}),
        ...(campaign.insecureSkipTLSVerify !== undefined ? { insecureSkipTLSVerify: campaign.insecureSkipTLSVerify } : {}),
      }, stagingDir, seed);
      for (const [d, text] of Object.entries(built.users)) if (built.specs[d]) await writeFileAtomic(join(stagingDir, 'scenarios', `users-${d}.ndjson`), text);
      return built;
    };
    const probeSpecs = await build(near, {});
    const loaded = Object.keys(probeSpecs.specs);
    for (const d of loaded) await writeFileAtomic(join(dir, 'scenarios', `${d}-probe.json`), json(probeSpecs.specs[d]!.probe));

    await stage('preflight', async () => {
      const users = Object.fromEntries(loaded.map((d) => [d, JSON.parse(probeSpecs.users[d]!.split('\n', 1)[0]!) as Record<string, unknown>]));
      const failures = await preflightFailures({
        targets: Object.fromEntries(loaded.map((d) => [d, [near[d]!, far[d]!]])), catalog, users, timeoutSeconds: settings.preflight.timeoutSeconds,
        insecureSkipTLSVerify: (d) => skipsTLSVerify(d, campaign.insecureSkipTLSVerify, catalog.insecureSkipTLSVerify),
      });
      if (failures.length > 0) throw preflightError(failures);
    });
    await stage('probe', () => load('probe', loaded));
    const ceilings = await stage('sweep', async () => {
      // Modeled ceilings, computed only if a probe needs one (every service of the DC must have a modeled time).
      let modeled: Promise<Record<string, number> | undefined> | undefined;
      const modeledCeilings = (): Promise<Record<string, number> | undefined> => (modeled ??= computePlan({ traffic: trafficPath, catalog }, seed)
        .then((p) => Object.fromEntries(Object.entries(p.dcs).map(([d, x]) => [d, x.capacity.ceilingRps])))
        .catch(() => undefined));
      const c = await probeCeilings(join(stagingDir, 'capacity'), loaded, modeledCeilings, say);
      const sweepSpecs = await build(near, { ceilings: c });
      for (const d of loaded) await writeFileAtomic(join(stagingDir, 'scenarios', `${d}-sweep.json`), json(sweepSpecs.specs[d]!.sweep));
      await load('sweep', loaded);
      return c;
    });
    await stage('refine', () => refineSloRates({
      capacityDir: join(stagingDir, 'capacity'), dcs: loaded, ...(quick ? settings.quick.refine : settings.refine),
      warmupS: settings.probe.warmupSeconds, serverBudgetP95Ms, log: say,
      runRound: async (round, rates) => {
        const specs = await build(near, { ceilings, refineRates: rates });
        for (const d of Object.keys(rates)) await writeFileAtomic(refineSpecPath(stagingDir, d, round), json(specs.specs[d]!.refine));
        await load(`refine-${round}`, Object.keys(rates));
      },
    }));

    const planPath = join(dir, 'plan.json');
    const plan: Plan = await stage('plan', async () => {
      const greedy = await computePlan({ traffic: trafficPath, results: join(stagingDir, 'capacity'), catalog }, seed);
      // The least-cost placement under the intents, beside the greedy one, when the campaign plans every DC of its
      // placement (a subset of DCs leaves the other DCs' countries out of what could be optimized).
      const p: Plan = campaign.dcs === undefined
        ? { ...greedy, optimized: await optimizePlan(greedy, { forecast: forecastPath, catalog, ...(campaign.intents ? { intents: campaign.intents } : {}), ...(campaign.candidates ? { candidates: campaign.candidates } : {}) }, seed) }
        : greedy;
      await writeFileAtomic(planPath, tagged(runId, p));
      return p;
    });

    const replays = await stage('replay', async () => {
      const replaySpecs = await build(far, { planPath });
      for (const d of loaded) await writeFileAtomic(join(stagingDir, 'scenarios', `${d}-replay.json`), json(replaySpecs.specs[d]!.replay));
      return load('replay', loaded);
    });

    await stage('report', async () => {
      // Run inside the folder, so the report names its files relative to it (the folder moves into place after).
      const r = await children.run(['--quiet', 'report', '.', '--budgets', 'budgets.json'], stagingDir);
      if (r.code !== EXIT.ok) throw childFailure('report', r);
    });
    if (interrupted) throw new InterruptedError(`campaign interrupted after the report: the finished run is in ${stagingDir}, not moved into place`);
    // The manifest last: a folder with one is a finished run (the next campaign completes a swap cut short).
    await writeCampaignManifest(stagingDir, { runId, startedAt, finishedAt: new Date().toISOString(), quick, seed, dcs: loaded, skipped: probeSpecs.skipped, budgets: 'budgets.json' });
    await commitStaging(stagingDir, out, runId);
    committed = true;
    progress.stop();

    process.stdout.write(`${renderPlan(plan)}\n`);
    const crossed = Object.entries(replays).filter(([, r]) => r.code === EXIT.thresholdsCrossed).map(([d]) => d);
    process.stdout.write(`${quick ? 'quick campaign (smoke run: short steps, less certain fits)' : 'campaign'} for ${quarter}: ` +
      `replay ${crossed.length === 0 ? 'met every budget' : `crossed budgets in ${crossed.join(', ')}`}` +
      `${probeSpecs.skipped.length > 0 ? `; no demand, not loaded: ${probeSpecs.skipped.join(', ')}` : ''}\n`);
    process.stdout.write(`run ${runId}: ${out}\nreport: ${join(out, 'report.html')}\n`);
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
