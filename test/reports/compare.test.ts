import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Plan } from '../../models/types.ts';
import { type CompareSide, compareRuns } from '../../reports/compare.ts';
import { readK6Ndjson } from '../../reports/ingest/ndjson.ts';
import { renderCompareHtml, renderCompareMarkdown } from '../../reports/render/compare.ts';
import { LoadSeriesSink } from '../../reports/render/series.ts';
import { campaignFixture, probeNdjson, summaryFixture, type ProbeOptions } from './render/fixtures.ts';

async function side(label: string, o: ProbeOptions, plan?: Plan): Promise<CompareSide> {
  const sink = new LoadSeriesSink();
  await readK6Ndjson(Readable.from([probeNdjson(o)]), sink, label);
  return { label, results: { singapore: { series: sink.finish() } }, ...(plan ? { plan } : {}) };
}

const verdicts = (c: ReturnType<typeof compareRuns>, dc = 'singapore') =>
  Object.fromEntries(c.rows.filter((r) => r.dc === dc).map((r) => [r.metric, r.verdict]));

describe('compareRuns', () => {
  it('calls two runs with the same seed "no change" on every metric', async () => {
    const c = await campaignFixture();
    const a = await side('a', { seed: 7 }, c.plan);
    const b = await side('b', { seed: 7 }, c.plan);
    const cmp = compareRuns(a, b, { seed: 1 });
    expect(verdicts(cmp)).toEqual({ p95: 'no change', p99: 'no change', rps: 'no change', errorRate: 'no change', capacityPerNode: 'no change', nodesNeeded: 'no change' });
    expect(cmp.summary.regressions).toBe(0);
    expect(cmp.rows.find((r) => r.dc === 'singapore' && r.metric === 'p95')!.change).toBe(0);
  });

  it('flags a planted 30% p95 regression, and only that', async () => {
    const a = await side('a', { seed: 7 });
    const b = await side('b', { seed: 7, latencyScale: 1.3 });
    const cmp = compareRuns(a, b, { seed: 1 });
    const p95 = cmp.rows.find((r) => r.metric === 'p95')!;
    expect(p95.verdict).toBe('regression');
    expect(p95.change!).toBeCloseTo(0.3, 2);
    expect(p95.noise!.method).toBe('paired bootstrap');
    expect(p95.noise!.low).toBeGreaterThan(0.25);
    expect(p95.noise!.high).toBeLessThan(0.35);
    expect(verdicts(cmp)).toMatchObject({ p99: 'regression', rps: 'no change', errorRate: 'no change' });
  });

  it('sees no change between runs with different noise but the same system', async () => {
    const cmp = compareRuns(await side('a', { seed: 7 }), await side('b', { seed: 8 }), { seed: 1 });
    expect(verdicts(cmp)).toMatchObject({ p95: 'no change', rps: 'no change' });
    const p95 = cmp.rows.find((r) => r.metric === 'p95')!;
    expect(p95.noise!.low).toBeLessThan(0);
    expect(p95.noise!.high).toBeGreaterThan(0);
  });

  it('is reproducible: same inputs and seed -> same bands', async () => {
    const a = await side('a', { seed: 7 });
    const b = await side('b', { seed: 8 });
    expect(compareRuns(a, b, { seed: 3 })).toEqual(compareRuns(a, b, { seed: 3 }));
  });

  it('judges summaries without points against the fixed band, and plan figures exactly', async () => {
    const c = await campaignFixture();
    const more = structuredClone(c.plan);
    more.dcs.singapore!.quarters.at(-1)!.planned += 10;
    const a: CompareSide = { label: 'a', results: { singapore: { summary: summaryFixture({ p95: 200, errorRate: 0.001, rps: 100 }) } }, plan: c.plan };
    const b: CompareSide = { label: 'b', results: { singapore: { summary: summaryFixture({ p95: 204, errorRate: 0.001, rps: 80 }) } }, plan: more };
    const v = verdicts(compareRuns(a, b, { seed: 1 }));
    expect(v).toMatchObject({ p95: 'no change', rps: 'regression', errorRate: 'no change', nodesNeeded: 'regression', capacityPerNode: 'no change' });
    expect(verdicts(compareRuns(a, b, { seed: 1 }), 'beijing')).toMatchObject({ p95: 'n/a', nodesNeeded: 'no change' });
  });

  it('renders Markdown and self-contained HTML', async () => {
    const cmp = compareRuns(await side('base', { seed: 7 }), await side('cand', { seed: 7, latencyScale: 1.3 }), { seed: 1 });
    const md = renderCompareMarkdown(cmp);
    expect(md).toMatch(/^# Run comparison: cand vs base/);
    expect(md).toMatch(/\| singapore \| p95 latency \| [\d.]+ ms \| [\d.]+ ms \| \+30\.\d% \| \+\d+\.\d% … \+\d+\.\d% \(paired bootstrap\) \| ❌ regression \|/);
    const html = renderCompareHtml(cmp);
    expect(html).toContain('<td class="bad">❌ regression</td>');
    expect(html).not.toMatch(/\b(?:src|href)\s*=/i);
  });
});
