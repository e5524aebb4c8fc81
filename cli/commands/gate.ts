/**
 * `caplab gate [--budgets F] [--junit F] [--require-all] RESULTS_DIR|summary.json`: the CI release gate.
 *
 * Reads the budgets (`caplab.budgets/v1`, JSON or YAML; default data/budgets.json) and the results: a results
 * directory (`<dc>/summary.json` and `<dc>/points*.ndjson[.gz]`, the DC named by the sub-directory, as `caplab
 * report` reads them) or one summary.json (handleSummary or --summary-export shape, ours or real k6's) with the
 * `points*.ndjson[.gz]` beside it, which has no DC, so DC-specific budgets do not apply. Per-service figures come
 * from the points (reports/ingest/results.ts), else from the summary's `service` sub-metrics. reports/gate.ts judges
 * them and the summaries' k6 thresholds.
 *
 * Writes junit.xml atomically (default: RESULTS_DIR/junit.xml, or beside the summary; `--junit F` elsewhere), prints
 * a table of every check (unless --quiet) and, when `GITHUB_ACTIONS=true`, prints `::error` workflow commands for
 * failing checks (`::warning` for limits without data) on stdout and appends the Markdown tables to the file named
 * by `$GITHUB_STEP_SUMMARY` (appended, never overwritten; skipped when the variable is unset).
 *
 * Exit 0 every check holds; 99 a budget is broken or a k6 threshold was crossed (or, with --require-all, a limit
 * has no data); 104 unreadable or invalid budgets or results (every problem listed with file and JSON path, nothing
 * written); 107 junit.xml cannot be written.
 */
import { createReadStream } from 'node:fs';
import { appendFile, readdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { type Problem, ValidationError } from '../../models/errors.ts';
import { evaluateGate, gateAnnotations, gateJUnit, gateMarkdown, type GateRun } from '../../reports/gate.ts';
import { readK6Ndjson } from '../../reports/ingest/ndjson.ts';
import { runFigures } from '../../reports/ingest/results.ts';
import type { ProvenanceEntry } from '../../reports/render/model.ts';
import { LoadSeriesSink } from '../../reports/render/series.ts';
import { readAnySummary } from '../../reports/render/summary-shape.ts';
import { type Budgets, parseBudgets } from '../../scenarios/budgets.ts';
import type { CommandRun } from '../context.ts';
import { DATA_DIR } from '../data.ts';
import { EXIT, ScriptError } from '../errors.ts';
import { collect } from '../collect.ts';
import { parseJsonInput, readTextInput, writeFileAtomic } from '../io.ts';
import { formatGate } from '../print/gate.ts';
import { loadResults } from './report.ts';

/** Options of `caplab gate` as commander parses them. */
export interface GateCliOptions {
  /** Budgets file (JSON or YAML). */
  budgets?: string;
  /** Where to write junit.xml. */
  junit?: string;
  /** Fail limits without data. */
  requireAll?: boolean;
}

const POINTS = /^points.*\.ndjson(\.gz)?$/;

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

/** A results directory: one run per `<dc>/` holding a summary or points. */
async function readResultsDir(dir: string, problems: Problem[], warnings: string[]): Promise<GateRun[]> {
  const provenance: ProvenanceEntry[] = [];
  const before = problems.length;
  // The label is the directory as the user named it, so provenance (and annotations) carry paths they recognise.
  const results = await loadResults(dir, problems, provenance, warnings, dir);
  const runs: GateRun[] = [];
  for (const [dc, r] of Object.entries(results)) {
    const pointsFile = provenance.find((p) => p.file.startsWith(`${dir}/${dc}/points`))?.file;
    runs.push({ dc, figures: runFigures(r), ...(r.summary ? { summary: r.summary } : {}), file: r.summary ? `${dir}/${dc}/summary.json` : pointsFile ?? `${dir}/${dc}` });
  }
  if (runs.length === 0 && problems.length === before) {
    const campaign = await stat(join(dir, 'results')).then((s) => s.isDirectory(), () => false);
    problems.push({ where: dir, message: `no results: expected <dc>/summary.json or <dc>/points*.ndjson[.gz] in it${campaign ? ` (a campaign directory? try ${join(dir, 'results')})` : ''}` });
  }
  return runs;
}

/** One summary file (no DC), with the points*.ndjson[.gz] beside it. */
async function readSummaryFile(path: string, problems: Problem[], warnings: string[]): Promise<GateRun[]> {
  const summary = await collect(problems, path, async () => readAnySummary(parseJsonInput(await readTextInput(path, 'summary'), path), path));
  const dir = dirname(path);
  const files = (await readdir(dir)).filter((f) => POINTS.test(f)).sort();
  const sink = new LoadSeriesSink();
  let read = 0;
  for (const name of files) {
    const p = join(dir, name);
    const rep = await collect(problems, p, () => readK6Ndjson(createReadStream(p), sink, p));
    if (!rep) continue;
    read++;
    if (rep.damaged > 0) warnings.push(`${p}: skipped ${rep.damaged} damaged line${rep.damaged === 1 ? '' : 's'} (${rep.damagedLines.join(', ')})`);
  }
  if (!summary) return [];
  return [{ dc: null, figures: runFigures({ summary, ...(read > 0 ? { series: sink.finish() } : {}) }), summary, file: path }];
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
  else runs = kind === 'dir' ? await readResultsDir(target, problems, warnings) : await readSummaryFile(target, problems, warnings);
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
