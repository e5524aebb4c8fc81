import { describe, expect, it } from 'vitest';
import { renderMarkdown, mdCell, mdTable } from '../../../reports/render/markdown.ts';
import { buildReportModel } from '../../../reports/render/model.ts';
import { campaignFixture, summaryFixture } from './fixtures.ts';
import { tableAfter } from '../../helpers/markdown-table.ts';

describe('mdTable', () => {
  it('writes a GFM table, right-aligning numeric columns and escaping pipes', () => {
    expect(mdTable(['dc', 'nodes'], [['a|b', '12'], ['c', '1,024']])).toBe('| dc | nodes |\n| --- | ---: |\n| a\\|b | 12 |\n| c | 1,024 |');
    expect(mdCell('x\ny<z')).toBe('x y&lt;z');
  });
});

describe('renderMarkdown', () => {
  it('has the recommendation, checks, forecast, placement and inputs tables', async () => {
    const c = await campaignFixture();
    const m = buildReportModel({
      forecast: c.forecast, traffic: c.traffic, plan: c.plan, placement: c.comparison,
      results: { singapore: { summary: summaryFixture({ p95: 350, errorRate: 0.001, rps: 150 }) } },
      budgets: [{ service: 'contacts', dc: 'singapore', limit: 'p95', measured: 250, max: 300, unit: 'ms', ok: true }],
      provenance: [{ file: 'plan.json', what: 'capacity plan', kind: 'modeled', status: 'read', detail: 'caplab.plan/v1' }],
    });
    const md = renderMarkdown(m);
    const rec = tableAfter(md, '## Recommendation per data center');
    expect(rec[0]![0]).toBe('DC');
    expect(rec.slice(2).map((r) => r[0])).toEqual(['beijing', 'singapore', 'us-west-1', 'us-west-2']);
    const bj = c.plan.dcs.beijing!.quarters[0]!;
    expect(rec[2]![2]).toBe(`${bj.nodes.p50} / ${bj.nodes.p90} / ${bj.planned}`);
    expect(rec[2]![7]).toBe('measured / not run');
    // A measured SLO rate shows the interval its sweep bracketed it in; a modeled one has none.
    expect(rec[2]![6]).toBe('300 req/s, SLO binds (SLO rate measured between 300 and 340 req/s)');
    expect(rec[3]![6]).toBe('330 req/s, SLO binds');
    expect(rec[3]![7]).toBe('modeled / measured');
    const checks = tableAfter(md, '## Thresholds and budgets');
    expect(checks.slice(2).map((r) => `${r[2]} ${r[4]}`)).toEqual(['p(95)<300 ❌ fail', 'p(99)<800 ✅ pass', 'rate<0.01 ✅ pass']);
    expect(md).toContain('| singapore | contacts | p95 | 250 ms | 300 ms | ✅ pass |');
    expect(md).toContain('**1 of 4 checks failed.**');
    const placement = tableAfter(md, '## Placement: RTT per country');
    expect(placement.find((r) => r[0] === 'US')!.slice(0, 4)).toEqual(['US', 'beijing', expect.stringMatching(/ms$/), expect.stringMatching(/^us-west/)]);
    expect(md).toMatch(/beijing-only → seed-4dc: device-weighted mean RTT/);
    expect(tableAfter(md, '## Forecast').length).toBeGreaterThan(3);
    expect(md).toContain('| plan.json | capacity plan | modeled | read | caplab.plan/v1 |');
  });

  it('says which sections are not available', () => {
    const md = renderMarkdown(buildReportModel({}));
    expect(md).toContain('_Not available: no plan.json: run the planner first._');
    expect(md).toContain('_Not available: no forecast.json._');
    expect(md.endsWith('\n')).toBe(true);
  });
});
