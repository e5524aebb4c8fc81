/**
 * Report sections about the decision and its evidence: the first-screen per-DC recommendation (with the planned-nodes
 * chart), thresholds and budgets pass/fail, and the assumptions and provenance of every input. Pure.
 */
import { int, money, ms, NONE, num, pct, sig } from '../format.ts';
import type { ReportModel } from '../model.ts';
import { capacityText } from '../capacity-text.ts';
import { absent, type Cell, figure, kindTag, passCell, table } from './blocks.ts';
import { esc } from './escape.ts';

/**
 * The fleet check, the first thing the report says (before the plan to buy): whether the model agrees with today's fleet.
 * @param m view model
 * @returns HTML of the paragraph, or '' without a check
 */
export function fleetCheckParagraph(m: ReportModel): string {
  const c = m.recommendation?.fleetCheck;
  return c ? `<p class="${c.ok === false ? 'note bad' : c.ok ? 'lead' : 'note'}" id="fleet-check"><b>Fleet check.</b> ${esc(c.text)}</p>` : '';
}

/**
 * The least-regret sizing per DC: one row per DC, then planned nodes per quarter (chart + table).
 * @param m view model
 * @returns HTML of the section
 */
export function recommendationSection(m: ReportModel): string {
  const r = m.recommendation;
  const head = '<section id="recommendation"><h2>Recommendation per data center</h2>';
  if (!r) return `${head}${absent(m.missing.recommendation ?? 'no plan')}</section>`;
  const first = r.rows[0];
  const lead = `<p class="lead">Nodes to have in service: least-regret nodes at ${Math.round(r.targetUtilization * 100)}% target utilization, ` +
    `plus N+${r.redundancy}, and enough to survive the loss of any one data center. Today's fleet as of ${esc(r.fleetAsOf)}. ` +
    `Capacity per node is <span class="tag measured">measured</span> when a probe ran, else <span class="tag modeled">modeled</span>.</p>`;
  const rows: Cell[][] = r.rows.map((x) => [
    x.dc, int(x.fleet),
    `${int(x.next.p50)} / ${int(x.next.p90)} / ${int(x.next.planned)}`,
    `${int(x.horizon.p50)} / ${int(x.horizon.p90)} / ${int(x.horizon.planned)}`,
    x.runsOutP50 === null && x.runsOutP90 === null ? { text: 'lasts the plan', cls: 'ok' }
      : { text: `${x.runsOutP50 ?? 'lasts'} / ${x.runsOutP90 ?? 'lasts'}`, cls: x.runsOutP90 === first?.next.quarter ? 'bad' : 'warn' },
    `${money(x.next.cost, r.currency)} → ${money(x.horizon.cost, r.currency).replace(`${r.currency} `, '')}`,
    capacityText(x),
    `${x.capacitySource} / ${x.loadMeasured ? 'measured' : 'not run'}`,
  ]);
  const summary = table('Per data center. Binds: SLO = the highest rate meeting the latency budget, USL ceiling = peak throughput.',
    ['DC', 'fleet now', `${first?.next.quarter ?? ''} p50 / p90 / planned`, `${first?.horizon.quarter ?? ''} p50 / p90 / planned`,
      'fleet runs out (p50 / p90)', `cost per quarter ${first?.next.quarter ?? ''} → ${first?.horizon.quarter ?? ''}`, 'per-node capacity', 'capacity / load test'], rows, 'recommendation-table');
  const perQuarter = table('Nodes per quarter: p50 / p90 need and planned (N+redundancy, DC loss)', ['quarter', ...r.nodes.map((n) => n.dc)],
    r.quarters.map((q) => [q, ...r.nodes.map((n) => {
      const x = n.quarters.find((y) => y.quarter === q);
      return x ? `${int(x.p50)} / ${int(x.p90)} / ${int(x.planned)}` : NONE;
    })]));
  const stranded = r.stranded.length === 0 ? '' :
    `<p class="note">${r.stranded.map((s) => `Losing <b>${esc(s.lostDc)}</b> strands ${esc(s.countries.join(', '))}: residency allows no other data center.`).join('<br>')}</p>`;
  return `${head}${lead}${summary}${stranded}` +
    figure('nodes', 'Planned nodes per data center and quarter, with today\'s fleet', 'Planned nodes per quarter (solid) against today\'s fleet (dashed).', perQuarter) +
    '</section>';
}

/**
 * Thresholds (from the summaries) and budgets (per service), pass/fail.
 * @param m view model
 * @returns HTML of the section
 */
export function checksSection(m: ReportModel): string {
  const head = '<section id="checks"><h2>Thresholds and budgets</h2>';
  const { thresholds, budgets } = m.checks;
  if (thresholds.length === 0 && budgets.length === 0) return `${head}${absent(m.missing.checks ?? 'no checks')}</section>`;
  const failed = thresholds.filter((t) => !t.ok).length + budgets.filter((b) => !b.ok).length;
  const total = thresholds.length + budgets.length;
  let out = `${head}<p class="${failed === 0 ? 'lead' : 'note'}">${failed === 0 ? `All ${total} checks hold.` : `${failed} of ${total} checks failed.`}</p>`;
  if (thresholds.length > 0) {
    out += table('k6 thresholds per data center (from summary.json)', ['DC', 'metric', 'threshold', 'measured', 'result'],
      thresholds.map((t) => [t.dc, t.metric, t.expr, t.measured === null ? NONE : sig(t.measured), passCell(t.ok)]));
  }
  if (budgets.length > 0) {
    const fmt = (v: number | null, unit: string): string => (v === null ? 'not measured' : unit === 'ms' ? ms(v) : unit === 'ratio' ? pct(v) : int(v));
    out += table('Budgets per service and data center (caplab.budgets/v1)', ['DC', 'service', 'limit', 'measured', 'budget', 'result'],
      budgets.map((b) => [b.dc, b.service, b.limit, fmt(b.measured, b.unit), fmt(b.max, b.unit), passCell(b.measured === null ? null : b.ok)]));
  }
  return `${out}</section>`;
}

/**
 * Assumptions (with measured/modeled/input tags) and the provenance of every input file.
 * @param m view model
 * @returns HTML of the section
 */
export function provenanceSection(m: ReportModel): string {
  let out = '<section id="provenance"><h2>Assumptions and provenance</h2>';
  if (m.assumptions.length > 0) {
    out += `<div class="table-wrap"><table><caption>Assumptions behind the figures</caption><thead><tr><th scope="col">assumption</th><th scope="col">value</th><th scope="col">kind</th></tr></thead><tbody>` +
      m.assumptions.map((a) => `<tr><td>${esc(a.name)}</td><td style="white-space:normal">${esc(a.value)}</td><td>${kindTag(a.kind)}</td></tr>`).join('\n') + '</tbody></table></div>';
  } else out += absent('no forecast, traffic or plan: no assumptions to list');
  if (m.provenance.length > 0) {
    out += table('Input files', ['file', 'holds', 'kind', 'status', 'detail'],
      m.provenance.map((e) => [e.file, e.what, e.kind, e.status === 'read' ? { text: 'read', cls: 'ok' } : { text: 'absent', cls: 'warn' }, e.detail]));
  } else out += absent('no input files recorded');
  return `${out}</section>`;
}
