/**
 * `caplab gate [--budgets F] [--junit F] [--require-all] CAMPAIGN_DIR|RESULTS_DIR|DC_DIR|summary.json`: the CI gate.
 *
 * What it reads, each DC's files read by `caplab report`'s one reader (loadDcResults):
 * - a campaign directory (it holds campaign.json) or its results/ sub-directory: the folder is first checked against
 *   its manifest (a file missing, changed or added since the run wrote it is refused), every DC the campaign loaded
 *   must have results/<dc>/, and without --budgets the budgets the campaign ran with (the manifest's `budgets`) judge;
 * - a results directory without a manifest (`<dc>/summary.json`, `<dc>/points*.ndjson[.gz]`, e.g. real k6 output laid
 *   out by hand): every DC a budget names must have results;
 * - one DC's own directory (`results/<dc>`), the DC named by the directory, which must be a site of the world or of
 *   the budgets; or one summary.json (handleSummary or --summary-export shape) with the points beside it, which has
 *   no DC, so DC-specific budgets do not apply.
 * Without --budgets and without a manifest it uses data/budgets.json (the built-in API's) and says so. The budgets
 * used and why are printed first.
 *
 * It fails closed (exit 104, every problem listed, nothing written; reports/gate-evidence.ts): a DC that must have
 * results has none, a DC directory is empty, a summary has no metrics, a points file has any damaged line, or a
 * budget needs a metric the results lack for every service (e.g. serverP95 on a replay run through the modeled WAN).
 * Per-service figures come from the points (reports/ingest/results.ts), else from the summary's `service`
 * sub-metrics; reports/gate.ts judges them and the summaries' k6 thresholds.
 *
 * Writes junit.xml atomically (default: into the results directory, or beside the summary; `--junit F` elsewhere;
 * inside a campaign folder its manifest entry is updated so the folder still checks), prints a table of every check
 * (unless --quiet) and, when `GITHUB_ACTIONS=true`, prints `::error` workflow commands for failing checks
 * (`::warning` for limits without data) on stdout and appends the Markdown tables to `$GITHUB_STEP_SUMMARY`.
 *
 * Exit 0 every check holds; 99 a budget is broken or a k6 threshold was crossed (or, with --require-all, a limit
 * has no data); 104 unreadable, invalid, mixed or incomplete budgets or results; 107 junit.xml cannot be written.
 */
import { existsSync, readFileSync } from 'node:fs';
import { appendFile, readdir, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { type Problem, ValidationError } from '../../models/errors.ts';
import { builtInWorld, recordedWorld } from '../inputs/world.ts';
import { type DamagedFile, evaluateGate, gateAnnotations, gateJUnit, gateMarkdown, type GateRun } from '../../reports/gate.ts';
import { gateEvidenceProblems, type RequiredDc } from '../../reports/gate-evidence.ts';
import { BUDGETS, JUNIT, MANIFEST as CAMPAIGN_MANIFEST, RESULTS_DIR, SUMMARY, WORLD } from '../../pipeline/layout.ts';
import type { CampaignManifest } from '../../reports/ingest/campaign-manifest.ts';
import { runFigures } from '../../reports/ingest/results.ts';
import type { DcResults, ProvenanceEntry } from '../../reports/render/model.ts';
import { type Budgets, parseBudgets } from '../../scenarios/budgets.ts';
import { inspectCampaignFolder, updateCampaignManifest } from '../campaign/manifest.ts';
import type { CommandRun } from '../context.ts';
import { DATA_DIR } from '../data.ts';
import { EXIT, ScriptError } from '../errors.ts';
import { collect } from '../collect.ts';
import { parseJsonInput, readTextInput, writeFileAtomic } from '../io.ts';
import { loadDcResults, resultFiles } from '../inputs/results.ts';
import { formatGate } from '../print/gate.ts';

/** Options of `caplab gate` as commander parses them. */
export interface GateCliOptions {
  /** Budgets file (JSON or YAML). */
  budgets?: string;
  /** Where to write junit.xml. */
  junit?: string;
  /** Fail limits without data. */
  requireAll?: boolean;
}

async function readBudgets(path: string, shown: string): Promise<Budgets> {
  const text = await readTextInput(path, 'budgets file');
  let value: unknown;
  if (/\.ya?ml$/i.test(path)) {
    try {
      value = parseYaml(text) as unknown;
    } catch (err) {
      throw new ValidationError(`${shown} is invalid`, [{ where: shown, message: `not valid YAML (${(err as Error).message.split('\n')[0]})` }]);
    }
  } else value = parseJsonInput(text, shown);
  return parseBudgets(value, shown);
}

/**
 * DCs a directory's name may name: the sites of the built-in world, of the world a campaign folder recorded
 * (world.json beside results/, for results/<dc>), and those the budgets name.
 */
function knownDcs(budgets: Budgets | undefined, dir: string): string[] {
  const named = budgets?.budgets.flatMap((b) => (b.dc === undefined ? [] : [b.dc])) ?? [];
  const recorded = [join(dir, '..', '..', WORLD), join(dir, '..', WORLD)].flatMap((p) => {
    if (!existsSync(p)) return [];
    try {
      return Object.keys(recordedWorld(JSON.parse(readFileSync(p, 'utf8')), p).sites);
    } catch {
      return []; // A damaged world.json names no site: the directory's name is then checked against the others.
    }
  });
  return [...new Set([...Object.keys(builtInWorld().world.sites), ...recorded, ...named])].sort();
}

/** The run of one DC's results; its checks point at its summary, else at its first points file. */
function gateRun(dc: string | null, r: DcResults | undefined, shown: string, provenance: ProvenanceEntry[], damaged: DamagedFile[], summaryFile = `${shown}/${SUMMARY}`): GateRun {
  const points = provenance.find((p) => p.file.startsWith(`${shown}/points`))?.file;
  const figures = r ? runFigures(r) : { services: [], dropped: null, droppedSource: null };
  return { dc, figures, ...(r?.summary ? { summary: r.summary } : {}), file: r?.summary ? summaryFile : points ?? shown, dir: shown, damaged };
}

/** Reads one DC's directory, keeping its damaged points files apart (the gate fails on them; report only warns). */
async function readDc(dir: string, dc: string, shown: string, problems: Problem[], summary?: string): Promise<{ r: DcResults | undefined; provenance: ProvenanceEntry[]; damaged: DamagedFile[] }> {
  const provenance: ProvenanceEntry[] = [];
  const damaged: DamagedFile[] = [];
  const r = await loadDcResults({ dir, dc, shown, ...(summary ? { summary } : {}) }, problems, provenance, [], damaged);
  return { r, provenance, damaged };
}

/**
 * A DC's own directory (results/<dc>, holding summary.json and/or points): one run, the DC named by the directory, as
 * a results directory's sub-directory names its DC. The name is whatever the user's path ends in, so it must be a DC
 * the gate knows: judging `run-42` would silently drop every DC-specific budget.
 */
async function readDcDir(dir: string, own: string[], budgets: Budgets | undefined, problems: Problem[]): Promise<GateRun[]> {
  const dc = basename(resolve(dir)); // resolve: `caplab gate .` inside the DC's directory
  const subs: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    if (e.isDirectory() && (await resultFiles(join(dir, e.name))).length > 0) subs.push(e.name);
  }
  // Judging only one of the two would pass a gate whose other results were never looked at.
  if (subs.length > 0) {
    problems.push({ where: dir, message: `holds both its own results (${own.join(', ')}) and results of DCs in sub-directories (${subs.sort().join(', ')}): point at one DC's directory, or at a results directory holding only <dc>/ sub-directories` });
  }
  const known = knownDcs(budgets, resolve(dir));
  if (!known.includes(dc)) {
    const lone = own.includes(SUMMARY) ? `, or pass ${join(dir, SUMMARY)} to judge it without a DC` : '';
    problems.push({ where: dir, message: `"${dc}" is not a known DC (known: ${known.join(', ')}; from the world's sites and the budgets), so its DC budgets cannot be chosen: name the directory after its DC${lone}` });
  }
  // Read the files even when the name is wrong, so one run lists their problems too.
  const listed = problems.length;
  const { r, provenance, damaged } = await readDc(dir, dc, dir, problems);
  return r || problems.length === listed ? [gateRun(dc, r, dir, provenance, damaged)] : [];
}

/**
 * A results directory: one run per `<dc>/` sub-directory, an empty one included (the evidence check refuses it), or a
 * DC's own directory.
 */
async function readResultsDir(dir: string, budgets: Budgets | undefined, campaign: boolean, problems: Problem[]): Promise<{ runs: GateRun[]; resultsDir: boolean }> {
  const own = await resultFiles(dir);
  if (own.length > 0) return { runs: await readDcDir(dir, own, budgets, problems), resultsDir: false };
  const subs = await readdir(dir, { withFileTypes: true }).then((es) => es.filter((e) => e.isDirectory()).map((e) => e.name).sort(), () => [] as string[]);
  const runs: GateRun[] = [];
  const before = problems.length;
  for (const dc of subs) {
    // The label is the directory as the user named it, so problems and annotations carry paths they recognise.
    const shown = `${dir}/${dc}`;
    const listed = problems.length;
    const { r, provenance, damaged } = await readDc(join(dir, dc), dc, shown, problems);
    // Unreadable files are listed already; the DC is not also called empty.
    if (r || problems.length === listed) runs.push(gateRun(dc, r, shown, provenance, damaged));
  }
  // Beside other DCs' results an empty <dc>/ is a DC without evidence (refused); with none anywhere this is no results
  // directory at all (e.g. a campaign directory given instead of its results/).
  const any = runs.some((r) => r.summary || r.figures.dropped !== null || r.figures.services.length > 0 || (r.damaged ?? []).length > 0);
  if (!any && !campaign && problems.length === before) {
    runs.length = 0;
    const hasResults = await stat(join(dir, RESULTS_DIR)).then((s) => s.isDirectory(), () => false);
    problems.push({ where: dir, message: `no results: expected summary.json or points*.ndjson[.gz] in it (a DC's directory) or in its <dc>/ sub-directories (a results directory)${hasResults ? ` (a campaign directory? try ${join(dir, RESULTS_DIR)})` : ''}` });
  }
  return { runs, resultsDir: true };
}

/** One summary file (no DC: its directory's name is not taken as one), with the points*.ndjson[.gz] beside it. */
async function readSummaryFile(path: string, problems: Problem[]): Promise<GateRun[]> {
  const { r, provenance, damaged } = await readDc(dirname(path), path, dirname(path), problems, path);
  // Points alone are not judged: the user named a summary, and an unreadable one is an input problem already listed.
  return r?.summary ? [gateRun(null, r, dirname(path), provenance, damaged, path)] : [];
}

/**
 * The campaign folder a gate target belongs to: the target itself, its parent when the target is its results/, or its
 * grandparent when the target is one DC's results/<dc>.
 */
async function campaignFolderOf(target: string): Promise<{ campaign: string; results: string } | undefined> {
  const has = (d: string): Promise<boolean> => stat(join(d, CAMPAIGN_MANIFEST)).then((s) => s.isFile(), () => false);
  if (await has(target)) return { campaign: target, results: join(target, RESULTS_DIR) };
  const abs = resolve(target); // resolve: `caplab gate .` inside results/ or results/<dc>
  if (basename(abs) === RESULTS_DIR && (await has(dirname(abs)))) return { campaign: dirname(target === '.' ? abs : target), results: target };
  if (basename(dirname(abs)) === RESULTS_DIR && (await has(dirname(dirname(abs))))) return { campaign: dirname(dirname(abs)), results: target };
  return undefined;
}

/** Which budgets judge the runs, and why those (printed, so nobody guesses). */
function budgetsSource(opts: GateCliOptions, folder: { campaign: string } | undefined, manifest: CampaignManifest | undefined): { path: string; shown: string; why: string } {
  if (opts.budgets !== undefined) return { path: opts.budgets, shown: opts.budgets, why: 'given with --budgets' };
  if (folder && manifest) {
    const p = join(folder.campaign, manifest.budgets);
    return { path: p, shown: p, why: `the budgets campaign run ${manifest.runId} ran with (${join(folder.campaign, CAMPAIGN_MANIFEST)})` };
  }
  return {
    path: join(DATA_DIR, BUDGETS), shown: `data/${BUDGETS}`,
    why: "caplab's built-in budgets for the built-in mobile-cloud API: no --budgets was given and no campaign.json names the budgets the run used",
  };
}

/** DCs a results directory must hold: those the campaign loaded, and those a budget names (unless the campaign skipped them). */
function requiredDcs(budgets: Budgets, budgetsShown: string, manifest: CampaignManifest | undefined, manifestPath: string | undefined): RequiredDc[] {
  const out: RequiredDc[] = (manifest?.dcs ?? []).map((dc) => ({ dc, why: `campaign run ${manifest!.runId} loaded it (${manifestPath})` }));
  budgets.budgets.forEach((b, i) => {
    if (b.dc !== undefined && !manifest?.skipped.includes(b.dc)) out.push({ dc: b.dc, why: `${budgetsShown}: budgets[${i}] names it` });
  });
  return out;
}

/** Runs `caplab gate`. */
export const run: CommandRun<GateCliOptions> = async ({ args, opts, global }) => {
  const target = args[0]!.length > 1 ? args[0]!.replace(/[\\/]+$/, '') : args[0]!;
  const problems: Problem[] = [];
  const kind = await stat(target).then((s) => (s.isDirectory() ? 'dir' : 'file'), () => undefined);
  const folder = kind === 'dir' ? await campaignFolderOf(target) : undefined;
  // A folder whose files are not exactly what one run wrote is refused, its problems listed with the others.
  const check = folder ? await inspectCampaignFolder(folder.campaign) : undefined;
  if (check) problems.push(...check.problems);
  const manifest = check?.manifest;
  const source = budgetsSource(opts, folder, manifest);
  const budgets = await collect(problems, source.shown, () => readBudgets(source.path, source.shown));
  let runs: GateRun[] = [];
  let required: RequiredDc[] = [];
  if (kind === undefined) problems.push({ where: target, message: 'no such file or directory (expected a results directory, a campaign directory or a summary.json)' });
  else if (kind === 'dir') {
    const dir = folder?.results ?? target;
    const read = await readResultsDir(dir, budgets, folder !== undefined, problems);
    runs = read.runs;
    if (read.resultsDir && budgets) required = requiredDcs(budgets, source.shown, manifest, folder && join(folder.campaign, CAMPAIGN_MANIFEST));
  } else runs = await readSummaryFile(target, problems);
  if (budgets) problems.push(...gateEvidenceProblems(budgets, runs, { required, resultsDir: folder?.results ?? target }));
  // A gate that judged no run at all would pass on nothing.
  if (kind !== undefined && runs.length === 0 && problems.length === 0) problems.push({ where: folder?.results ?? target, message: 'no results to judge' });
  if (problems.length > 0 || !budgets) throw new ValidationError(`caplab gate cannot judge ${target}`, problems);

  const outcome = evaluateGate(budgets, runs, { requireAll: opts.requireAll ?? false });
  const resultsDir = folder?.results ?? target;
  const junitPath = opts.junit ?? (kind === 'dir' ? join(resultsDir, JUNIT) : join(dirname(target), JUNIT));
  try {
    await writeFileAtomic(junitPath, gateJUnit(outcome, runs));
    // The gate's junit.xml inside a checked campaign folder is recorded, so the folder still checks afterwards.
    const inside = folder && manifest ? relative(folder.campaign, junitPath) : undefined;
    if (folder && manifest && inside !== undefined && !inside.startsWith('..') && !isAbsolute(inside)) await updateCampaignManifest(folder.campaign, manifest, [inside]);
  } catch (err) {
    throw new ScriptError(`cannot write ${junitPath}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const budgetsLine = `${source.shown} (${source.why})`;
  if (!global.quiet) process.stdout.write(formatGate(outcome, junitPath, budgetsLine));

  if (process.env.GITHUB_ACTIONS === 'true') {
    const lines = gateAnnotations(outcome);
    if (lines.length > 0) process.stdout.write(`${lines.join('\n')}\n`);
    const summaryFile = process.env.GITHUB_STEP_SUMMARY;
    if (summaryFile) {
      try {
        // Append: earlier steps (and other tools in this step) write to the same file.
        await appendFile(summaryFile, `\n${gateMarkdown(outcome, `caplab gate (${target})`, budgetsLine)}`);
      } catch (err) {
        process.stderr.write(`caplab: cannot append to $GITHUB_STEP_SUMMARY ${summaryFile}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}\n`);
      }
    }
  }
  return outcome.ok ? EXIT.ok : EXIT.thresholdsCrossed;
};
