import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readK6Ndjson } from '../../../reports/ingest/ndjson.ts';
import { esc, inlineScript, jsonForScript } from '../../../reports/render/html/escape.ts';
import { renderHtml } from '../../../reports/render/html.ts';
import { buildReportModel, type ReportModel } from '../../../reports/render/model.ts';
import { LoadSeriesSink } from '../../../reports/render/series.ts';
import { campaignFixture, probeNdjson, summaryFixture } from './fixtures.ts';

const chartJs = readFileSync(join(dirname(createRequire(import.meta.url).resolve('chart.js')), 'chart.umd.min.js'), 'utf8');

function embedded(html: string): ReportModel {
  const m = /<script type="application\/json" id="caplab-data">([\s\S]*?)<\/script>/.exec(html);
  expect(m).not.toBeNull();
  return JSON.parse(m![1]!) as ReportModel;
}

async function fullModel(): Promise<ReportModel> {
  const c = await campaignFixture();
  const sink = new LoadSeriesSink();
  await readK6Ndjson(Readable.from([probeNdjson({ seed: 1, rates: [100, 300] })]), sink, 'p');
  return buildReportModel({
    title: 'Report <with> "markup" & </script>', forecast: c.forecast, traffic: c.traffic, plan: c.plan, placement: c.comparison,
    results: { singapore: { series: sink.finish(), summary: summaryFixture({ p95: 250, errorRate: 0.001, rps: 120 }) } },
  });
}

describe('renderHtml', () => {
  it('is one self-contained document: chart.js inlined, data embedded, no external src/href', async () => {
    const m = await fullModel();
    const html = renderHtml(m, { chartJs });
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain('Chart.js v4');
    expect(embedded(html)).toEqual(m);
    expect(html).not.toMatch(/\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?\/\//i);
    expect(html).not.toMatch(/<link\b/i);
    expect(html).not.toMatch(/@import|url\(\s*["']?https?:/i);
    expect(html).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src 'none';/);
    // The title is escaped everywhere; the only </script> tags are the three closers.
    expect(html).toContain('<title>Report &lt;with&gt; &quot;markup&quot; &amp; &lt;/script&gt;</title>');
    expect(html.match(/<\/script>/g)).toHaveLength(3);
  });

  it('has a canvas and a table for every chart, and the recommendation first', async () => {
    const html = renderHtml(await fullModel(), { chartJs });
    const keys = [...html.matchAll(/<canvas data-chart="([^"]+)"/g)].map((x) => x[1]);
    expect(keys).toEqual(['nodes', 'forecast', 'regions', 'demand', 'diurnal', 'services', 'rtt', 'usl:singapore', 'steps:singapore', 'sweep:singapore', 'rps:singapore', 'latency:singapore']);
    for (const fig of html.split('<figure>').slice(1)) {
      // Each figure has its table beside or under it, before the next figure; the two per-window charts of a DC
      // share one windows table, under the second.
      if (fig.includes('data-chart="rps:')) continue;
      expect(fig.split(/<\/section>/)[0]).toMatch(/<table/);
    }
    expect(html.indexOf('id="recommendation"')).toBeLessThan(html.indexOf('id="forecast"'));
    // The measured DC's capacity cell carries the interval the sweep bracketed its SLO rate in.
    expect(html).toContain('<td>300 req/s, SLO binds (SLO rate measured between 300 and 340 req/s)</td>');
    expect(html).toMatch(/<td>beijing<\/td><td class="num">420<\/td>/);
    expect(html).toContain('prefers-color-scheme: dark');
    expect(html).toContain('@media print');
  });

  it('says what is absent instead of drawing empty charts', () => {
    const html = renderHtml(buildReportModel({}), { chartJs });
    expect(html).not.toContain('<canvas');
    expect(html).toContain('Not available: no plan.json: run the planner first.');
    expect(html).toContain('Not available: no results/&lt;dc&gt;/summary.json or points.ndjson.');
  });

  it('refuses an empty chart.js source', () => {
    expect(() => renderHtml(buildReportModel({}), { chartJs: '' })).toThrow(/chartJs/);
  });
});

describe('escaping', () => {
  it('keeps JSON data and inlined scripts from closing their element', () => {
    const json = jsonForScript({ a: '</script><!-- \u2028' });
    expect(json).not.toMatch(/<\/script|<!--/i);
    expect(JSON.parse(json)).toEqual({ a: '</script><!-- \u2028' });
    expect(inlineScript('x = "</SCRIPT>"; // <!--')).toBe('x = "<\\/SCRIPT>"; // <\\!--');
    expect(esc(`<a href='x'>&"`)).toBe('&lt;a href=&#39;x&#39;&gt;&amp;&quot;');
  });
});
