/**
 * report.md: the key tables of the report in GitHub-flavoured Markdown, for pull-request comments and CI job
 * summaries: the plan to buy, per site the resources (tiers' shapes, what binds, storage, network, egress) and the
 * move's waves, timeline and latency when the plan has them, per-DC recommendation, thresholds and budgets pass/fail, forecast summary, demand per service (modeled or
 * calibrated, with the fit's residuals), placement RTT before/after, per-DC load overview. Pure: view model in, text out.
 */
import { BACKTEST_EVALUATION_HEADER, BACKTEST_SCORE_HEADER, backtestEvaluationRows, backtestScoreRows } from './backtest-text.ts';
import { marketPriorFigures, PRIOR_ANALOGUES_HEADER, priorAnalogueRows, priorRows, PRIORS_HEADER } from './priors-text.ts';
import { optimizedSummary } from './optimized.ts';
import { int, millions, money, ms, NONE, num, pct, sig } from './format.ts';
import type { ReportModel } from './model.ts';
import { capacityText } from './capacity-text.ts';
import { demandSourcesSummary, demandSourceText } from './demand-text.ts';
import { demandLead, driverRows } from './html/sections-model.ts';
import { moveCells, moveHeader } from './move.ts';
import { resourceCells, resourceHeader } from './resources.ts';

/**
 * Escapes a table cell: pipes and newlines would break the row, and `<` before a letter, `/`, `!` or `?` would start HTML on
 * GitHub (`p(95)<300` stays readable).
 * @param s cell text
 * @returns safe cell text
 * @example mdCell('a|b') // 'a\\|b'
 */
export function mdCell(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ').replace(/<(?=[A-Za-z/!?])/g, '&lt;');
}

/**
 * Renders a GFM table; columns whose cells look numeric are right-aligned.
 * @param header column titles
 * @param rows cells
 * @returns the table lines joined with newlines
 * @example mdTable(['dc', 'nodes'], [['singapore', '12']])
 */
export function mdTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const numeric = header.map((_, c) => rows.length > 0 && rows.every((r) => /^[-+]?[\d.,]+\s?(%|ms|M|x)?$|^—$/.test(r[c] ?? '')));
  const line = (cells: readonly string[]): string => `| ${cells.map((c) => mdCell(c)).join(' | ')} |`;
  return [line(header), `|${numeric.map((n) => (n ? ' ---: ' : ' --- ')).join('|')}|`, ...rows.map(line)].join('\n');
}

const passFail = (ok: boolean): string => (ok ? '✅ pass' : '❌ fail');

/**
 * Renders report.md.
 * @param m the view model
 * @returns Markdown with a trailing newline
 * @example renderMarkdown(buildReportModel({ plan }))
 */
export function renderMarkdown(m: ReportModel): string {
  const out: string[] = [`# ${mdCell(m.title)}`, ''];
  for (const n of m.notes) out.push(`> ${mdCell(n)}`, '');
  const absent = (key: string): void => {
    out.push(`_Not available: ${mdCell(m.missing[key] ?? 'no data')}._`, '');
  };

  const check = m.recommendation?.fleetCheck;
  if (check) out.push(`**Fleet check${check.ok === false ? ' (disagrees)' : ''}.** ${mdCell(check.text)}`, '');
  out.push('## The plan to buy', '');
  const b = m.buy;
  if (b) {
    out.push(`The optimized placement, designed for ${mdCell(b.basis)}. Per quarter and site: nodes to have, to order and the latest order date (the quarter's start less the site's lead time), ${b.currency} per month, what binds, and the greedy placement's nodes on the same basis.`, '');
    out.push(mdTable(['quarter', 'site', 'have', 'order', 'order by', `${b.currency}/month`, 'binds', 'greedy'],
      b.rows.map((r) => [r.quarter, r.site, int(r.have), int(r.order), r.orderBy ?? (r.order > 0 ? 'no lead time stated' : NONE), int(r.costPerMonth), r.binds, int(r.greedy)])), '');
  } else absent('buy');
  // Resources and the move only when the plan has them (an older plan's report stays as it was).
  const res = m.resources;
  if (res) {
    out.push('## Resources', '', mdCell(res.basis), '');
    for (const s of res.sites) {
      out.push(`### ${mdCell(s.site)}`, '');
      if (s.binding) out.push(mdCell(s.binding), '');
      out.push(mdTable(resourceHeader(res.currency, res.push), resourceCells(s, res.push)), '');
      out.push(`CPU per request: ${mdCell(s.cpu)}.${s.connections ? ` Connections per push node: ${mdCell(s.connections)}.` : ''}${s.families ? ` ${mdCell(s.families)}` : ''}`, '');
    }
  }
  const mv = m.move;
  if (mv) {
    out.push('## The move', '', mdCell(mv.link), '');
    out.push(mdTable(moveHeader(mv.currency), moveCells(mv)), '');
    for (const n of mv.never) out.push(`**${mdCell(n)}**`, '');
    if (mv.timeline.length > 0) {
      out.push('### Timeline', '');
      for (const t of mv.timeline) out.push(`- ${mdCell(t)}`);
      out.push('');
    }
    if (mv.latency.length > 0) {
      out.push('### Latency per country', '');
      out.push(mdTable(['country', 'wave', `before (${mv.from})`, `during (${mv.from})`, 'after'], mv.latency.map((x) => [x.country, x.wave, x.before, x.during, x.after])), '');
    }
    for (const n of mv.notes) out.push(`> Note: ${mdCell(n)}`, '');
  }
  out.push('## Recommendation per data center', '');
  const r = m.recommendation;
  if (r) {
    out.push(`Nodes to have in service (least-regret nodes at ${Math.round(r.targetUtilization * 100)}% target utilization, N+${r.redundancy}, surviving the loss of any one DC); fleet as of ${r.fleetAsOf}.`, '');
    const q0 = r.rows[0]?.next.quarter ?? '';
    const qn = r.rows[0]?.horizon.quarter ?? '';
    out.push(mdTable(
      ['DC', 'fleet now', `${q0} p50 / p90 / planned`, `${qn} p50 / p90 / planned`, 'fleet runs out (p50 / p90)', `cost per quarter ${q0} → ${qn}`, 'per-node capacity', 'capacity / load test'],
      r.rows.map((x) => [
        x.dc, int(x.fleet), `${int(x.next.p50)} / ${int(x.next.p90)} / ${int(x.next.planned)}`,
        `${int(x.horizon.p50)} / ${int(x.horizon.p90)} / ${int(x.horizon.planned)}`,
        `${x.runsOutP50 ?? 'lasts'} / ${x.runsOutP90 ?? 'lasts'}`, `${money(x.next.cost, r.currency)} → ${money(x.horizon.cost, r.currency).replace(`${r.currency} `, '')}`,
        capacityText(x), `${x.capacitySource} / ${x.loadMeasured ? 'measured' : 'not run'}`,
      ])), '');
    out.push('### Planned nodes per quarter', '');
    out.push(mdTable(['quarter', ...r.nodes.map((n) => `${n.dc} (p50 / p90 / planned)`)], r.quarters.map((q) => [
      q, ...r.nodes.map((n) => {
        const x = n.quarters.find((y) => y.quarter === q);
        return x ? `${int(x.p50)} / ${int(x.p90)} / ${int(x.planned)}` : NONE;
      }),
    ])), '');
    for (const s of r.stranded) out.push(`- Losing **${mdCell(s.lostDc)}** strands ${mdCell(s.countries.join(', '))}: residency allows no other DC.`);
    if (r.stranded.length > 0) out.push('');
  } else absent('recommendation');

  out.push('## Optimized placement', '');
  const o = m.optimized;
  if (!o) out.push(`_Not available: ${mdCell(m.missing.optimized ?? 'no data')}._`, '');
  else {
    out.push(optimizedSummary(o), '');
    out.push(mdTable(['quarter', `greedy ${o.currency}/month`, `optimized ${o.currency}/month`, 'saving', 'reserve nodes greedy / optimized', 'countries within budget greedy / optimized', 'losses survived', 'solver'],
      o.rows.map((r) => [r.quarter, int(r.greedyCost), int(r.optimizedCost), int(r.saving), `${r.greedyReserve} / ${r.optimizedReserve}`, `${r.greedyWithin} / ${r.optimizedWithin} of ${r.countries}`, r.lossesSurvived, r.solver])), '');
    out.push(`### Routing per scenario, ${o.routingQuarter}`, '');
    for (const sc of o.routing) {
      out.push(`**${mdCell(sc.scenario)}**`, '');
      out.push(mdTable(['country', 'optimized', 'greedy'], sc.rows.map((r) => [r.country, r.optimized, r.greedy])), '');
    }
    for (const w of o.whatIf) {
      out.push(`### What if: ${mdCell(w.sites)}`, '', `First opened: ${mdCell(w.firstOpened)}.`, '');
      out.push(mdTable(['quarter', 'opened', `cost change ${o.currency}/month`, 'latency penalty change', 'reserve nodes', 'countries within budget', 'losses survived', 'p95 RTT changes'],
        w.rows.map((r) => [r.quarter, r.opened, int(r.delta), int(r.penaltyDelta), int(r.reserve), r.within, r.lossesSurvived, r.rtt])), '');
    }
  }

  out.push('## Sensitivity', '');
  const sens = m.sensitivity;
  if (sens) {
    out.push(`The plan's total cost over its horizon: ${sens.currency} ${int(sens.baseCost)}; each input at the ends of its interval, the others at their median, largest swing first.`, '');
    out.push(mdTable(['input', 'low end', 'cost', 'high end', 'cost', 'swing'],
      sens.inputs.map((x) => [x.label, x.low.value, int(x.low.cost), x.high.value, int(x.high.cost), int(x.swing)])), '');
  } else absent('sensitivity');
  out.push('## Thresholds and budgets', '');
  const { thresholds, budgets } = m.checks;
  if (thresholds.length > 0) {
    out.push(mdTable(['DC', 'metric', 'threshold', 'measured', 'result'],
      thresholds.map((t) => [t.dc, t.metric, t.expr, t.measured === null ? NONE : sig(t.measured), passFail(t.ok)])), '');
  }
  if (budgets.length > 0) {
    const fmt = (v: number | null, unit: string): string => (v === null ? 'not measured' : unit === 'ms' ? ms(v) : unit === 'ratio' ? pct(v) : int(v));
    out.push(mdTable(['DC', 'service', 'limit', 'measured', 'budget', 'result'],
      budgets.map((b) => [b.dc, b.service, b.limit, fmt(b.measured, b.unit), fmt(b.max, b.unit), b.measured === null ? '⚠️ no data' : passFail(b.ok)])), '');
  }
  if (thresholds.length === 0 && budgets.length === 0) absent('checks');
  else {
    const failed = thresholds.filter((t) => !t.ok).length + budgets.filter((b) => !b.ok).length;
    out.push(failed === 0 ? '**All thresholds and budgets hold.**' : `**${failed} of ${thresholds.length + budgets.length} checks failed.**`, '');
  }

  const f = m.forecast;
  const driven = !f && m.demand?.driver && m.demand.driver.kind !== 'forecast' ? m.demand : undefined;
  out.push(driven ? '## Demand driver' : '## Forecast', '');
  if (driven) {
    out.push(`Demand comes from ${mdCell(driven.driver!.text)}. Per quarter, the busiest hour summed over the sites (requests/s):`, '');
    out.push(mdTable(['quarter', 'peak p50', 'peak p90'], driverRows(driven).map((r) => [r.quarter, sig(r.p50), sig(r.p90)])), '');
  } else if (f) {
    out.push(`Model: ${mdCell(f.model)} (${mdCell(f.selection)}), r2 ${f.r2.toFixed(3)}. Probability of ${millions(f.target.yearly)} ${mdCell(f.unitMany)} sold in ${f.target.year}: ${pct(f.target.pReachedInYear)}` +
      `${f.target.reachedQuarter ? ` (trailing-year p50 reaches it in ${f.target.reachedQuarter})` : ''}. Active devices pass ${millions(f.activeBase.threshold)} in ${f.activeBase.p50Quarter ?? 'no quarter of the horizon'} (p50; ${f.activeBase.p90Quarter ?? NONE} on p90, ${f.activeBase.p10Quarter ?? NONE} on p10).`, '');
    out.push(mdTable(['quarter', 'kind', 'shipments p50', 'trailing year p10', 'p50', 'p90', 'active devices p50', 'P(target)'],
      f.quarters.filter((q) => q.kind === 'forecast').map((q) => [
        q.quarter, q.kind, millions(q.shipments.p50), millions(q.trailingYear.p10), millions(q.trailingYear.p50), millions(q.trailingYear.p90), millions(q.active.p50), pct(q.pTarget),
      ])), '');
  } else absent('forecast');

  if (m.forecast?.priors) {
    const p = m.forecast.priors;
    out.push('### Priors', '');
    out.push(mdTable(PRIORS_HEADER, priorRows(p)), '');
    const figures = marketPriorFigures(p.marketPotential.basis ?? {});
    if (figures) out.push(`Market figures: ${mdCell(figures)}`, '');
    if (p.bassAnalogues) out.push(mdTable(PRIOR_ANALOGUES_HEADER, priorAnalogueRows(p)), '');
  }

  if (m.forecast?.backtest) {
    const b = m.forecast.backtest;
    out.push('### Backtest', '', `Rolling origin, ${b.draws} draws per forecast; losses relative to what shipped. Selection: ${mdCell(b.selection)}.`, '');
    out.push(mdTable(BACKTEST_SCORE_HEADER, backtestScoreRows(b)), '');
    out.push(mdTable(BACKTEST_EVALUATION_HEADER, backtestEvaluationRows(b).map((r) => r.cells)), '');
  }

  out.push('## Demand per service', '');
  const d = m.demand;
  if (d) out.push(mdCell(demandLead(d)), '');
  if (d) {
    out.push(demandSourcesSummary(d.sources), '');
    out.push(mdTable(['service', 'per device per day', 'source', 'hourly curve'],
      d.sources.map((x) => [x.service, sig(x.perDevicePerDay), demandSourceText(x), x.curve])), '');
    for (const n of new Set(d.sources.map((x) => x.note).filter((x): x is string => x !== null))) out.push(`> ${mdCell(n)}`, '');
  } else absent('demand');

  out.push('## Placement: RTT per country', '');
  const p = m.placement;
  if (p) {
    if (p.weightedMean) {
      out.push(`${mdCell(p.before ?? '')} → ${mdCell(p.after)}: device-weighted mean RTT p50 ${p.weightedMean.before.p50} → ${p.weightedMean.after.p50} ms, p95 ${p.weightedMean.before.p95} → ${p.weightedMean.after.p95} ms; residency breaches ${p.violations.before ?? NONE} → ${p.violations.after}.`, '');
    }
    out.push(mdTable(['country', 'DC before', 'RTT p50 before', 'DC after', 'RTT p50 after', 'RTT p95 after', 'residency rule', 'allowed before', 'allowed after'],
      p.countries.map((c) => [c.country, c.beforeDc ?? NONE, c.beforeP50 === null ? NONE : ms(c.beforeP50), c.afterDc, ms(c.afterP50), ms(c.afterP95), c.rule, c.beforeAllowed === null ? NONE : c.beforeAllowed ? 'yes' : 'NO', c.allowed ? 'yes' : 'NO'])), '');
  } else absent('placement');

  out.push('## Load results per data center', '');
  if (m.load.length > 0) {
    out.push(mdTable(['DC', 'requests', 'req/s', 'p95', 'p99', 'errors', 'dropped', 'USL N*', 'USL peak req/s'],
      m.load.map((l) => [
        l.dc, int(l.overview.requests), num(l.overview.rps), ms(l.overview.p95), ms(l.overview.p99), pct(l.overview.errorRate), int(l.overview.dropped),
        l.usl?.nStar != null ? num(l.usl.nStar) : NONE, l.usl?.xMax != null ? num(l.usl.xMax) : NONE,
      ])), '');
  } else absent('load');

  out.push('## Inputs', '');
  if (m.provenance.length > 0) {
    out.push(mdTable(['file', 'holds', 'kind', 'status', 'detail'], m.provenance.map((e) => [e.file, e.what, e.kind, e.status, e.detail])), '');
  } else out.push('_No input files recorded._', '');
  return `${out.join('\n').trimEnd()}\n`;
}
