/**
 * The report's first section: the plan to buy (the optimized placement) per quarter and site, with the greedy
 * placement on the same basis beside it. A static table (readable without scripts and on paper). Pure.
 */
import { int } from '../format.ts';
import type { ReportModel } from '../model.ts';
import { absent, table } from './blocks.ts';
import { esc } from './escape.ts';

/**
 * The section.
 * @param m view model
 * @returns HTML of the section
 */
export function buySection(m: ReportModel): string {
  const b = m.buy;
  const head = '<section id="buy"><h2>The plan to buy</h2>';
  if (!b) return `${head}${absent(m.missing.buy ?? 'no optimized placement')}</section>`;
  const lead = `<p class="lead">The optimized placement, designed for ${esc(b.basis)}. Per quarter and site: nodes to have, nodes to order and the latest order date (the quarter's start less the site's lead time), ${esc(b.currency)} per month, what binds the count, and the greedy placement's nodes on the same basis.</p>`;
  const rows = table(`Plan to buy per quarter and site, ${b.currency} per month`, ['quarter', 'site', 'have', 'order', 'order by', 'cost', 'binds', 'greedy'],
    b.rows.map((r) => [r.quarter, r.site, int(r.have), { text: int(r.order), cls: r.order > 0 ? 'warn' : '' }, r.orderBy ?? (r.order > 0 ? 'no lead time stated' : '—'), int(r.costPerMonth), r.binds, int(r.greedy)]), 'buy-table');
  const totals = table(`Optimized and greedy placement on the same basis, ${b.currency} per month`, ['quarter', 'optimized', 'greedy'],
    b.totals.map((t) => [t.quarter, int(t.optimized), int(t.greedy)]), 'buy-totals');
  return `${head}${lead}${rows}${totals}</section>`;
}
