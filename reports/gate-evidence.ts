/**
 * Whether the gate has the evidence to judge at all. A CI gate that passes on missing evidence is worse than none, so
 * before any budget is judged the gate refuses (every problem at once, each naming its DC or file):
 * - a DC that must have results but has none (the campaign that wrote the folder loaded it, or a budget names it);
 * - a DC directory holding no results, or results with no request at all (an empty folder, `metrics: {}`);
 * - a points file with damaged lines: a k6 user expects every line of `--out json` to parse, and a run whose points
 *   are partly unreadable has figures computed on an unknown part of its requests, so any damaged line fails;
 * - a budget field the run cannot measure for any service (its metric is absent from the run altogether: a summary
 *   without the `service` sub-metric and no points, or server-side `http_req_waiting` in a replay run through the
 *   modeled WAN). Such a limit would otherwise be "no data" forever and never judged; a service the run merely did
 *   not exercise stays a per-service no-data check (reports/gate.ts);
 * - budgets with per-service defaults on a run none of whose requests carries a `service` tag (nothing to judge).
 * Pure: runs and budgets in, problems out; the CLI reads the files and turns problems into exit 104.
 */
import type { Problem } from '../models/errors.ts';
import { type Budgets, limitsFor } from '../scenarios/budgets.ts';
import { type GateRun, judgedServices, SERVICE_LIMITS } from './gate.ts';

/** A DC that must have results, and why. */
export interface RequiredDc {
  /** Data center. */
  dc: string;
  /** Why it must be there, e.g. `campaign run 1a2b loaded it (campaign.json)` or `budgets[2] names it`. */
  why: string;
}

/** Options of {@link gateEvidenceProblems}. */
export interface EvidenceOptions {
  /** DCs that must have a run (only when a results directory was given, not one DC's directory or a lone summary). */
  required?: readonly RequiredDc[];
  /** How the results directory is named in problems about missing DCs (e.g. `caplab-out/results`). */
  resultsDir?: string;
}

const WAITING_NOTE = 'a caplab replay is tagged wan:on: its requests cross the WAN (modeled by the built-in stacks, or real), which ' +
  'lands before the first byte, so its time to first byte is not server time: judge server-side limits on a run next to the node, or ' +
  'remove serverP95/serverP99 from the budgets';

function requestCount(run: GateRun): number {
  const fromFigures = run.figures.services.reduce((a, s) => a + (s.requests ?? 0), 0);
  const fromSummary = run.summary?.metrics.http_reqs?.values.count ?? 0;
  return Math.max(fromFigures, fromSummary);
}

function noRequests(run: GateRun, where: string): Problem {
  if (run.summary && Object.keys(run.summary.metrics).length === 0) {
    return { where: run.file, message: `no evidence: the summary's metrics are empty (metrics: {})${run.figures.services.length === 0 ? ' and there are no points' : ''}` };
  }
  if (!run.summary && run.figures.dropped === null && run.figures.services.length === 0) {
    return { where, message: 'no evidence: the directory holds no summary.json and no points*.ndjson[.gz] (an empty DC folder)' };
  }
  return { where: run.file, message: 'no evidence: not one request was measured (no http_reqs in the summary, no request in the points)' };
}

function unmeasurable(budgets: Budgets, run: GateRun): Problem[] {
  const services = judgedServices(budgets, run);
  const out: Problem[] = [];
  // Defaults apply to every service the run measured: with none measured they would judge nothing and pass.
  const defaults = SERVICE_LIMITS.filter(([k]) => budgets.defaults[k] !== undefined).map(([k]) => k);
  if (defaults.length > 0 && run.figures.services.length === 0) {
    out.push({ where: run.file, message: `the budgets' defaults (${defaults.join(', ')}) apply to every service, but no request of this run carries a service tag (points tagged service:<name>, or summary sub-metrics {service:<name>}), so they would judge nothing` });
  }
  // One problem per metric, so serverP95 and serverP99 (both http_req_waiting) are named together.
  const byMetric = new Map<string, { keys: string[]; wanting: Set<string> }>();
  for (const [key, metric, field] of SERVICE_LIMITS) {
    const wanting = services.filter((s) => limitsFor(budgets, s, run.dc ?? undefined)[key] !== undefined);
    if (wanting.length === 0 || run.figures.services.some((s) => s[field] !== null && (s.requests ?? 1) > 0)) continue;
    const slot = byMetric.get(metric) ?? { keys: [], wanting: new Set<string>() };
    slot.keys.push(key);
    for (const w of wanting) slot.wanting.add(w);
    byMetric.set(metric, slot);
  }
  const fromPoints = run.figures.services.some((s) => s.source === 'points') || run.figures.droppedSource === 'points';
  for (const [metric, { keys, wanting }] of byMetric) {
    const why = fromPoints
      ? `its points have no ${metric} sample for any service`
      : `it has no points and its summary has no ${metric}{service:...} sub-metric (k6 writes one only where a threshold names it)`;
    const server = metric === 'http_req_waiting' ? `; ${WAITING_NOTE}` : '';
    const who = keys.every((k) => budgets.defaults[k as keyof Budgets['defaults']] !== undefined) ? 'every service (defaults)' : [...wanting].sort().join(', ');
    out.push({ where: run.file, message: `budget ${keys.join(', ')} (${who}) needs ${metric} per service, which this run cannot measure: ${why}${server}` });
  }
  const wantsDropped = services.some((s) => limitsFor(budgets, s, run.dc ?? undefined).droppedIterations !== undefined) ||
    budgets.defaults.droppedIterations !== undefined;
  if (wantsDropped && run.figures.dropped === null) out.push({ where: run.file, message: 'budget droppedIterations needs dropped_iterations, which this run does not report' });
  return out;
}

/**
 * Every reason the gate cannot judge these runs (empty when the evidence is complete).
 * @param budgets validated budgets
 * @param runs the runs read (a DC directory with no results is a run with no figures and no summary)
 * @param opts DCs that must have results, and how to name the results directory
 * @returns problems, DC order, each naming its DC directory or file
 * @example gateEvidenceProblems(budgets, runs, { required: [{ dc: 'us-west-2', why: 'budgets[0] names it' }], resultsDir: 'results' })
 *   // [{ where: 'results/us-west-2', message: 'missing: no results for DC us-west-2 (budgets[0] names it)' }]
 */
export function gateEvidenceProblems(budgets: Budgets, runs: readonly GateRun[], opts: EvidenceOptions = {}): Problem[] {
  const problems: Problem[] = [];
  const have = new Set(runs.map((r) => r.dc));
  const seen = new Set<string>();
  for (const r of [...(opts.required ?? [])].sort((a, b) => a.dc.localeCompare(b.dc))) {
    if (have.has(r.dc) || seen.has(r.dc)) continue;
    seen.add(r.dc);
    problems.push({ where: opts.resultsDir === undefined ? r.dc : `${opts.resultsDir}/${r.dc}`, message: `missing: no results for DC ${r.dc} (${r.why})` });
  }
  const ordered = [...runs].sort((a, b) => (a.dc ?? '').localeCompare(b.dc ?? ''));
  for (const run of ordered) {
    const where = run.dir ?? run.file;
    for (const d of run.damaged ?? []) {
      const more = d.count > d.lines.length ? ', ...' : '';
      problems.push({ where: d.file, message: `${d.count} damaged line${d.count === 1 ? '' : 's'} (line${d.lines.length === 1 ? '' : 's'} ${d.lines.join(', ')}${more}): figures from partly unreadable points are not evidence; re-run, or repair the file` });
    }
    if (requestCount(run) === 0) {
      problems.push(noRequests(run, where));
      continue;
    }
    problems.push(...unmeasurable(budgets, run));
  }
  return problems;
}
