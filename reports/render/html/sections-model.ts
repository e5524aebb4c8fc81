/**
 * Report sections about modeled demand: the growth forecast (p10-p90 band and the yearly target), active devices by
 * region, demand per DC and service (quarters, the diurnal curve, flash-sale peaks), and the placement before/after
 * the move (RTT per country and the residency rule applied). Each chart has its table. Pure.
 */
import { millions, ms, NONE, num, pct } from '../format.ts';
import type { ReportModel } from '../model.ts';
import { absent, figure, table } from './blocks.ts';
import { BACKTEST_EVALUATION_HEADER, BACKTEST_SCORE_HEADER, backtestEvaluationRows, backtestScoreRows } from '../backtest-text.ts';
import { marketPriorFigures, PRIOR_ANALOGUES_HEADER, priorAnalogueRows, priorRows, PRIORS_HEADER } from '../priors-text.ts';
import { demandSourcesBlock } from './sections-demand-sources.ts';
import { esc } from './escape.ts';

/**
 * Forecast and active devices by region.
 * @param m view model
 * @returns HTML of the section
 */
export function forecastSection(m: ReportModel): string {
  const f = m.forecast;
  if (!f && m.demand?.driver && m.demand.driver.kind !== 'forecast') return driverSection(m.demand);
  const head = '<section id="forecast"><h2>Growth forecast</h2>';
  if (!f) return `${head}${absent(m.missing.forecast ?? 'no forecast')}</section>`;
  const lead = `<p class="lead">${esc(f.model)} (${esc(f.selection)}), r² ${f.r2.toFixed(3)}. Probability that ${millions(f.target.yearly)} ${esc(f.unitMany)} are sold in ${f.target.year}: ` +
    `<b>${pct(f.target.pReachedInYear)}</b>${f.target.reachedQuarter ? `; the trailing-year p50 reaches it in ${esc(f.target.reachedQuarter)}` : ''}. ` +
    `Active devices pass ${millions(f.activeBase.threshold)} in ${esc(f.activeBase.p50Quarter ?? 'no quarter of the horizon')} (p50).</p>`;
  const tys = table('Shipments over the trailing four quarters and active devices (p10 / p50 / p90)',
    ['quarter', 'kind', 'trailing year p10', 'p50', 'p90', 'active p10', 'active p50', 'active p90', 'P(target)'],
    f.quarters.map((q) => [q.quarter, q.kind, millions(q.trailingYear.p10), millions(q.trailingYear.p50), millions(q.trailingYear.p90),
      millions(q.active.p10), millions(q.active.p50), millions(q.active.p90), pct(q.pTarget)]));
  const regions = table('Active devices by region, p50', ['quarter', ...f.regions],
    f.quarters.map((q, i) => [q.quarter, ...f.regions.map((r) => millions(f.byRegion[r]?.[i]))]));
  return `${head}${lead}` +
    figure('forecast', 'Trailing-year shipments with p10-p90 band and the yearly target', 'Trailing-year shipments: p50 line, p10–p90 band, the yearly target dashed; active devices p50 on the same axis.', tys) +
    '<h3>Active devices by region</h3>' +
    figure('regions', 'Active devices by region, p50, stacked', 'Active devices by region (p50), stacked.', regions) +
    priorsBlock(f.priors) +
    backtestBlock(f.backtest, f.backtestChartModel) +
    '</section>';
}

/** The demand driver of a world without a growth forecast: what it states, and the summed peak it gives per quarter. */
function driverSection(d: NonNullable<ReportModel['demand']>): string {
  const rows = driverRows(d);
  return '<section id="forecast"><h2>Demand driver</h2>' +
    `<p class="lead">Demand comes from ${esc(d.driver!.text)}. Per quarter, the busiest hour summed over the sites (requests/s):</p>` +
    table('Busiest hour summed over the sites, requests/s p50 / p90', ['quarter', 'peak p50', 'peak p90'], rows.map((r) => [r.quarter, num(r.p50), num(r.p90)])) +
    '</section>';
}

/** Per quarter, the busiest hour summed over the demand section's sites, p50 and p90. */
export function driverRows(d: NonNullable<ReportModel['demand']>): { quarter: string; p50: number; p90: number }[] {
  const quarters = d.dcs[0]?.quarters.map((q) => q.quarter) ?? [];
  return quarters.map((quarter, i) => ({
    quarter,
    p50: d.dcs.reduce((s, x) => s + (x.quarters[i]?.peakP50 ?? 0), 0),
    p90: d.dcs.reduce((s, x) => s + (x.quarters[i]?.peakP90 ?? 0), 0),
  }));
}

/** The priors and their basis, when forecast.json records them. */
function priorsBlock(p: NonNullable<ReportModel['forecast']>['priors']): string {
  if (!p) return '';
  const figures = marketPriorFigures(p.marketPotential.basis ?? {});
  return '<h3>Priors</h3>' +
    table('Priors of the forecast: value, basis and the models that used them', PRIORS_HEADER, priorRows(p), 'priors') +
    (figures ? `<p>Market figures: ${esc(figures)}</p>` : '') +
    (p.bassAnalogues ? table('Analogue products and their fitted Bass coefficients', PRIOR_ANALOGUES_HEADER, priorAnalogueRows(p), 'prior-analogues') : '');
}

/** The backtest tables, when the forecast has one. */
function backtestBlock(b: NonNullable<ReportModel['forecast']>['backtest'], chartModel: string): string {
  if (!b) return '';
  return `<h3>Backtest</h3><p>Rolling origin: each model refitted on every prefix of the history, its forecasts of the next 1-4 periods scored against what shipped (${b.draws} draws per forecast). Selection: ${esc(b.selection)}.</p>` +
    figure('backtest', 'Past one-period-ahead forecasts of the chosen model against what shipped', `Fan chart of past forecasts: each period forecast from the history before it (one period ahead, the chosen model: ${chartModel}), p10-p90 band and p50, with the shipments that followed.`, '') +
    table('Scores per model; pinball loss and CRPS relative to the shipments', BACKTEST_SCORE_HEADER, backtestScoreRows(b), 'backtest-scores') +
    table('Past forecasts against what happened', BACKTEST_EVALUATION_HEADER,
      backtestEvaluationRows(b).map((r) => [...r.cells.slice(0, -1), { text: r.cells.at(-1)!, cls: r.covered ? 'ok' : 'bad' }]), 'backtest-evaluations');
}

/**
 * Demand per DC and service.
 * @param m view model
 * @returns HTML of the section
 */
export function demandSection(m: ReportModel): string {
  const d = m.demand;
  const head = '<section id="demand"><h2>Demand per data center</h2>';
  if (!d) return `${head}${absent(m.missing.demand ?? 'no traffic')}</section>`;
  const sales = d.flashSales.map((s) => `${s.name} (${s.countries.join(', ')} at ${s.localHour}:00 local)`).join('; ');
  const lead = `<p class="lead">${esc(demandLead(d))} Flash sales: ${esc(sales || 'none')}.</p>`;
  const quarters = d.dcs[0]?.quarters.map((q) => q.quarter) ?? [];
  const demandTable = table('Busiest hour with flash sales (design demand), requests/s p50 / p90', ['quarter', ...d.dcs.map((x) => x.dc)],
    quarters.map((q, i) => [q, ...d.dcs.map((x) => {
      const v = x.quarters[i];
      return v ? `${num(v.flashP50)} / ${num(v.flashP90)}` : NONE;
    })]));
  const diurnal = table('Hourly demand curve (UTC, mean 1) and busiest hour', ['hour UTC', ...d.dcs.map((x) => `${x.dc} (peak ${String(x.peakHourUtc).padStart(2, '0')}:00)`)],
    Array.from({ length: 24 }, (_, h) => [`${String(h).padStart(2, '0')}:00`, ...d.dcs.map((x) => num(x.diurnalUtc[h], 2))]));
  const services = d.dcs.map((x) => table(`${x.dc} in ${d.quarter}: requests/s per service`,
    ['service', 'mean p50', 'peak p50', 'peak p90', 'flash-sale p50', 'flash-sale p90', 'flash sale'],
    x.services.map((s) => [s.service, num(s.meanP50), num(s.peakP50), num(s.peakP90), num(s.flashP50), num(s.flashP90), s.flashSale ?? NONE]))).join('');
  return `${head}${lead}` +
    figure('demand', 'Design demand per data center and quarter', 'Busiest hour with flash sales per data center (p50 solid, p90 dashed), log scale.', demandTable) +
    '<h3>Diurnal curve</h3>' +
    figure('diurnal', 'Hourly demand curve per data center, UTC', `Share of the mean per UTC hour in ${d.quarter}; the busiest hour sets the peak.`, diurnal, true) +
    `<h3>Per service, ${esc(d.quarter)}</h3>` +
    figure('services', `Flash-sale peak per service and data center in ${d.quarter}`, 'Share of each data center\'s busiest-hour requests (with flash sales, p50) by service; the tables give requests/s.', services) +
    demandSourcesBlock(d) +
    '</section>';
}

/**
 * RTT per country before and after the move, with the residency rule.
 * @param m view model
 * @returns HTML of the section
 */
export function placementSection(m: ReportModel): string {
  const p = m.placement;
  const head = '<section id="placement"><h2>Placement: round-trip time per country</h2>';
  if (!p) return `${head}${absent(m.missing.placement ?? 'no routing')}</section>`;
  const lead = p.weightedMean
    ? `<p class="lead">${esc(p.before ?? '')} → ${esc(p.after)}: device-weighted mean RTT p50 ${p.weightedMean.before.p50} → <b>${p.weightedMean.after.p50} ms</b>, p95 ${p.weightedMean.before.p95} → ${p.weightedMean.after.p95} ms; residency breaches ${p.violations.before ?? NONE} → ${p.violations.after}. RTTs are modeled (the world's RTT table).</p>`
    : `<p class="lead">Placement ${esc(p.after)} (no baseline to compare with); residency breaches ${p.violations.after}. RTTs are modeled.</p>`;
  const t = table('RTT per country and the residency rule applied', ['country', 'DC before', 'RTT p50 before', 'RTT p95 before', 'DC after', 'RTT p50 after', 'RTT p95 after', 'residency rule', 'allowed before', 'allowed after', 'why this DC'],
    p.countries.map((c) => [c.country, c.beforeDc ?? NONE, c.beforeP50 === null ? NONE : ms(c.beforeP50), c.beforeP95 === null ? NONE : ms(c.beforeP95), c.afterDc, ms(c.afterP50), ms(c.afterP95), c.rule,
      c.beforeAllowed === null ? NONE : c.beforeAllowed ? { text: 'yes', cls: 'ok' } : { text: 'NO', cls: 'bad' },
      c.allowed ? { text: 'yes', cls: 'ok' } : { text: 'NO', cls: 'bad' }, c.reason]));
  return `${head}${lead}${figure('rtt', 'RTT p50 per country before and after the move', 'Modeled RTT p50 per country, before and after.', t)}</section>`;
}

/**
 * How the demand section's requests per second were made, in the words of the world's driver.
 * @param d the demand section
 * @returns one sentence
 */
export function demandLead(d: NonNullable<ReportModel['demand']>): string {
  const curve = `the hourly curve × ${d.weeklyPeakFactor} peak-day factor`;
  if (d.driver?.kind === 'peak-rps') return `Requests per second for placement ${d.placement}: ${d.driver.text}, shared among the services by their requests per unit per day and among the sites by their countries' shares, on ${curve}.`;
  const unit = d.driver?.unitMany ?? 'active devices';
  return `Requests per second for placement ${d.placement}, from active ${unit.replace(/^active /, '')} × requests per ${unit.replace(/^active /, '').replace(/s$/, '')} per day × ${curve}.`;
}
