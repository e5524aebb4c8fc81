/**
 * `caplab report CAMPAIGN_DIR`: reads the campaign's files and writes report.html (self-contained), report.md and
 * junit.xml into CAMPAIGN_DIR, atomically.
 *
 * Inputs (paths inside CAMPAIGN_DIR):
 * - plan.json (`caplab.plan/v1`): REQUIRED, the first screen is the plan's per-DC recommendation;
 * - forecast.json, traffic.json: optional (their sections say "not available" without them);
 * - capacity/<dc>/points*.ndjson[.gz]: the probe and sweep runs (per-step and per-rate charts only), optional;
 * - results/<dc>/summary.json (k6 handleSummary or --summary-export shape) and results/<dc>/points*.ndjson[.gz]
 *   (k6 --out json; several files, e.g. one per execution segment or pod, are merged by points): optional, per DC;
 * - budgets: `--budgets F`, else the budgets campaign.json names, else budgets.json / budgets.yaml in CAMPAIGN_DIR
 *   when present (`caplab.budgets/v1`), judged against the per-service figures of the points;
 * - campaign.json (`caplab.campaign/v1`), when present: the folder must hold exactly the files the run wrote (a file
 *   missing, changed or added is refused with the others' problems), and after writing, the manifest's entries of the
 *   three report files are updated (they are rewritten on every report) so the folder still checks. A quick run
 *   (manifest `quick`, or without a manifest probe specs with data/scenarios.json's quick steps) is labelled at the
 *   top of both reports.
 * The "before" placement of the RTT comparison (`--baseline`, default beijing-only) is routed from data/.
 * Exit 0 when written (crossed thresholds are reported, not fatal: `caplab gate` decides); 104 when plan.json is
 * missing or any file is unreadable or invalid (every problem listed with file and JSON path; nothing written).
 */
import { readdir, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ForecastFileSchema } from '../../models/growth/forecast-file.ts';
import { BUDGETS_FILES, CAPACITY_DIR, FORECAST, isProbeSpec, JUNIT, MANIFEST, PLAN, REPORT_HTML, REPORT_MD, RESULTS_DIR, SCENARIOS_DIR, TRAFFIC, WORLD } from '../../pipeline/layout.ts';
import { type Problem, ValidationError } from '../../models/errors.ts';
import { compareRoutings, type RoutingComparison } from '../../models/routing/compare.ts';
import { routeCountries } from '../../models/routing/route.ts';
import type { Forecast, Plan, Traffic } from '../../models/types.ts';
import { parseWith } from '../../models/validation.ts';
import { evaluateBudgets } from '../../reports/render/budget-results.ts';
import { renderHtml } from '../../reports/render/html.ts';
import { PlanFileSchema, TrafficFileSchema } from '../../reports/render/inputs.ts';
import { renderCampaignJUnit } from '../../reports/render/junit-report.ts';
import { renderMarkdown } from '../../reports/render/markdown.ts';
import { buildReportModel, type DcResults, type ProvenanceEntry, type ReportInput } from '../../reports/render/model.ts';
import { isQuickProbeSpec, type QuickEvidence, quickRunNote } from '../../reports/render/quick-run.ts';
import { parseBudgets } from '../../scenarios/budgets.ts';
import { ScenarioSettingsSchema } from '../../scenarios/build-settings.ts';
import type { CampaignManifest } from '../../reports/ingest/campaign-manifest.ts';
import { inspectCampaignFolder, updateCampaignManifest } from '../campaign/manifest.ts';
import type { CommandRun } from '../context.ts';
import { loadData } from '../data.ts';
import { EXIT, ScriptError } from '../errors.ts';
import { collect } from '../collect.ts';
import { parseJsonInput, readTextInput, writeFileAtomic } from '../io.ts';
import { readJson } from '../inputs/json.ts';
import { loadResults } from '../inputs/results.ts';
import { loadPlacement, loadRoutingData } from '../inputs/routing.ts';
import { builtInWorld, recordedWorld } from '../inputs/world.ts';
import type { World } from '../../models/world/world.ts';

/** Options of `caplab report`. */
export interface ReportOptions {
  budgets?: string;
  baseline?: string;
  title?: string;
}

/** What {@link loadCampaign} read. */
export interface LoadedCampaign {
  /** Inputs for buildReportModel. */
  input: ReportInput;
  /** Per-DC results (also in `input`). */
  results: Record<string, DcResults>;
  /** Non-fatal notes (damaged NDJSON lines). */
  warnings: string[];
  /** The folder's manifest (campaign.json), when it has one; the folder matched it. */
  manifest?: CampaignManifest;
}

const exists = (p: string): Promise<boolean> => stat(p).then(() => true, () => false);

/** Weights of countries for the mean RTT: forecast devices in the last quarter, else each country's design demand. */
function countryWeights(traffic: Traffic, forecast: Forecast | undefined): Record<string, number> {
  const last = forecast?.quarters[forecast.quarters.length - 1];
  if (last) return Object.fromEntries(Object.entries(last.byCountry).map(([c, b]) => [c, b.p50]));
  const w: Record<string, number> = {};
  for (const qs of Object.values(traffic.dcs)) {
    for (const [c, v] of Object.entries(qs[qs.length - 1]?.countries ?? {})) w[c] = (w[c] ?? 0) + v.flashSaleRps.p50;
  }
  return w;
}

async function placementComparison(traffic: Traffic, forecast: Forecast | undefined, baseline: string, world: World): Promise<{ comparison: RoutingComparison; beforeAllowed: Record<string, boolean> }> {
  const { rtt, residency } = loadRoutingData(world);
  const before = routeCountries(await loadPlacement(baseline, world), traffic.routing.map((r) => r.country), rtt, residency);
  const after = { placement: traffic.placement, dcs: Object.keys(traffic.dcs), countries: traffic.routing.map((r) => ({ ...r, reason: r.reason as 'nearest-allowed' })), violations: traffic.violations };
  return {
    comparison: compareRoutings(before, after, countryWeights(traffic, forecast)),
    beforeAllowed: Object.fromEntries(before.countries.map((c) => [c.country, c.allowed])),
  };
}

/**
 * Reads a campaign directory for the report.
 * @param dir campaign directory
 * @param opts budgets file, baseline placement, title
 * @returns the report inputs
 * @throws {ValidationError} listing every missing or invalid file with its JSON path (exit 104)
 */
export async function loadCampaign(dir: string, opts: ReportOptions = {}): Promise<LoadedCampaign> {
  if (!(await stat(dir).then((s) => s.isDirectory(), () => false))) {
    throw new ValidationError(`campaign directory ${dir} cannot be read`, [{ where: dir, message: 'no such directory' }]);
  }
  const problems: Problem[] = [];
  const provenance: ProvenanceEntry[] = [];
  const warnings: string[] = [];
  // A folder whose files are not exactly what one run wrote is refused, its problems listed with the others.
  const check = await inspectCampaignFolder(dir);
  if (check) problems.push(...check.problems);
  const manifest = check?.manifest;
  const file = async <T>(name: string, what: string, kind: ProvenanceEntry['kind'], required: boolean, parse: (v: unknown, p: string) => T, detail: (v: T) => string): Promise<T | undefined> => {
    const p = join(dir, name);
    if (!(await exists(p))) {
      if (required) problems.push({ where: p, message: `no such file: the report's first screen needs the ${what} (caplab.plan/v1); run the planner first` });
      provenance.push({ file: name, what, kind, status: 'absent', detail: required ? 'required' : 'optional' });
      return undefined;
    }
    const v = await collect(problems, p, async () => parse(await readJson(p, what), p));
    if (v !== undefined) provenance.push({ file: name, what, kind, status: 'read', detail: detail(v) });
    return v;
  };
  const plan = await file<Plan>(PLAN, 'capacity plan', 'modeled', true, (v, p) => parseWith(PlanFileSchema, v, p),
    (x) => `${x.schema}, seed ${x.seed}, ${Object.keys(x.dcs).length} DCs, placement ${x.placement}`);
  const forecast = await file<Forecast>(FORECAST, 'growth forecast', 'modeled', false, (v, p) => parseWith(ForecastFileSchema, v, p),
    (x) => `${x.schema}, seed ${x.seed}, ${x.model?.model ?? 'model'}, ${x.quarters.length} quarters`);
  const traffic = await file<Traffic>(TRAFFIC, 'demand per DC and service', 'modeled', false, (v, p) => parseWith(TrafficFileSchema, v, p),
    (x) => `${x.schema}, placement ${x.placement}, ${Object.keys(x.dcs).length} DCs`);
  const results = await loadResults(join(dir, RESULTS_DIR), problems, provenance, warnings);
  const capacity = await loadResults(join(dir, CAPACITY_DIR), problems, provenance, warnings, CAPACITY_DIR);
  let budgetsPath = opts.budgets ?? (manifest ? join(dir, manifest.budgets) : undefined);
  if (budgetsPath === undefined) {
    for (const n of BUDGETS_FILES) if (await exists(join(dir, n))) { budgetsPath = join(dir, n); break; }
  }
  const budgets = budgetsPath === undefined ? undefined : await collect(problems, budgetsPath, async () => {
    const text = await readTextInput(budgetsPath, 'budgets file');
    const value = /\.ya?ml$/i.test(budgetsPath) ? (parseYaml(text) as unknown) : parseJsonInput(text, budgetsPath);
    return parseBudgets(value, budgetsPath);
  });
  if (budgets) provenance.push({ file: budgetsPath!, what: 'latency and error budgets', kind: 'input', status: 'read', detail: `${budgets.budgets.length} budgets` });
  // The world the campaign planned in (its world.json), else the built-in one: its sites route the baseline.
  const recorded = await file<World>(WORLD, 'world', 'input', false, (v, p) => recordedWorld(v, p), (w) => `caplab.world/v1, ${w.name}, ${Object.keys(w.sites).length} sites`);
  const world = recorded ?? (problems.length === 0 ? builtInWorld().world : undefined);
  const baseline = opts.baseline ?? world?.baseline;
  const placement = traffic && world && baseline !== undefined ? await collect(problems, `--baseline ${baseline}`, () => placementComparison(traffic, forecast, baseline, world)) : undefined;
  if (problems.length > 0) throw new ValidationError(`campaign ${dir} cannot be reported`, problems);
  // Budgets judge the runs in results/ (the replay); the capacity runs in capacity/ (probe and sweep) overload the
  // node on purpose, so they only feed the per-step and per-rate charts.
  const series = Object.fromEntries(Object.entries(results).filter(([, r]) => r.series).map(([dc, r]) => [dc, r.series!]));
  for (const [dc, c] of Object.entries(capacity)) {
    if (!c.series) continue;
    const r = results[dc];
    results[dc] = { ...r, series: r?.series ? { ...r.series, steps: c.series.steps, rates: c.series.rates } : c.series };
  }
  const quick = manifest ? (manifest.quick ? 'manifest' : undefined) : await quickFromSpecs(dir);
  const input: ReportInput = {
    ...(opts.title !== undefined ? { title: opts.title } : {}), ...(quick ? { notes: [quickRunNote(quick)] } : {}),
    ...(recorded ? { world: { name: recorded.name } } : {}),
    ...(forecast ? { forecast } : {}), ...(traffic ? { traffic } : {}), ...(plan ? { plan } : {}), ...(placement ? { placement: placement.comparison, placementBeforeAllowed: placement.beforeAllowed } : {}),
    results, budgets: budgets ? evaluateBudgets(budgets, series) : [], provenance,
  };
  return { input, results, warnings, ...(manifest ? { manifest } : {}) };
}

/**
 * Whether a folder without a manifest came from a quick campaign: its probe specs have the quick steps.
 * @param dir campaign directory
 * @returns 'probe-specs' when every probe spec found is quick (and there is one), else undefined
 */
async function quickFromSpecs(dir: string): Promise<QuickEvidence | undefined> {
  const specs = await readdir(join(dir, SCENARIOS_DIR)).then((n) => n.filter(isProbeSpec), () => [] as string[]);
  if (specs.length === 0) return undefined;
  const quick = loadData('scenarios.json', ScenarioSettingsSchema).quick.probe;
  for (const f of specs) {
    // An unreadable spec is not evidence either way; the report does not read specs otherwise.
    const spec = await readTextInput(join(dir, SCENARIOS_DIR, f), 'probe spec').then((t) => JSON.parse(t) as unknown, () => undefined);
    if (!isQuickProbeSpec(spec, quick)) return undefined;
  }
  return 'probe-specs';
}

/**
 * chart.js's UMD bundle, read from node_modules (the report inlines it).
 * @returns its source
 * @throws {Error} when chart.js is not installed
 */
export async function chartJsSource(): Promise<string> {
  const main = createRequire(import.meta.url).resolve('chart.js');
  return readTextInput(join(dirname(main), 'chart.umd.min.js'), 'chart.js bundle');
}

/** Runs `caplab report`. */
export const run: CommandRun<ReportOptions> = async ({ args, opts, global }) => {
  const dir = args[0]!;
  const { input, results, warnings, manifest } = await loadCampaign(dir, opts);
  for (const w of warnings) process.stderr.write(`caplab: ${w}\n`);
  const model = buildReportModel(input);
  const outputs: [string, string][] = [
    [REPORT_HTML, renderHtml(model, { chartJs: await chartJsSource() })],
    [REPORT_MD, renderMarkdown(model)],
    [JUNIT, renderCampaignJUnit(results, input.budgets ?? [])],
  ];
  for (const [name, text] of outputs) {
    try {
      await writeFileAtomic(join(dir, name), text);
    } catch (err) {
      throw new ScriptError(`cannot write ${join(dir, name)}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }
  // The report's own files are rewritten on every `caplab report`: record exactly those, so the folder still checks.
  if (manifest) {
    try {
      await updateCampaignManifest(dir, manifest, outputs.map(([n]) => n));
    } catch (err) {
      throw new ScriptError(`cannot update ${join(dir, MANIFEST)}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }
  if (!global.quiet) {
    const failed = model.checks.thresholds.filter((t) => !t.ok).length + model.checks.budgets.filter((b) => !b.ok).length;
    const rows = model.recommendation?.rows.map((r) => `  ${r.dc}: ${r.next.planned} nodes in ${r.next.quarter}, ${r.horizon.planned} in ${r.horizon.quarter} (fleet ${r.fleet}; runs out ${r.runsOutP90 ?? 'not within the plan'})`) ?? [];
    process.stdout.write([...rows, ...(failed > 0 ? [`  ${failed} threshold/budget check${failed === 1 ? '' : 's'} failed (see junit.xml)`] : []),
      ...outputs.map(([n]) => `wrote ${join(dir, n)}`), ''].join('\n'));
  }
  return EXIT.ok;
};
