/**
 * `caplab compare BASELINE CANDIDATE`: compares two runs per DC and metric (p95, p99, requests/s, error rate; capacity
 * per node and nodes needed when both have a plan.json) with a seeded bootstrap noise band over per-window figures of
 * their NDJSON points. Each argument is a campaign directory (with results/<dc>/ and optionally plan.json) or a
 * results directory (with <dc>/summary.json and <dc>/points.ndjson[.gz]).
 * Prints the Markdown table to stdout and writes <out-dir>/compare.md and <out-dir>/compare.html atomically (with
 * `--json`: prints the comparison as JSON and writes nothing). Exit 0 whatever the verdicts (`caplab gate` decides
 * pass/fail); 104 when a directory is missing, has no results, or holds an invalid file (every problem listed).
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { type Problem, ValidationError } from '../../models/errors.ts';
import type { Plan } from '../../models/types.ts';
import { COMPARE_HTML, COMPARE_MD, PLAN, RESULTS_DIR } from '../../pipeline/layout.ts';
import { parseWith } from '../../models/validation.ts';
import { type CompareSide, compareRuns } from '../../reports/compare.ts';
import { renderCompareHtml, renderCompareMarkdown } from '../../reports/render/compare.ts';
import { PlanFileSchema } from '../../reports/render/inputs.ts';
import type { ProvenanceEntry } from '../../reports/render/model.ts';
import type { CommandRun } from '../context.ts';
import { EXIT, InputError, ScriptError } from '../errors.ts';
import { writeFileAtomic } from '../io.ts';
import { readJson } from '../inputs/json.ts';
import { loadResults } from '../inputs/results.ts';

/** Options of `caplab compare`. */
export interface CompareCliOptions {
  resamples?: string;
  level?: string;
  json?: boolean;
}

const isDir = (p: string): Promise<boolean> => stat(p).then((s) => s.isDirectory(), () => false);
const isFile = (p: string): Promise<boolean> => stat(p).then((s) => s.isFile(), () => false);

async function loadSide(dir: string, problems: Problem[]): Promise<CompareSide> {
  const before = problems.length;
  if (!(await isDir(dir))) {
    problems.push({ where: dir, message: 'no such directory' });
    return { label: dir, results: {} };
  }
  const resultsDir = (await isDir(join(dir, RESULTS_DIR))) ? join(dir, RESULTS_DIR) : dir;
  const warnings: string[] = [];
  const provenance: ProvenanceEntry[] = [];
  const results = await loadResults(resultsDir, problems, provenance, warnings);
  for (const w of warnings) process.stderr.write(`caplab: ${w}\n`);
  let plan: Plan | undefined;
  const planPath = join(dir, PLAN);
  if (await isFile(planPath)) {
    try {
      plan = parseWith(PlanFileSchema, await readJson(planPath, 'plan'), planPath);
    } catch (err) {
      if (err instanceof ValidationError) problems.push(...err.problems);
      else if (err instanceof InputError) problems.push({ where: planPath, message: err.message });
      else throw err;
    }
  }
  if (Object.keys(results).length === 0 && !plan && problems.length === before) {
    problems.push({ where: dir, message: 'no results: expected <dc>/summary.json or <dc>/points.ndjson[.gz] (directly or under results/), or a plan.json' });
  }
  return { label: dir, results, ...(plan ? { plan } : {}) };
}

function parseNumber(text: string | undefined, name: string, ok: (v: number) => boolean, fallback: number): number {
  if (text === undefined) return fallback;
  const v = Number(text);
  if (!Number.isFinite(v) || !ok(v)) throw new InputError(`${name} "${text}" is out of range`);
  return v;
}

/** Runs `caplab compare`. */
export const run: CommandRun<CompareCliOptions> = async ({ args, opts, global }) => {
  if (args.length !== 2) throw new InputError('caplab compare needs two directories: BASELINE CANDIDATE');
  const resamples = parseNumber(opts.resamples, '--resamples', (v) => Number.isInteger(v) && v >= 100 && v <= 1e6, 2000);
  const level = parseNumber(opts.level, '--level', (v) => v > 0 && v < 1, 0.95);
  const problems: Problem[] = [];
  const base = await loadSide(args[0]!, problems);
  const cand = await loadSide(args[1]!, problems);
  if (problems.length > 0) throw new ValidationError('cannot compare', problems);
  const comparison = compareRuns(base, cand, { seed: global.seed, resamples, level });
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(comparison, null, 2)}\n`);
    return EXIT.ok;
  }
  const md = renderCompareMarkdown(comparison);
  const outputs: [string, string][] = [[COMPARE_MD, md], [COMPARE_HTML, renderCompareHtml(comparison)]];
  for (const [name, text] of outputs) {
    const path = join(global.outDir, name);
    try {
      await writeFileAtomic(path, text);
    } catch (err) {
      throw new ScriptError(`cannot write ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }
  process.stdout.write(md);
  if (!global.quiet) process.stdout.write(`\n${outputs.map(([n]) => `wrote ${join(global.outDir, n)}`).join('\n')}\n`);
  return EXIT.ok;
};
