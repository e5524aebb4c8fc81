/**
 * The report's resources and move sections, after the plan to buy: per site a table over quarters of the tiers'
 * shapes, what binds, storage, network, egress and cost; then the move's link, waves, latency and a timeline chart
 * (a floating-bar Gantt chart of each wave's bulk copy, catch-up and cut-over, drawn by the page script from the
 * embedded model). Both are left out entirely when plan.json has no `resources` / `move`. Static tables (readable
 * without scripts and on paper). Pure.
 */
import type { ReportModel } from '../model.ts';
import { moveCells, moveHeader } from '../move.ts';
import { resourceCells, resourceHeader } from '../resources.ts';
import { type Cell, figure, table } from './blocks.ts';
import { esc } from './escape.ts';

/**
 * The resources section.
 * @param m view model
 * @returns HTML of the section, or '' when the plan has no resource plan
 */
export function resourcesSection(m: ReportModel): string {
  const r = m.resources;
  if (!r) return '';
  const sites = r.sites.map((s) => {
    const rows: Cell[][] = resourceCells(s, r.push).map((cells, i) => {
      const row = s.rows[i]!;
      return cells.map((c): Cell => (row.unfit && c === 'no shape fits' ? { text: c, cls: 'bad' } : c));
    });
    return `<h3 id="resources-${esc(s.site)}">${esc(s.site)}</h3>` +
      (s.binding ? `<p>${esc(s.binding)}</p>` : '') +
      table(`${s.site}: each tier's cheapest shape × nodes and the resource that binds, storage, network and egress per quarter; ${r.currency} per month`,
        resourceHeader(r.currency, r.push), rows, `resources-table-${s.site}`) +
      `<p class="lead">CPU per request: ${esc(s.cpu)}.${s.connections ? ` Connections per push node: ${esc(s.connections)}.` : ''}${s.families ? ` ${esc(s.families)}` : ''}</p>`;
  }).join('');
  return `<section id="resources"><h2>Resources</h2><p class="lead">${esc(r.basis)}</p>${sites}</section>\n`;
}

/**
 * The move section.
 * @param m view model
 * @returns HTML of the section, or '' when the plan has no move
 */
export function moveSection(m: ReportModel): string {
  const v = m.move;
  if (!v) return '';
  const waves = table(`Waves out of ${v.from}: data copied (p50, p90 in brackets), throughput, each step at the p50 data (bulk copy also at p90), and the nodes ${v.from} keeps until the cut-over`,
    moveHeader(v.currency), moveCells(v).map((cells, i) => cells.map((c, j): Cell => (!v.rows[i]!.converges && j >= 6 && j <= 9 && c !== '—' ? { text: c, cls: 'bad' } : c))), 'move-table');
  const never = v.never.map((n) => `<p class="note bad">${esc(n)}</p>`).join('');
  const timeline = table('Timeline per wave (p50 data)', ['wave', 'starts', 'bulk copy done', 'ends'],
    v.bars.map((b, i) => [v.rows[i]!.wave, b.startDate, b.bulkEndDate, b.converges ? v.rows[i]!.endDate : { text: 'never', cls: 'bad' }]), 'move-timeline');
  const chart = v.bars.length === 0 ? '' : figure('move', 'Timeline of the move: each wave\'s bulk copy, catch-up and cut-over',
    `Each wave's bulk copy, catch-up and cut-over at the p50 data, from ${v.day0}${v.bars.some((b) => !b.converges) ? '; a wave whose catch-up never converges shows its bulk copy only' : ''}.`, timeline);
  const latency = v.latency.length === 0 ? '' : table(`Round trip each country sees (median): before and during the move from ${v.from}, after from its new site`,
    ['country', 'wave', `before (${v.from})`, `during (${v.from})`, 'after'], v.latency.map((x) => [x.country, x.wave, x.before, x.during, x.after]), 'move-latency');
  const notes = v.notes.map((n) => `<p class="note">Note: ${esc(n)}</p>`).join('');
  return `<section id="move"><h2>The move</h2><p class="lead">${esc(v.link)}</p>${waves}${never}${chart}${latency}${notes}</section>\n`;
}
