/**
 * The forecast's backtest in the report: a forecast computed with `--backtest` on data/history.json shows each
 * model's scores and every past forecast against what shipped, in report.md and report.html, and one without shows
 * neither; forecast.json read back through the report's schema keeps the backtest.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { computeForecast, forecastJson } from '../../../cli/commands/forecast.ts';
import type { Forecast } from '../../../models/types.ts';
import { renderHtml } from '../../../reports/render/html.ts';
import { ForecastFileSchema } from '../../../models/growth/forecast-file.ts';
import { renderMarkdown } from '../../../reports/render/markdown.ts';
import { buildReportModel } from '../../../reports/render/model.ts';

const chartJs = readFileSync(join(dirname(createRequire(import.meta.url).resolve('chart.js')), 'chart.umd.min.js'), 'utf8');
let forecast: Forecast;
beforeAll(async () => {
  forecast = ForecastFileSchema.parse(JSON.parse(forecastJson(await computeForecast({ backtest: true }, 1)))) as Forecast;
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
