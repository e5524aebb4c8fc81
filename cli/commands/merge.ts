/**
 * `caplab merge A.ndjson[.gz] B.ndjson ...`: merge k6 `--out json` files (ours or real k6's; segments or pods of one
 * run) from their raw points into one handleSummary object, evaluate thresholds when given (`--spec` or
 * `--thresholds`), write `--summary-json` / `--summary-export` atomically, and print k6's text summary.
 * With no output file the handleSummary JSON goes to stdout (the text summary then to stderr).
 * Exit 99 when a threshold is crossed, 104 on bad input (nothing written), 107 when an output cannot be written.
 */
import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { ValidationError } from '../../models/errors.ts';
import { mergeNdjson, type MergeResult } from '../../reports/ingest/merge.ts';
import { DEFAULT_SUMMARY_TREND_STATS } from '../../scenarios/engine/metrics/registry.ts';
import { trendStatsProblems } from '../../scenarios/engine/metrics/sinks.ts';
import type { ThresholdSpec } from '../../scenarios/engine/metrics/types.ts';
import { toSummaryExport } from '../../scenarios/engine/outputs/summary-export.ts';
import { textSummary } from '../../scenarios/engine/outputs/text-summary.ts';
import { parseThresholds } from '../../scenarios/engine/thresholds.ts';
import type { CommandRun } from '../context.ts';
import { EXIT, InputError, ScriptError } from '../errors.ts';
import { parseJsonInput, readTextInput, writeFileAtomic } from '../io.ts';

/** Options of `caplab merge` as commander parses them. */
export interface MergeOptions {
  summaryJson?: string;
  summaryExport?: string;
  spec?: string;
  thresholds?: string;
  summaryTrendStats?: string;
}

/** Thresholds and summary options taken from `--spec` or `--thresholds`. */
interface MergeSettings {
  thresholds: Record<string, ThresholdSpec[]>;
  summaryTrendStats: string[];
  summaryTimeUnit?: string;
}

function parseDocument(text: string, path: string): unknown {
  if (!/\.ya?ml$/i.test(path)) return parseJsonInput(text, path);
  try {
    return parseYaml(text) as unknown;
  } catch (err) {
    throw new InputError(`${path}: not valid YAML (${(err as Error).message.split('\n')[0]})`);
  }
}

/**
 * Reads thresholds (and summaryTrendStats / summaryTimeUnit) from a scenario spec's `options`, or from a thresholds
 * file (k6's `options.thresholds` object, bare or under a `thresholds` key), validating all of it.
 * @throws {InputError} when the file cannot be read or parsed, or both sources are given
 * @throws {ValidationError} listing every threshold and summaryTrendStats problem
 */
async function loadSettings(opts: MergeOptions): Promise<MergeSettings> {
  if (opts.spec && opts.thresholds) throw new InputError('give --spec or --thresholds, not both');
  let thresholds: unknown;
  let stats: unknown;
  let unit: unknown;
  let source = '';
  let base = '';
  if (opts.spec) {
    source = opts.spec;
    const doc = parseDocument(await readTextInput(opts.spec, 'scenario spec'), opts.spec) as Record<string, unknown> | null;
    if (typeof doc !== 'object' || doc === null || doc.schema !== 'caplab.scenario/v1') {
      throw new InputError(`${opts.spec}: not a caplab scenario spec ("schema": "caplab.scenario/v1" expected)`);
    }
    const options = (doc.options ?? {}) as Record<string, unknown>;
    thresholds = options.thresholds;
    stats = options.summaryTrendStats;
    unit = options.summaryTimeUnit;
    base = 'options.thresholds';
  } else if (opts.thresholds) {
    source = opts.thresholds;
    const doc = parseDocument(await readTextInput(opts.thresholds, 'thresholds file'), opts.thresholds) as Record<string, unknown> | null;
    const wrapped = typeof doc === 'object' && doc !== null && typeof doc.thresholds === 'object' && !Array.isArray(doc.thresholds);
    thresholds = wrapped ? doc.thresholds : doc;
    base = wrapped ? 'thresholds' : '';
  }
  if (opts.summaryTrendStats !== undefined) stats = opts.summaryTrendStats.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const problems: { where: string; message: string }[] = [];
  const parsed = parseThresholds(thresholds);
  for (const p of parsed.problems) {
    const path = [base, ...p.path.map((k) => (typeof k === 'number' ? `[${k}]` : k))].filter((k) => k !== '').join('.').replace(/\.\[/g, '[');
    problems.push({ where: `${source}: ${path || '(root)'}`, message: p.message });
  }
  let summaryTrendStats = [...DEFAULT_SUMMARY_TREND_STATS];
  if (stats !== undefined) {
    if (!Array.isArray(stats) || !stats.every((s) => typeof s === 'string')) {
      problems.push({ where: `${source || '--summary-trend-stats'}: summaryTrendStats`, message: 'must be a list of stats such as avg, p(95)' });
    } else {
      for (const m of trendStatsProblems(stats)) problems.push({ where: source || '--summary-trend-stats', message: m });
      summaryTrendStats = stats;
    }
  }
  if (unit !== undefined && !['', 's', 'ms', 'us'].includes(String(unit))) {
    problems.push({ where: `${source}: options.summaryTimeUnit`, message: `"${String(unit)}" is not one of s, ms, us` });
  }
  if (problems.length > 0) throw new ValidationError('merge settings are invalid', problems);
  return { thresholds: parsed.specs, summaryTrendStats, ...(typeof unit === 'string' ? { summaryTimeUnit: unit } : {}) };
}

function damagedNote(r: MergeResult['reports'][number]): string {
  const more = r.damaged > r.damagedLines.length ? ', ...' : '';
  return `caplab: ${r.source}: skipped ${r.damaged} damaged line${r.damaged === 1 ? '' : 's'} (line${r.damaged === 1 ? '' : 's'} ${r.damagedLines.join(', ')}${more})\n`;
}

/** Runs `caplab merge`. */
export const run: CommandRun<MergeOptions> = async ({ args, opts, global }) => {
  if (args.length === 0) throw new InputError('caplab merge needs at least one NDJSON file (k6 --out json output, plain or .gz)');
  const missing: string[] = [];
  for (const f of args) await access(f).catch(() => missing.push(f));
  if (missing.length > 0) throw new InputError(`cannot read ${missing.join(', ')}: no such file`);
  const settings = await loadSettings(opts);
  const result = await mergeNdjson(args.map((name) => ({ name, stream: createReadStream(name) })), settings);
  for (const r of result.reports) if (r.damaged > 0) process.stderr.write(damagedNote(r));
  const colors = Boolean(process.stdout.isTTY) && process.env.NO_COLOR === undefined;
  const text = textSummary(result.data, { colors });
  const writes: [string | undefined, () => unknown, number][] = [
    [opts.summaryJson, () => result.data, 2],
    [opts.summaryExport, () => toSummaryExport(result.data), 4], // k6 writes the export with 4-space indents
  ];
  for (const [path, value, indent] of writes) {
    if (path === undefined) continue;
    try {
      await writeFileAtomic(path, `${JSON.stringify(value(), null, indent)}\n`);
    } catch (err) {
      throw new ScriptError(`cannot write ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }
  if (!opts.summaryJson && !opts.summaryExport) {
    process.stdout.write(`${JSON.stringify(result.data, null, 2)}\n`);
    if (!global.quiet) process.stderr.write(textSummary(result.data, { colors: false }));
  } else if (!global.quiet) {
    process.stdout.write(text);
  }
  if (!result.thresholdsOk) {
    const crossed = [...new Set(result.thresholds.filter((t) => !t.ok).map((t) => t.metric))];
    process.stderr.write(`caplab: thresholds on metrics '${crossed.join(', ')}' have been crossed\n`);
    return EXIT.thresholdsCrossed;
  }
  return EXIT.ok;
};
