/**
 * `caplab gate [--budgets F] [--junit F] [--require-all] RESULTS_DIR|DC_DIR|summary.json`: the CI release gate.
 *
 * Reads the budgets (`caplab.budgets/v1`, JSON or YAML; default data/budgets.json) and the results, each DC's files
 * read by `caplab report`'s one reader (loadDcResults): a results directory (`<dc>/summary.json` and
 * `<dc>/points*.ndjson[.gz]`, the DC named by the sub-directory, as `caplab report` reads them); one DC's own
 * directory (`results/<dc>`, holding summary.json and/or points), the DC named by the directory, which must be a DC
 * of data/rtt.json or of the budgets; or one summary.json (handleSummary or --summary-export shape, ours or real
 * k6's) with the `points*.ndjson[.gz]` beside it, which has no DC, so DC-specific budgets do not apply. Per-service
 * figures come from the points (reports/ingest/results.ts), else from the summary's `service` sub-metrics.
 * reports/gate.ts judges them and the summaries' k6 thresholds.
 *
 * Writes junit.xml atomically (default: into the directory given, or beside the summary; `--junit F` elsewhere),
 * prints a table of every check (unless --quiet) and, when `GITHUB_ACTIONS=true`, prints `::error` workflow commands
 * for failing checks (`::warning` for limits without data) on stdout and appends the Markdown tables to the file
 * named by `$GITHUB_STEP_SUMMARY` (appended, never overwritten; skipped when the variable is unset).
 *
 * Exit 0 every check holds; 99 a budget is broken or a k6 threshold was crossed (or, with --require-all, a limit
 * has no data); 104 unreadable or invalid budgets or results (every problem listed with file and JSON path, nothing
 * written); 107 junit.xml cannot be written.
 */
import { appendFile, readdir, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { type Problem, ValidationError } from '../../models/errors.ts';
import { RttSchema } from '../../models/routing/settings.ts';
import { evaluateGate, gateAnnotations, gateJUnit, gateMarkdown, type GateRun } from '../../reports/gate.ts';
import { runFigures } from '../../reports/ingest/results.ts';
import type { DcResults, ProvenanceEntry } from '../../reports/render/model.ts';
import { type Budgets, parseBudgets } from '../../scenarios/budgets.ts';
import type { CommandRun } from '../context.ts';
import { DATA_DIR, loadData } from '../data.ts';
import { EXIT, ScriptError } from '../errors.ts';
import { collect } from '../collect.ts';
import { parseJsonInput, readTextInput, writeFileAtomic } from '../io.ts';
import { formatGate } from '../print/gate.ts';
import { loadDcResults, loadResults, resultFiles } from './report.ts';

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

/** DCs a directory's name may name: those data/rtt.json has a table for (so every placement's) and those the budgets name. */
function knownDcs(budgets: Budgets | undefined): string[] {
  const named = budgets?.budgets.flatMap((b) => (b.dc === undefined ? [] : [b.dc])) ?? [];
  return [...new Set([...Object.keys(loadData('rtt.json', RttSchema).dcs), ...named])].sort();
}

/** The run of one DC's results; its checks point at its summary, else at its first points file. */
function gateRun(dc: string | null, r: DcResults, shown: string, provenance: ProvenanceEntry[], summaryFile = `${shown}/summary.json`): GateRun {
  const points = provenance.find((p) => p.file.startsWith(`${shown}/points`))?.file;
  return { dc, figures: runFigures(r), ...(r.summary ? { summary: r.summary } : {}), file: r.summary ? summaryFile : points ?? shown };
}

/**
 * A DC's own directory (results/<dc>, holding summary.json and/or points): one run, the DC named by the directory, as
 * a results directory's sub-directory names its DC. The name is whatever the user's path ends in, so it must be a DC
 * the gate knows: judging `run-42` would silently drop every DC-specific budget.
 */
async function readDcDir(dir: string, own: string[], budgets: Budgets | undefined, problems: Problem[], warnings: string[]): Promise<GateRun[]> {
  const dc = basename(resolve(dir)); // resolve: `caplab gate .` inside the DC's directory
  const subs: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    if (e.isDirectory() && (await resultFiles(join(dir, e.name))).length > 0) subs.push(e.name);
  }
  // Judging only one of the two would pass a gate whose other results were never looked at.
  if (subs.length > 0) {
    problems.push({ where: dir, message: `holds both its own results (${own.join(', ')}) and results of DCs in sub-directories (${subs.sort().join(', ')}): point at one DC's directory, or at a results directory holding only <dc>/ sub-directories` });
  }
  const known = knownDcs(budgets);
  if (!known.includes(dc)) {
    const lone = own.includes('summary.json') ? `, or pass ${join(dir, 'summary.json')} to judge it without a DC` : '';
    problems.push({ where: dir, message: `"${dc}" is not a known DC (known: ${known.join(', ')}; from data/rtt.json and the budgets), so its DC budgets cannot be chosen: name the directory after its DC${lone}` });
  }
  // Read the files even when the name is wrong, so one run lists their problems too.
  const provenance: ProvenanceEntry[] = [];
  const r = await loadDcResults({ dir, dc, shown: dir }, problems, provenance, warnings);
  return r ? [gateRun(dc, r, dir, provenance)] : [];
}

/** A results directory (one run per `<dc>/` holding a summary or points), or a DC's own directory. */
async function readResultsDir(dir: string, budgets: Budgets | undefined, problems: Problem[], warnings: string[]): Promise<GateRun[]> {
  const own = await resultFiles(dir);
  if (own.length > 0) return readDcDir(dir, own, budgets, problems, warnings);
  const provenance: ProvenanceEntry[] = [];
  const before = problems.length;
  // The label is the directory as the user named it, so provenance (and annotations) carry paths they recognise.
  const results = await loadResults(dir, problems, provenance, warnings, dir);
  const runs = Object.entries(results).map(([dc, r]) => gateRun(dc, r, `${dir}/${dc}`, provenance));
  if (runs.length === 0 && problems.length === before) {
    const campaign = await stat(join(dir, 'results')).then((s) => s.isDirectory(), () => false);
    problems.push({ where: dir, message: `no results: expected summary.json or points*.ndjson[.gz] in it (a DC's directory) or in its <dc>/ sub-directories (a results directory)${campaign ? ` (a campaign directory? try ${join(dir, 'results')})` : ''}` });
  }
  return runs;
}

/** One summary file (no DC: its directory's name is not taken as one), with the points*.ndjson[.gz] beside it. */
async function readSummaryFile(path: string, problems: Problem[], warnings: string[]): Promise<GateRun[]> {
  const provenance: ProvenanceEntry[] = [];
  const r = await loadDcResults({ dir: dirname(path), dc: path, summary: path }, problems, provenance, warnings);
  // Points alone are not judged: the user named a summary, and an unreadable one is an input problem already listed.
  return r?.summary ? [gateRun(null, r, dirname(path), provenance, path)] : [];
}

/** Runs `caplab gate`. */
export const run: CommandRun<GateCliOptions> = async ({ args, opts, global }) => {
  const target = args[0]!.length > 1 ? args[0]!.replace(/[\\/]+$/, '') : args[0]!;
  const problems: Problem[] = [];
  const warnings: string[] = [];
  const budgetsPath = opts.budgets ?? join(DATA_DIR, 'budgets.json');
  const budgetsShown = opts.budgets ?? 'data/budgets.json';
  const budgets = await collect(problems, budgetsShown, () => readBudgets(budgetsPath, budgetsShown));
  const kind = await stat(target).then((s) => (s.isDirectory() ? 'dir' : 'file'), () => undefined);
  let runs: GateRun[] = [];
  if (kind === undefined) problems.push({ where: target, message: 'no such file or directory (expected a results directory or a summary.json)' });
  else runs = kind === 'dir' ? await readResultsDir(target, budgets, problems, warnings) : await readSummaryFile(target, problems, warnings);
  if (problems.length > 0 || !budgets) throw new ValidationError(`caplab gate cannot judge ${target}`, problems);
  for (const w of warnings) process.stderr.write(`caplab: ${w}\n`);

  const outcome = evaluateGate(budgets, runs, { requireAll: opts.requireAll ?? false });
  const junitPath = opts.junit ?? (kind === 'dir' ? join(target, 'junit.xml') : join(dirname(target), 'junit.xml'));
  try {
    await writeFileAtomic(junitPath, gateJUnit(outcome, runs));
  } catch (err) {
    throw new ScriptError(`cannot write ${junitPath}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  if (!global.quiet) process.stdout.write(formatGate(outcome, junitPath));

  if (process.env.GITHUB_ACTIONS === 'true') {
    const lines = gateAnnotations(outcome);
    if (lines.length > 0) process.stdout.write(`${lines.join('\n')}\n`);
    const summaryFile = process.env.GITHUB_STEP_SUMMARY;
    if (summaryFile) {
      try {
        // Append: earlier steps (and other tools in this step) write to the same file.
        await appendFile(summaryFile, `\n${gateMarkdown(outcome, `caplab gate (${target})`)}`);
      } catch (err) {
        process.stderr.write(`caplab: cannot append to $GITHUB_STEP_SUMMARY ${summaryFile}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}\n`);
      }
    }
  }
  return outcome.ok ? EXIT.ok : EXIT.thresholdsCrossed;
};
