/**
 * The forecast's backtest in the report: a forecast computed with `--backtest` on data/history.json shows each
 * model's scores and every past forecast against what shipped, in report.md and report.html, and one without shows
 * neither; forecast.json read back through the report's schema keeps the backtest. The fan chart of past forecasts
 * plots the chosen model's evaluations, and Bass fitted with the analogue prior (`--analogues`, recorded as model
 * `bass`) is backtested as `bass+analogues`, so that is what it plots.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { computeForecast } from '../../../cli/chain.ts';
import { forecastJson } from '../../../cli/commands/forecast.ts';
import type { Forecast } from '../../../models/types.ts';
import { renderHtml } from '../../../reports/render/html.ts';
import { ForecastFileSchema } from '../../../models/growth/forecast-file.ts';
import { renderMarkdown } from '../../../reports/render/markdown.ts';
import { buildReportModel } from '../../../reports/render/model.ts';
import { backtestChartModel } from '../../../reports/render/backtest-text.ts';

const chartJs = readFileSync(join(dirname(createRequire(import.meta.url).resolve('chart.js')), 'chart.umd.min.js'), 'utf8');
let forecast: Forecast;
let bassAnalogues: Forecast;
beforeAll(async () => {
  forecast = ForecastFileSchema.parse(JSON.parse(forecastJson(await computeForecast({ backtest: true }, 1)))) as Forecast;
  bassAnalogues = ForecastFileSchema.parse(JSON.parse(forecastJson(await computeForecast({ backtest: true, analogues: true, model: 'bass' }, 1)))) as Forecast;
}, 120_000);

describe('backtest in the report', () => {
  it('shows the scores and the past forecasts in report.md and report.html', () => {
    const m = buildReportModel({ forecast });
    const md = renderMarkdown(m);
    const b = forecast.backtest!;
    const g = b.scores.find((s) => s.model === 'gompertz')!;
    expect(md).toContain('### Backtest');
    expect(md).toContain(`| gompertz | 10 | ${Math.round(g.coverage80 * 100)}% | ${g.pinball.toFixed(3)} | ${g.crps.toFixed(3)} | ${g.mapePct.toFixed(1)}% |`);
    expect(md).toMatch(/\| gompertz \| 2014Q2 \| 2014H2 \(\+1\) \| 35\.0M \|/);
    const html = renderHtml(m, { chartJs });
    expect(html).toContain('<table id="backtest-scores">');
    expect(html).toContain('<table id="backtest-evaluations">');
  });

  it('shows nothing of it for a forecast without a backtest', () => {
    const { backtest: _, ...plain } = forecast;
    expect(renderMarkdown(buildReportModel({ forecast: plain as Forecast }))).not.toContain('Backtest');
  });
});

describe('the fan chart of past forecasts', () => {
  it('plots the chosen model', () => {
    expect(forecast.model.model).toBe('gompertz');
    const m = buildReportModel({ forecast });
    expect(m.forecast!.backtestChartModel).toBe('gompertz');
    expect(renderHtml(m, { chartJs })).toContain('(one period ahead, the chosen model: gompertz)');
  });

  it('plots bass+analogues when the chosen Bass was fitted with the analogue prior', () => {
    // forecast.json records the chosen model as plain bass; the prior's usedBy says it carries the analogue prior.
    expect(bassAnalogues.model.model).toBe('bass');
    expect(bassAnalogues.priors!.bassAnalogues!.usedBy).toEqual(['bass']);
    const models = new Set(bassAnalogues.backtest!.evaluations.map((e) => e.model));
    expect([...models]).toEqual(['logistic', 'bass', 'gompertz', 'bass+analogues']);
    const m = buildReportModel({ forecast: bassAnalogues });
    expect(m.forecast!.backtestChartModel).toBe('bass+analogues');
    expect(renderHtml(m, { chartJs })).toContain('(one period ahead, the chosen model: bass+analogues)');
    // The two are different forecasts: plotting plain bass would show the fit without the prior.
    const oneAhead = (name: string): number[] => bassAnalogues.backtest!.evaluations.filter((e) => e.ahead === 1 && e.model === name).map((e) => e.p50);
    expect(oneAhead('bass+analogues')).toHaveLength(oneAhead('bass').length);
    expect(oneAhead('bass+analogues')).not.toEqual(oneAhead('bass'));
  });

  it('plots plain bass when Bass carries no analogue prior, or the backtest has no bass+analogues', () => {
    const base = { model: { ...bassAnalogues.model }, priors: bassAnalogues.priors!, backtest: bassAnalogues.backtest! };
    expect(backtestChartModel({ ...base, priors: { marketPotential: base.priors.marketPotential } })).toBe('bass');
    expect(backtestChartModel({ ...base, priors: { ...base.priors, bassAnalogues: { ...base.priors.bassAnalogues!, usedBy: [] } } })).toBe('bass');
    expect(backtestChartModel({ ...base, backtest: { ...base.backtest, evaluations: base.backtest.evaluations.filter((e) => e.model !== 'bass+analogues') } })).toBe('bass');
    expect(backtestChartModel({ ...base, model: { ...base.model, model: 'gompertz' } })).toBe('gompertz');
    // A forecast.json written before priors were recorded.
    const { priors: _, ...old } = bassAnalogues;
    expect(backtestChartModel(old)).toBe('bass');
  });
});
