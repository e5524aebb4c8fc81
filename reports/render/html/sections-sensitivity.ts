/**
 * The report's sensitivity section: which inputs move the plan's total cost over its horizon most, each moved over its
 * interval with the others at their median, as a tornado chart (bars from the base cost) and its table. Pure.
 */
import { int } from '../format.ts';
import type { ReportModel } from '../model.ts';
import { absent, figure, table } from './blocks.ts';
import { esc } from './escape.ts';

/**
 * The section.
 * @param m view model
 * @returns HTML of the section
 */
export function sensitivitySection(m: ReportModel): string {
  const s = m.sensitivity;
  const head = '<section id="sensitivity"><h2>Sensitivity</h2>';
  if (!s) return `${head}${absent(m.missing.sensitivity ?? 'no plan')}</section>`;
  const top = s.inputs[0];
  const lead = `<p class="lead">The plan's total cost over its horizon is ${esc(s.currency)} ${int(s.baseCost)}. ` +
    (top ? `${esc(top.label)} moves it most: ${esc(s.currency)} ${int(top.low.cost)} at ${esc(top.low.value)} to ${int(top.high.cost)} at ${esc(top.high.value)}.` : '') + '</p>';
  const rows = s.inputs.map((x) => [x.label, x.low.value, int(x.low.cost), x.high.value, int(x.high.cost), int(x.swing)]);
  const t = table(`Each input at the ends of its interval, the others at their median; ${s.currency} over the horizon`,
    ['input', 'low end', 'cost', 'high end', 'cost', 'swing'], rows, 'sensitivity-table');
  return `${head}${lead}${figure('tornado', 'Tornado chart of the plan cost\'s sensitivity', `Change of the horizon's total cost from ${s.currency} ${int(s.baseCost)}, each input at the low (left bar colour) and high end of its interval.`, t)}</section>`;
}
