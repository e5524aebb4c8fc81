/**
 * The readable forecast printed by `caplab forecast`: the per-quarter table and the milestones. Pure.
 */
import type { Forecast, ForecastBacktest } from '../../models/types.ts';
import { marketPriorBasis } from '../../reports/render/priors-text.ts';
import { millions, percent, textTable } from './table.ts';

/**
 * Renders a forecast for the terminal.
 * @param f the forecast
 * @returns text ending with a newline
 */
export function renderForecast(f: Forecast): string {
  const m = f.model;
  const params = Object.entries(m.params)
    .map(([k, v]) => `${k}=${k === 'm' ? millions(v) : v}${m.fixedFromPrior.includes(k) ? ' (prior)' : ''}`)
    .join(' ');
  const aicc = (a: number | null): string => (a === null ? 'AICc undefined' : `AICc ${a.toFixed(2)}`);
  const lines: string[] = [];
  lines.push(`Growth model: ${m.model} (${m.selection}); ${params}`);
  lines.push(`  fit on ${m.fit.n} periods: rmse ${millions(m.fit.rmse)} phones/period, r2 ${m.fit.r2.toFixed(3)} (log), ${aicc(m.fit.aicc)}`);
  if (m.note) lines.push(`  m fixed from the prior: ${m.note}`);
  for (const c of f.candidates.filter((c) => c.model !== m.model)) {
    lines.push(`  also fitted: ${c.model} r2 ${c.fit.r2.toFixed(3)}, ${aicc(c.fit.aicc)}${c.akaikeWeight !== null ? `, Akaike weight ${c.akaikeWeight.toFixed(2)}` : ''}${c.fixedFromPrior.length ? ' (m from prior)' : ''}`);
  }
  const mp = f.priors?.marketPotential;
  if (mp) {
    lines.push(`Prior of m: median ${millions(mp.median)}, p90 ${millions(mp.p90)} (${marketPriorBasis(mp.basis)}); used by ${mp.usedBy.length ? mp.usedBy.join(', ') : 'no model (every m fitted)'}`);
  }
  const ba = f.priors?.bassAnalogues;
  if (ba) {
    lines.push(`Prior of Bass p, q from analogues (${ba.analogues.map((a) => `${a.id} p=${a.p.toFixed(4)} q=${a.q.toFixed(2)}`).join('; ')}): p median ${ba.p.median.toFixed(4)} (sd ln ${ba.p.sdLn.toFixed(2)}), q median ${ba.q.median.toFixed(2)} (sd ln ${ba.q.sdLn.toFixed(2)}); used by ${ba.usedBy.join(', ') || 'no model'}`);
  }
  lines.push(`Uncertainty: ${f.uncertainty.draws} draws, ${f.uncertainty.method}${f.uncertainty.yearNoiseSd !== null ? `, yearly noise sd ${f.uncertainty.yearNoiseSd.toFixed(3)} (log)` : ''}`);
  lines.push('');
  const rows = f.quarters.map((q) => [
    q.quarter + (q.kind === 'history' ? '*' : ''),
    millions(q.shipments.p10),
    millions(q.shipments.p50),
    millions(q.shipments.p90),
    millions(q.trailingYearShipments.p50),
    millions(q.activeDevices.p50),
    percent(q.pTargetReached),
  ]);
  lines.push(textTable(['quarter', 'ship p10', 'ship p50', 'ship p90', 'last 4Q p50', 'active p50', `P(4Q>=${millions(f.target.yearlyShipments)})`], rows));
  lines.push('(* quarter within the observed history; values are the fitted model)');
  lines.push('');
  const t = f.target;
  lines.push(t.reachedQuarter
    ? `Yearly target ${millions(t.yearlyShipments)}: first reached (trailing four quarters, probability >= 50%) in ${t.reachedQuarter}, probability ${percent(t.pReachedAtQuarter ?? 0)}`
    : `Yearly target ${millions(t.yearlyShipments)}: not reached with probability >= 50% by ${f.horizon.last}`);
  lines.push(`  probability of selling ${millions(t.yearlyShipments)} in ${t.year}: ${percent(t.pReachedInYear)}`);
  const a = f.activeBase;
  lines.push(a.p50Quarter
    ? `Active device base passes ${millions(a.threshold)} in ${a.p50Quarter} (p50; ${a.p90Quarter ?? 'later'} on the p90 band, ${a.p10Quarter ?? `after ${f.horizon.last}`} on the p10 band)`
    : `Active device base does not pass ${millions(a.threshold)} on the p50 band by ${f.horizon.last}${a.p90Quarter ? ` (p90 band: ${a.p90Quarter})` : ''}`);
  return `${lines.join('\n')}\n`;
}

/**
 * Renders the backtest: each model's scores, then every scored forecast.
 * @param b forecast.json's backtest
 * @returns text with a trailing newline
 */
export function renderBacktest(b: ForecastBacktest): string {
  const rows = b.scores.map((s) => [s.model, String(s.evaluations), percent(s.coverage80), s.pinball.toFixed(3), s.crps.toFixed(3), `${s.mapePct.toFixed(1)}%`]);
  const evals = b.evaluations.map((e) => [e.model, e.fittedThrough, `${e.target} (+${e.ahead})`, millions(e.observed), `${millions(e.p10)} / ${millions(e.p50)} / ${millions(e.p90)}`, e.covered ? 'yes' : 'NO']);
  return [
    `Backtest (rolling origin, ${b.draws} draws per forecast): p10-p90 coverage (nominal 80%), pinball loss (mean of p10/p50/p90) and CRPS relative to what shipped, MAPE of the p50`,
    textTable(['model', 'forecasts', 'coverage', 'pinball', 'CRPS', 'MAPE'], rows),
    `Selection: ${b.selection}`,
    '',
    textTable(['model', 'fitted through', 'forecast', 'shipped', 'p10 / p50 / p90', 'inside'], evals),
    '',
  ].join('\n');
}
