/**
 * The report's optimized-placement section: greedy and optimized placement per quarter side by side, the routing
 * table of every scenario for the last quarter, and each what-if site set. Static tables only (readable without
 * scripts and on paper). Pure.
 */
import { int } from '../format.ts';
import type { ReportModel } from '../model.ts';
import { optimizedSummary } from '../optimized.ts';
import { absent, table } from './blocks.ts';
import { esc } from './escape.ts';

/**
 * The section.
 * @param m view model
 * @returns HTML of the section
 */
export function optimizedSection(m: ReportModel): string {
  const o = m.optimized;
  const head = '<section id="optimized"><h2>Optimized placement</h2>';
  if (!o) return `${head}${absent(m.missing.optimized ?? 'no plan')}</section>`;
  const compare = table(`Greedy (nearest allowed DC) and optimized (MIP) placement per quarter, ${o.currency} per month`,
    ['quarter', 'greedy', 'optimized', 'saving', 'reserve nodes greedy / optimized', 'countries within budget greedy / optimized', 'losses survived', 'solver'],
    o.rows.map((r) => [r.quarter, int(r.greedyCost), int(r.optimizedCost), { text: int(r.saving), cls: r.saving > 0 ? 'ok' : '' },
      `${r.greedyReserve} / ${r.optimizedReserve}`, `${r.greedyWithin} / ${r.optimizedWithin} of ${r.countries}`, r.lossesSurvived, r.solver]), 'optimized-table');
  const routing = o.routing.map((sc) => table(`Routing in ${o.routingQuarter}: ${sc.scenario}`, ['country', 'optimized', 'greedy'],
    sc.rows.map((r) => [r.country, { text: r.optimized, cls: r.optimized === 'stranded' ? 'bad' : '' }, { text: r.greedy, cls: r.greedy === 'stranded' ? 'bad' : '' }]))).join('');
  const whatIf = o.whatIf.map((w) => `<h3>What if: ${esc(w.sites)}</h3><p>First opened: ${esc(w.firstOpened)}.</p>${table(
    `Against the optimized placement without ${w.sites}, ${o.currency} per month`, ['quarter', 'opened', 'cost change', 'latency penalty change', 'reserve nodes', 'countries within budget', 'losses survived', 'p95 RTT changes'],
    w.rows.map((r) => [r.quarter, r.opened, int(r.delta), int(r.penaltyDelta), int(r.reserve), r.within, r.lossesSurvived, r.rtt]))}`).join('');
  return `${head}<p class="lead">${esc(optimizedSummary(o))}</p>${compare}<h3>Routing per scenario</h3>${routing}${whatIf}</section>`;
}
