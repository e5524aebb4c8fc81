/**
 * The forecast's priors in the report: a forecast computed on data/ (with and without `--analogues`) states the
 * market-potential prior of m (median, p90, its basis in one phrase, who used it) and the analogue prior on Bass p and
 * q (each analogue's p and q, the prior with its spread, who used it) in report.md and report.html alike; a
 * forecast.json written before priors were recorded renders exactly as before. Figures hand-checked against README
 * (m median 651M, p90 1.04B; p 0.0079, sd of ln p 0.26; q 0.76, sd of ln q 0.37).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { computeForecast } from '../../../cli/chain.ts';
import { forecastJson } from '../../../cli/commands/forecast.ts';
import { ForecastFileSchema } from '../../../models/growth/forecast-file.ts';
import type { Forecast, ForecastPriors } from '../../../models/types.ts';
import { renderHtml } from '../../../reports/render/html.ts';
import { renderMarkdown } from '../../../reports/render/markdown.ts';
import { buildReportModel } from '../../../reports/render/model.ts';
import { MARKET_PRIOR_UNUSED, marketPriorBasis, marketPriorFigures, phones, priorAnalogueRows, priorRows } from '../../../reports/render/priors-text.ts';

const chartJs = readFileSync(join(dirname(createRequire(import.meta.url).resolve('chart.js')), 'chart.umd.min.js'), 'utf8');

/** forecast.json as the report reads it back. */
const readBack = (f: Forecast): Forecast => ForecastFileSchema.parse(JSON.parse(forecastJson(f))) as Forecast;

const M_ROW = '| market potential m (phones) | median 651M, p90 1.04B | 5% (p90 8%) of IDC\'s 2014 world shipments over 10 years | no model needed it: every model identified m from the history |';
const P_CELL = 'median 0.0079, sd of ln p 0.26 (p10-p90 0.0057-0.011)';
const Q_CELL = 'median 0.76, sd of ln q 0.37 (p10-p90 0.47-1.2)';

let plain: Forecast;
let withAnalogues: Forecast;
beforeAll(async () => {
  plain = readBack(await computeForecast({ draws: 200 }, 1));
  withAnalogues = readBack(await computeForecast({ draws: 200, analogues: true }, 1));
}, 120_000);

/** The forecast as a file written before priors were recorded. */
function withoutPriors(f: Forecast): Forecast {
  const { priors: _, ...old } = f;
  return readBack(old as Forecast);
}

describe('priors in report.md and report.html', () => {
  it('states the market-potential prior: median, p90, basis and that no model needed it', () => {
    expect(plain.priors!.marketPotential.usedBy).toEqual([]);
    expect(plain.priors!.bassAnalogues).toBeUndefined();
    const m = buildReportModel({ forecast: plain });
    const md = renderMarkdown(m);
    expect(md).toContain('### Priors');
    expect(md).toContain(M_ROW);
    expect(md).toContain('Market figures: 2014: 1,301.1M, per IDC press release, 2015-01-29');
    expect(md).not.toContain('Bass p (analogues)');
    expect(md).not.toContain('| analogue | maker |');
    const html = renderHtml(m, { chartJs });
    expect(html).toContain('<h3>Priors</h3>');
    expect(html).toContain('<table id="priors">');
    expect(html).toContain('<td>median 651M, p90 1.04B</td><td>5% (p90 8%) of IDC&#39;s 2014 world shipments over 10 years</td>' +
      `<td>${MARKET_PRIOR_UNUSED}</td>`);
    expect(html).not.toContain('id="prior-analogues"');
  });

  it('states the analogue prior under --analogues: each analogue\'s p and q, the prior with its spread, who used it', () => {
    const a = withAnalogues.priors!.bassAnalogues!;
    expect(a.usedBy).toEqual(['bass']);
    const m = buildReportModel({ forecast: withAnalogues });
    const md = renderMarkdown(m);
    expect(md).toContain(M_ROW);
    expect(md).toMatch(new RegExp(`\\| Bass p \\(analogues\\) \\| ${esc(P_CELL)} \\| geometric mean and spread of 3 analogues' Bass fits \\(Apple, Samsung, Huawei\\) \\| bass \\(MAP fit, data weighed by log residual sd \\d\\.\\d\\d\\) \\|`));
    expect(md).toContain(`| Bass q (analogues) | ${Q_CELL} |`);
    expect(md).toContain('| analogue | maker | periods | Bass p (1/year) | Bass q (1/year) |');
    for (const x of a.analogues) expect(md).toContain(`| ${x.id} | ${x.maker} | ${x.periods} | ${x.p.toPrecision(2)} | ${x.q.toPrecision(2)} |`);
    expect(md).toContain('| apple-iphone | Apple | 8 | 0.0062 | 0.75 |');
    const html = renderHtml(m, { chartJs });
    expect(html).toContain(`<td>Bass p (analogues)</td><td>${P_CELL}</td>`);
    expect(html).toContain(`<td>Bass q (analogues)</td><td>${Q_CELL}</td>`);
    expect(html).toContain('<table id="prior-analogues">');
    expect(html).toMatch(/<td>apple-iphone<\/td><td>Apple<\/td><td class="num">8<\/td><td class="num">0\.0062<\/td><td class="num">0\.75<\/td>/);
    // The priors come before the backtest and after the forecast's own tables.
    expect(html.indexOf('<h3>Priors</h3>')).toBeGreaterThan(html.indexOf('data-chart="regions"'));
  });

  it('renders a forecast.json without priors as before: no priors block, everything else the same', () => {
    for (const f of [plain, withAnalogues]) {
      const old = withoutPriors(f);
      const m = buildReportModel({ forecast: old });
      expect(m.forecast!.priors).toBeNull();
      const md = renderMarkdown(m);
      expect(md).not.toContain('Priors');
      // The same report with the priors block cut out.
      expect(md).toBe(renderMarkdown(buildReportModel({ forecast: f })).replace(/### Priors\n[\s\S]*?(?=## Demand per service)/, ''));
      const html = renderHtml(m, { chartJs });
      expect(html).not.toContain('<h3>Priors</h3>');
      expect(html).not.toContain('id="priors"');
    }
  });
});

describe('prior cells', () => {
  const basis = {
    series: 'world-idc', market: 'world', publisher: 'IDC', measure: 'shipments (sell-in), IDC Worldwide Quarterly Mobile Phone Tracker',
    figures: [{ year: 2013, units: 1004200000, source: 'IDC, 2014-01-27.' }, { year: 2014, units: 1301100000, source: 'IDC, 2015-01-29' }],
    lifetimeYears: 8, share: { median: 0.045, p90: 0.085 },
  };

  it('phrases the basis from whatever it records', () => {
    expect(marketPriorBasis(basis)).toBe('4.5% (p90 8.5%) of IDC\'s world shipments (yearly mean of 2013-2014) over 8 years');
    expect(marketPriorBasis({ ...basis, figures: [basis.figures[1]] })).toBe('4.5% (p90 8.5%) of IDC\'s 2014 world shipments over 8 years');
    expect(marketPriorBasis({ ...basis, measure: 'sales to end users (sell-through)', publisher: 'Gartner', figures: [basis.figures[1]] }))
      .toBe('4.5% (p90 8.5%) of Gartner\'s 2014 world sales to end users over 8 years');
    expect(marketPriorBasis({ series: 'china-idc' })).toBe('a share of sales');
    expect(marketPriorFigures(basis)).toBe('2013: 1,004.2M, per IDC, 2014-01-27. 2014: 1,301.1M, per IDC, 2015-01-29.');
    expect(marketPriorFigures({})).toBeNull();
  });

  it('names the models that fixed m from the prior, and says when no Bass candidate used the analogues', () => {
    const p: ForecastPriors = {
      marketPotential: { median: 650550000, p90: 1040880000, sdLn: 0.366, usedBy: ['logistic', 'bass'], basis, reasoning: null },
      bassAnalogues: {
        analogues: [{ id: 'a', maker: 'A', periods: 5, m: 1e9, p: 0.01, q: 0.5, residualSd: 0.1 }, { id: 'b', maker: 'B', periods: 4, m: 2e9, p: 0.004, q: 1.21, residualSd: 0.2 }],
        p: { median: 0.0063, sdLn: 0.5 }, q: { median: 0.78, sdLn: 0 }, noiseSd: null, usedBy: [], method: 'm',
      },
    };
    const rows = priorRows(p);
    expect(rows[0]).toEqual(['market potential m (phones)', 'median 651M, p90 1.04B', '4.5% (p90 8.5%) of IDC\'s world shipments (yearly mean of 2013-2014) over 8 years', 'logistic, bass (m fixed from the prior)']);
    expect(rows[1]).toEqual(['Bass p (analogues)', 'median 0.0063, sd of ln p 0.50 (p10-p90 0.0033-0.012)', 'geometric mean and spread of 2 analogues\' Bass fits (A, B)', 'no model used it (no Bass candidate fitted)']);
    expect(rows[2]![1]).toBe('median 0.78, sd of ln q 0.00 (p10-p90 0.78-0.78)');
    expect(priorAnalogueRows(p)).toEqual([['a', 'A', '5', '0.010', '0.50'], ['b', 'B', '4', '0.0040', '1.2']]);
    expect(priorAnalogueRows({ marketPotential: p.marketPotential })).toEqual([]);
    expect([phones(650550000), phones(1040880000), phones(12e6), phones(Number.NaN)]).toEqual(['651M', '1.04B', '12M', '—']);
  });
});

function esc(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
