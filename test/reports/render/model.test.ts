import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseBudgets } from '../../../scenarios/budgets.ts';
import { readK6Ndjson } from '../../../reports/ingest/ndjson.ts';
import { evaluateBudgets } from '../../../reports/render/budget-results.ts';
import { buildReportModel } from '../../../reports/render/model.ts';
import { LoadSeriesSink } from '../../../reports/render/series.ts';
import { campaignFixture, probeNdjson, summaryFixture } from './fixtures.ts';

async function seriesOf(text: string) {
  const sink = new LoadSeriesSink();
  await readK6Ndjson(Readable.from([text]), sink, 'points.ndjson');
  return sink.finish();
}

describe('buildReportModel', () => {
  it('builds every section from a full campaign', async () => {
    const c = await campaignFixture();
    const series = await seriesOf(probeNdjson({ seed: 1 }));
    const m = buildReportModel({ forecast: c.forecast, traffic: c.traffic, plan: c.plan, placement: c.comparison, results: { singapore: { series, summary: summaryFixture({ p95: 200, errorRate: 0.001, rps: 150 }) } } });
    // Everything but the optimized placement (and its plan to buy), which a plan has only from `caplab plan --optimize` or a campaign.
    expect(m.missing).toEqual({
      buy: 'plan.json has no plan to buy (no optimized placement, or one written before caplab recorded it)',
      optimized: 'plan.json has no optimized placement (caplab plan --optimize)', sensitivity: 'plan.json has no sensitivity analysis (planned before caplab had one)',
    });
    const r = m.recommendation!;
    expect(r.rows.map((x) => x.dc)).toEqual(['beijing', 'singapore', 'us-west-1', 'us-west-2']);
    expect(r.quarters[0]).toBe('2015Q1');
    const bj = r.rows[0]!;
    expect(bj.fleet).toBe(420);
    expect(bj.capacitySource).toBe('measured');
    expect(r.rows[1]!.capacitySource).toBe('modeled');
    expect(r.rows[1]!.loadMeasured).toBe(true);
    expect(bj.next.planned).toBe(c.plan.dcs.beijing!.quarters[0]!.planned);
    expect(m.forecast!.quarters.length).toBe(c.forecast.quarters.length);
    expect(m.forecast!.regions.length).toBeGreaterThan(1);
    expect(m.demand!.dcs.map((d) => d.dc)).toEqual(['beijing', 'singapore', 'us-west-1', 'us-west-2']);
    expect(m.demand!.dcs[0]!.diurnalUtc).toHaveLength(24);
    expect(m.placement!.before).toBe('beijing-only');
    expect(m.placement!.countries.find((x) => x.country === 'CN')!.afterDc).toBe('beijing');
    // The USL fit recovers the synthetic node (sigma 0.05, kappa 0.002 -> N* = 21.8) from per-step throughput.
    const usl = m.load[0]!.usl!;
    expect(usl.nStar!).toBeGreaterThan(18);
    expect(usl.nStar!).toBeLessThan(26);
    expect(usl.curve).toHaveLength(60);
    expect(m.checks.thresholds.map((t) => `${t.dc} ${t.metric} ${t.expr} ${t.ok}`)).toContain('singapore http_req_duration p(95)<300 true');
    expect(m.assumptions.some((a) => a.name === 'capacity beijing' && a.kind === 'measured')).toBe(true);
    // The model is plain JSON.
    expect(JSON.parse(JSON.stringify(m))).toEqual(m);
  });

  it('marks absent sections instead of failing', () => {
    const m = buildReportModel({});
    expect(m.recommendation).toBeNull();
    expect(m.forecast).toBeNull();
    expect(m.load).toEqual([]);
    expect(Object.keys(m.missing).sort()).toEqual(['buy', 'checks', 'demand', 'forecast', 'load', 'optimized', 'placement', 'recommendation', 'sensitivity']);
  });

  it('says why there is no USL fit with too few steps', async () => {
    const series = await seriesOf(probeNdjson({ seed: 1, steps: [1, 2] }));
    const m = buildReportModel({ results: { x: { series } } });
    expect(m.load[0]!.usl).toBeNull();
    expect(m.load[0]!.uslNote).toMatch(/fewer than 3 probe steps/);
  });
});

describe('evaluateBudgets', () => {
  it('judges each service\'s limits in each DC, strict like the k6 thresholds they become', async () => {
    const series = await seriesOf(probeNdjson({ seed: 1 }));
    const contactsP95 = series.services.find((s) => s.service === 'contacts')!.p95!;
    const budgets = parseBudgets({
      schema: 'caplab.budgets/v1', defaults: { errorRate: 0.05 },
      budgets: [{ service: 'contacts', p95: contactsP95 }, { service: 'ota', p95: 10_000, serverP95: 10_000 }, { service: 'photos', p95: 500 }],
    }, 'budgets');
    const r = evaluateBudgets(budgets, { singapore: series });
    const key = (x: { service: string; limit: string }) => `${x.service}.${x.limit}`;
    expect(r.map(key)).toEqual(['contacts.p95', 'contacts.errorRate', 'messages.errorRate', 'ota.p95', 'ota.serverP95', 'ota.errorRate', 'photos.p95', 'photos.errorRate']);
    expect(r.find((x) => key(x) === 'contacts.p95')!.ok).toBe(false); // equal to the limit is not below it
    expect(r.find((x) => key(x) === 'ota.p95')!.ok).toBe(true);
    expect(r.find((x) => key(x) === 'photos.p95')).toMatchObject({ measured: null, ok: false });
  });
});
