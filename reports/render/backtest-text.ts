/**
 * The backtest's tables, the same cells in report.md and report.html: each model's scores, and every past forecast
 * against what shipped; and which model's evaluations the fan chart of past forecasts plots. Pure.
 */
import { BASS_ANALOGUES } from '../../models/growth/backtest.ts';
import type { Forecast, ForecastBacktest } from '../../models/types.ts';
import { millions, pct } from './format.ts';

/** Header of the scores table. */
export const BACKTEST_SCORE_HEADER = ['model', 'forecasts', 'p10-p90 coverage (nominal 80%)', 'pinball', 'CRPS', 'MAPE of p50'];
/** Header of the past-forecasts table. */
export const BACKTEST_EVALUATION_HEADER = ['model', 'fitted through', 'forecast', 'shipped', 'p10 / p50 / p90', 'inside'];

/**
 * Rows of the scores table.
 * @param b forecast.json's backtest
 * @returns one row per model
 */
export function backtestScoreRows(b: ForecastBacktest): string[][] {
  return b.scores.map((x) => [x.model, String(x.evaluations), pct(x.coverage80), x.pinball.toFixed(3), x.crps.toFixed(3), `${x.mapePct.toFixed(1)}%`]);
}

/**
 * Rows of the past-forecasts table, with whether each outcome fell inside p10-p90.
 * @param b forecast.json's backtest
 * @returns one row per evaluation
 */
export function backtestEvaluationRows(b: ForecastBacktest): { cells: string[]; covered: boolean }[] {
  return b.evaluations.map((e) => ({
    cells: [e.model, e.fittedThrough, `${e.target} (+${e.ahead})`, millions(e.observed), `${millions(e.p10)} / ${millions(e.p50)} / ${millions(e.p90)}`, e.covered ? 'yes' : 'no'],
    covered: e.covered,
  }));
}

/**
 * The backtest model whose one-period-ahead forecasts the fan chart plots: the chosen model, except that Bass fitted
 * with the analogue prior (`caplab forecast --analogues`, recorded as model `bass` with `priors.bassAnalogues.usedBy`
 * naming it) is backtested as `bass+analogues`, not as the plain `bass` beside it.
 * @param f forecast.json
 * @returns the evaluations' model name to plot, e.g. `gompertz` or `bass+analogues`
 */
export function backtestChartModel(f: Pick<Forecast, 'model' | 'priors' | 'backtest'>): string {
  const chosen = f.model.model;
  const withPrior = chosen === 'bass' && (f.priors?.bassAnalogues?.usedBy ?? []).includes(chosen);
  return withPrior && (f.backtest?.evaluations ?? []).some((e) => e.model === BASS_ANALOGUES) ? BASS_ANALOGUES : chosen;
}
