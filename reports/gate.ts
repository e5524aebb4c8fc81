/**
 * The release gate: judges `caplab.budgets/v1` budgets against the measured figures of each run (one per DC) and
 * collects the k6 thresholds the runs' summaries already judged, giving one verdict per check with the measured
 * value and the limit, plus the lines CI shows: GitHub workflow-command annotations, a Markdown table for the job
 * summary (the columns of report.md's "Thresholds and budgets") and junit.xml (the report's one JUnit writer).
 *
 * Rules (the same expressions budgetsToThresholds gives k6, so the gate, the engine and real k6 agree):
 * - per service: `p95`/`p99` against `http_req_duration`, `serverP95`/`serverP99` against `http_req_waiting`,
 *   `errorRate` against `http_req_failed`'s rate, all strict (`p(95)<max`, `rate<max`);
 * - per run (DC): `droppedIterations` once, the strictest limit of the services judged there (k6 tags dropped
 *   iterations by scenario only, so they cannot be split per service), `count<=max`;
 * - which services: every service a budget names (service-wide, or for this DC) plus, when the budgets have
 *   defaults, every service measured in the run; limits merge as limitsFor does (DC budget > service > defaults);
 * - a run with no DC (a lone summary.json) gets service-wide budgets and defaults only, and a note says so;
 * - a limit whose metric was measured in the run but not for this service (the service had no requests, or a summary
 *   has no sub-metric for it) is `no-data`: reported (JUnit: skipped; annotation: warning) but NOT failing, because a
 *   budgets file may list services a given run does not exercise; `requireAll` makes it fail (JUnit: error;
 *   annotation: error). Missing evidence (a DC without results, damaged points, a metric the run lacks for every
 *   service) never gets here: reports/gate-evidence.ts refuses it before judging;
 * - a crossed k6 threshold in a summary fails the gate, as it makes k6 exit 99.
 * Pure: data in, data and text out.
 */
import { type Budgets, limitsFor } from '../scenarios/budgets.ts';
import type { K6SummaryData } from '../scenarios/engine/outputs/summary-schema.ts';
import type { FigureSource, RunFigures, ServiceFigures } from './ingest/results.ts';
import { int, pct, sig } from './render/format.ts';
import { campaignSuites } from './render/junit-report.ts';
import { type BudgetResult, type JUnitSuite, measuredFor, parseThresholdExpr, renderJUnit } from './render/junit.ts';
import { mdTable } from './render/markdown.ts';

/** Label of a run without a DC in tables, JUnit class names and messages. */
export const NO_DC = '(no dc)';
/** Service label of the per-run dropped-iterations check. */
export const ALL_SERVICES = '(all services)';

/** One run to judge: a DC's results (or a lone summary, dc null). */
export interface GateRun {
  /** Data center (the results sub-directory's or the DC directory's name), or null for a lone summary.json. */
  dc: string | null;
  /** Per-service figures and dropped iterations (reports/ingest/results.ts). */
  figures: RunFigures;
  /** The run's handleSummary data, whose thresholds are collected (absent: no thresholds). */
  summary?: K6SummaryData;
  /** File the run's checks point at in annotations (summary.json, else the first points file), as the user named it. */
  file: string;
  /** The run's directory as the user named it (for evidence problems; default: {@link GateRun.file}). */
  dir?: string;
  /** Points files with damaged lines (reports/gate-evidence.ts fails the gate on any). */
  damaged?: readonly DamagedFile[];
}

/** A points file some of whose lines could not be read. */
export interface DamagedFile {
  /** The file as the user named it. */
  file: string;
  /** Damaged lines. */
  count: number;
  /** Line numbers (1-based) of the first damaged lines. */
  lines: readonly number[];
}

/** Options of {@link evaluateGate}. */
export interface GateOptions {
  /** Fail limits that have no measured value (default false: they are reported as no data). */
  requireAll?: boolean;
}

/** Outcome of one check. */
export type Verdict = 'pass' | 'fail' | 'no-data';

/** One judged limit or threshold. */
export interface GateCheck {
  /** `budget` (from the budgets file) or `threshold` (a k6 threshold the summary judged). */
  kind: 'budget' | 'threshold';
  /** Data center, or null for a run without one. */
  dc: string | null;
  /** Service (budgets; {@link ALL_SERVICES} for dropped iterations), null for thresholds. */
  service: string | null;
  /** Budget field (`p95`, `serverP99`, `errorRate`, `droppedIterations`, ...) or threshold expression (`p(95)<300`). */
  limit: string;
  /** Metric compared: `http_req_duration`, ..., or the threshold's metric key as in the summary. */
  metric: string;
  /** Measured value (ms, ratio 0..1, or count), null when not measured. */
  measured: number | null;
  /** The limit's value in the same unit (null for a threshold that cannot be parsed). */
  max: number | null;
  /** Comparison that must hold: `<`, `<=`, or the threshold's operator. */
  op: string;
  /** Unit of measured and max (`''` for thresholds: k6's raw number). */
  unit: 'ms' | 'ratio' | 'count' | '';
  /** Where the figure came from (null: no data, or a threshold). */
  source: FigureSource | null;
  /** The verdict. */
  verdict: Verdict;
  /** True when this check makes the gate fail (`fail`, or `no-data` under requireAll). */
  failing: boolean;
  /** One line: what, where, measured vs limit. */
  message: string;
  /** File the check points at. */
  file: string;
}

/** Everything the gate decided. */
export interface GateOutcome {
  /** Every check: runs in DC order (no-DC first), thresholds then budgets, services by name. */
  checks: GateCheck[];
  /** True when no check is failing. */
  ok: boolean;
  /** Counts by verdict, and failing ones. */
  counts: { pass: number; fail: number; noData: number; failing: number };
  /** Notes for the reader (budgets that did not apply, nothing checked). */
  notes: string[];
  /** Whether no-data failed. */
  requireAll: boolean;
}

/** Per-service budget fields: the field, the k6 metric it is judged on, the figure and the k6 aggregation. */
export const SERVICE_LIMITS = [
  ['p95', 'http_req_duration', 'p95', 'p(95)'],
  ['p99', 'http_req_duration', 'p99', 'p(99)'],
  ['serverP95', 'http_req_waiting', 'serverP95', 'p(95)'],
  ['serverP99', 'http_req_waiting', 'serverP99', 'p(99)'],
  ['errorRate', 'http_req_failed', 'errorRate', 'rate'],
] as const;

/**
 * Formats a value in its unit for messages and tables.
 * @param v the value (null: "not measured")
 * @param unit ms, ratio, count, or '' for a raw number
 * @returns text like `312.4 ms`, `1.5%`, `3`
 * @example fmtGateValue(0.015, 'ratio') // '1.5%'
 */
export function fmtGateValue(v: number | null, unit: GateCheck['unit']): string {
  if (v === null) return 'not measured';
  return unit === 'ms' ? `${sig(v)} ms` : unit === 'ratio' ? pct(v) : unit === 'count' ? int(v) : sig(v);
}

/** Label of a DC for text. */
export const dcLabel = (dc: string | null): string => dc ?? NO_DC;

function thresholdChecks(run: GateRun): GateCheck[] {
  const out: GateCheck[] = [];
  for (const [key, m] of Object.entries(run.summary?.metrics ?? {})) {
    for (const [expr, t] of Object.entries(m.thresholds ?? {})) {
      const p = parseThresholdExpr(expr);
      const measured = p ? measuredFor(m.values, p.aggregation) ?? null : null;
      const what = p ? `${key} ${p.aggregation} = ${measured === null ? 'not in the summary' : sig(measured)}, limit ${p.op} ${p.limit}` : `${key}: ${expr}`;
      out.push({
        kind: 'threshold', dc: run.dc, service: null, limit: expr, metric: key, measured, max: p?.limit ?? null, op: p?.op ?? '',
        unit: '', source: null, verdict: t.ok ? 'pass' : 'fail', failing: !t.ok,
        message: `${dcLabel(run.dc)}: k6 threshold ${t.ok ? 'holds' : 'crossed'}: ${what}`, file: run.file,
      });
    }
  }
  return out;
}

/**
 * The services a run is judged on: every service a budget names (service-wide, or for the run's DC) plus, when the
 * budgets have defaults, every service measured in the run.
 * @param budgets validated budgets
 * @param run the run
 * @returns service names, sorted
 */
export function judgedServices(budgets: Budgets, run: Pick<GateRun, 'dc' | 'figures'>): string[] {
  const hasDefaults = Object.values(budgets.defaults).some((v) => v !== undefined);
  const named = budgets.budgets.filter((b) => b.dc === undefined || (run.dc !== null && b.dc === run.dc)).map((b) => b.service);
  return [...new Set([...named, ...(hasDefaults ? run.figures.services.map((s) => s.service) : [])])].sort();
}

function budgetChecks(budgets: Budgets, run: GateRun, requireAll: boolean): GateCheck[] {
  const measured = new Map<string, ServiceFigures>(run.figures.services.map((s) => [s.service, s]));
  const services = judgedServices(budgets, run);
  const out: GateCheck[] = [];
  const check = (service: string, limit: string, metric: string, value: number | null, max: number, op: '<' | '<=', unit: GateCheck['unit'], source: FigureSource | null): void => {
    const verdict: Verdict = value === null ? 'no-data' : (op === '<' ? value < max : value <= max) ? 'pass' : 'fail';
    const failing = verdict === 'fail' || (verdict === 'no-data' && requireAll);
    const where = `${service} in ${dcLabel(run.dc)}`;
    const message = verdict === 'no-data'
      ? `${where}: no ${limit} measured (${metric}${service === ALL_SERVICES ? '' : `{service:${service}}`}), limit ${op} ${fmtGateValue(max, unit)}`
      : `${where}: ${limit} = ${fmtGateValue(value, unit)}, limit ${op} ${fmtGateValue(max, unit)}${verdict === 'fail' ? ' (budget broken)' : ''}`;
    out.push({ kind: 'budget', dc: run.dc, service, limit, metric, measured: value, max, op, unit, source: value === null ? null : source, verdict, failing, message, file: run.file });
  };
  let dropped: number | undefined = budgets.defaults.droppedIterations;
  for (const service of services) {
    const limits = limitsFor(budgets, service, run.dc ?? undefined);
    const m = measured.get(service);
    // A service with zero requests has no percentiles or rate: that is no data, not a pass.
    const usable = m !== undefined && m.requests !== 0;
    for (const [key, metric, field] of SERVICE_LIMITS) {
      const max = limits[key];
      if (max === undefined) continue;
      check(service, key, metric, usable ? m[field] : null, max, '<', key === 'errorRate' ? 'ratio' : 'ms', m?.source ?? null);
    }
    if (limits.droppedIterations !== undefined) dropped = Math.min(dropped ?? Infinity, limits.droppedIterations);
  }
  if (dropped !== undefined) check(ALL_SERVICES, 'droppedIterations', 'dropped_iterations', run.figures.dropped, dropped, '<=', 'count', run.figures.droppedSource);
  return out;
}

/**
 * Judges every run.
 * @param budgets validated budgets (parseBudgets)
 * @param runs the runs, one per DC (or one without a DC)
 * @param opts `requireAll`: no-data fails
 * @returns every check, the verdict and notes
 * @example evaluateGate(budgets, [{ dc: 'singapore', figures, summary, file: 'results/singapore/summary.json' }]).ok
 */
export function evaluateGate(budgets: Budgets, runs: readonly GateRun[], opts: GateOptions = {}): GateOutcome {
  const requireAll = opts.requireAll ?? false;
  const notes: string[] = [];
  const ordered = [...runs].sort((a, b) => (a.dc === null ? -1 : b.dc === null ? 1 : a.dc.localeCompare(b.dc)));
  const checks: GateCheck[] = [];
  for (const run of ordered) {
    if (run.dc === null) {
      const specific = budgets.budgets.filter((b) => b.dc !== undefined).map((b) => `${b.service}@${b.dc}`);
      notes.push(`${run.file} has no DC (only a results directory's <dc>/ or a DC's own directory names one): ` +
        (specific.length > 0 ? `DC-specific budgets do not apply (${specific.join(', ')}).` : 'service-wide budgets and defaults apply.'));
    }
    checks.push(...thresholdChecks(run), ...budgetChecks(budgets, run, requireAll));
  }
  const dcs = new Set(runs.map((r) => r.dc));
  const unused = [...new Set(budgets.budgets.filter((b) => b.dc !== undefined && !dcs.has(b.dc)).map((b) => b.dc!))].sort();
  if (unused.length > 0 && runs.some((r) => r.dc !== null)) notes.push(`budgets name DCs with no results: ${unused.join(', ')}.`);
  const counts = {
    pass: checks.filter((c) => c.verdict === 'pass').length,
    fail: checks.filter((c) => c.verdict === 'fail').length,
    noData: checks.filter((c) => c.verdict === 'no-data').length,
    failing: checks.filter((c) => c.failing).length,
  };
  if (checks.length === 0) notes.push('nothing was checked: the budgets are empty and the summaries have no thresholds.');
  if (counts.noData > 0 && !requireAll) notes.push(`${counts.noData} limit${counts.noData === 1 ? ' has' : 's have'} no data and did not fail the gate (--require-all makes them fail).`);
  return { checks, ok: counts.failing === 0, counts, notes, requireAll };
}

/**
 * Escapes the message of a GitHub workflow command (`%`, CR, LF), as GitHub's runner (toolkit `escapeData`) does.
 * @param s raw text
 * @returns escaped text
 * @example escapeWorkflowData('50%\nok') // '50%25%0Aok'
 */
export function escapeWorkflowData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/**
 * Escapes a property value of a GitHub workflow command (`file=`, `title=`): the data escapes plus `:` and `,`,
 * which would otherwise end the property (toolkit `escapeProperty`).
 * @param s raw text
 * @returns escaped text
 * @example escapeWorkflowProperty('a:b,c') // 'a%3Ab%2Cc'
 */
export function escapeWorkflowProperty(s: string): string {
  return escapeWorkflowData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/**
 * GitHub annotations: `::error file=F,title=T::message` per failing check, `::warning ...` per no-data limit that did
 * not fail (so it is visible without failing the job).
 * @param outcome the gate's outcome
 * @returns one workflow command per line, no trailing newline on each
 * @example gateAnnotations(outcome)[0] // '::error file=results/singapore/summary.json,title=caplab budget ...::...'
 */
export function gateAnnotations(outcome: GateOutcome): string[] {
  const out: string[] = [];
  for (const c of outcome.checks) {
    if (!c.failing && c.verdict !== 'no-data') continue;
    const level = c.failing ? 'error' : 'warning';
    const title = c.kind === 'threshold'
      ? `caplab threshold ${c.metric}: ${c.limit} (${dcLabel(c.dc)})`
      : `caplab budget ${c.service} ${c.limit} (${dcLabel(c.dc)})`;
    out.push(`::${level} file=${escapeWorkflowProperty(c.file)},title=${escapeWorkflowProperty(title)}::${escapeWorkflowData(c.message)}`);
  }
  return out;
}

const result = (c: GateCheck): string => (c.verdict === 'pass' ? '✅ pass' : c.verdict === 'fail' ? '❌ fail' : c.failing ? '❌ no data' : '⚠️ no data');

/**
 * The job-summary Markdown: a heading with the verdict, the thresholds table and the budgets table with report.md's
 * columns (`DC | metric | threshold | measured | result`, `DC | service | limit | measured | budget | result`), notes.
 * @param outcome the gate's outcome
 * @param title heading text (default `caplab gate`)
 * @param budgetsUsed which budgets judged and why, shown under the heading (so a reader never guesses), if known
 * @returns Markdown ending with a newline (callers append it to the step summary file)
 */
export function gateMarkdown(outcome: GateOutcome, title = 'caplab gate', budgetsUsed?: string): string {
  const out = [`## ${title}: ${outcome.ok ? 'passed' : 'FAILED'}`, ''];
  if (budgetsUsed !== undefined) out.push(`Budgets: ${budgetsUsed}`, '');
  const thresholds = outcome.checks.filter((c) => c.kind === 'threshold');
  const budgets = outcome.checks.filter((c) => c.kind === 'budget');
  if (thresholds.length > 0) {
    out.push(mdTable(['DC', 'metric', 'threshold', 'measured', 'result'],
      thresholds.map((t) => [dcLabel(t.dc), t.metric, t.limit, t.measured === null ? 'not in the summary' : sig(t.measured), result(t)])), '');
  }
  if (budgets.length > 0) {
    out.push(mdTable(['DC', 'service', 'limit', 'measured', 'budget', 'result'],
      budgets.map((b) => [dcLabel(b.dc), b.service ?? '', b.limit, fmtGateValue(b.measured, b.unit), `${b.op} ${fmtGateValue(b.max, b.unit)}`, result(b)])), '');
  }
  const { failing, noData } = outcome.counts;
  out.push(failing === 0 ? `**All ${outcome.checks.length} checks hold**${noData > 0 ? ` (${noData} without data)` : ''}.` : `**${failing} of ${outcome.checks.length} checks failed.**`, '');
  for (const n of outcome.notes) out.push(`> ${n}`, '');
  return `${out.join('\n').trimEnd()}\n`;
}

/**
 * The budget checks as the JUnit writer's BudgetResult (dropped iterations under {@link ALL_SERVICES}).
 * @param outcome the gate's outcome
 * @returns one result per budget check
 */
export function gateBudgetResults(outcome: GateOutcome): BudgetResult[] {
  return outcome.checks.filter((c) => c.kind === 'budget').map((c) => ({
    service: c.service ?? ALL_SERVICES, dc: dcLabel(c.dc), limit: c.limit, measured: c.measured, max: c.max ?? 0,
    unit: c.unit === '' ? 'count' : c.unit, ok: c.verdict === 'pass',
  }));
}

/**
 * junit.xml of the gate with the report's writer: per run a `thresholds <dc>` suite (k6 thresholds) and a
 * `budgets <dc>` suite; a no-data limit is a skipped case unless requireAll (then the writer's error case).
 * @param outcome the gate's outcome
 * @param runs the runs judged (their summaries give the threshold cases)
 * @returns JUnit XML text
 */
export function gateJUnit(outcome: GateOutcome, runs: readonly GateRun[]): string {
  const results = Object.fromEntries(runs.map((r) => [dcLabel(r.dc), r.summary ? { summary: r.summary } : {}]));
  const suites: JUnitSuite[] = campaignSuites(results, gateBudgetResults(outcome)).map((s) => ({
    ...s,
    cases: s.cases.map((c) => {
      if (outcome.requireAll || c.error?.type !== 'no-data') return c;
      const { error, ...rest } = c;
      return { ...rest, skipped: `${error.message}; not required (run with --require-all to fail on it)` };
    }),
  }));
  return renderJUnit(suites, 'caplab gate');
}
