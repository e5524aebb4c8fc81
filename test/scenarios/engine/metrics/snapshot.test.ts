/**
 * Registry snapshots (what a `--workers` thread sends its parent): a registry that absorbs the snapshots of several
 * registries holds exactly what one registry fed every sample holds, HDR buckets included, so percentiles of the
 * merged view equal the single-run ones (never an average of per-worker percentiles); so do the failed-request tallies.
 */
import { describe, expect, it } from 'vitest';
import { BUILTIN_METRICS as M } from '../../../../scenarios/engine/metrics/builtin.ts';
import { createRegistry } from '../../../../scenarios/engine/metrics/registry.ts';
import { summaryValues } from '../../../../scenarios/engine/metrics/sinks.ts';
import { TrendSink } from '../../../../scenarios/engine/metrics/trend.ts';
import { parseThresholds } from '../../../../scenarios/engine/thresholds.ts';
import { runSamples } from '../../../helpers/samples.ts';

const STATS = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)', 'count'];
const thresholds = parseThresholds({
  'http_req_duration{scenario:peak}': ['p(95)<300'],
  'shop_cart{kind:big}': ['p(90)<5'],
}).specs;
const make = () => createRegistry({ thresholds, summaryTrendStats: STATS });
const custom = { name: 'shop_cart', type: 'trend', contains: 'default' } as const;

describe('registry snapshot and absorb', () => {
  it('absorbing the parts equals feeding the whole, for every metric, sub-metric, group and check', () => {
    const samples = runSamples(2000, 7);
    // A custom metric only one part sees, with negative, zero and positive values and a thresholded tag set.
    for (let i = 0; i < 300; i++) samples.push({ metric: custom, value: (i % 7) - 3, tags: { kind: i % 2 ? 'big' : 'small' }, time: samples[i]!.time });
    const whole = make();
    for (const s of samples) whole.add(s);
    const parts = [make(), make(), make()];
    samples.forEach((s, i) => parts[i < 2000 ? i % 3 : 0]!.add(s));
    const merged = make();
    // Deltas: each part sends twice, starting afresh after the first, as a worker does.
    for (const p of parts) merged.absorb(JSON.parse(JSON.stringify(p.snapshot())));
    const again = [make(), make()];
    samples.slice(0, 10).forEach((s) => again[0]!.add(s));
    const whole2 = make();
    for (const s of samples) whole2.add(s);
    for (const s of samples.slice(0, 10)) whole2.add(s);
    merged.absorb(again[0]!.snapshot());

    // Sums are added in another order, so avg may differ in the last bit of a double; everything else is exact.
    const view = (r: ReturnType<typeof make>) => r.entries().map((e) => [e.key, Object.fromEntries(
      Object.entries(summaryValues(e.sink, STATS, 10_000)).map(([k, v]) => [k, k === 'avg' ? Number(v.toPrecision(12)) : v]))]);
    expect(view(merged)).toEqual(view(whole2));
    expect(merged.groups()).toEqual(whole.groups());
    expect(merged.checks().sort((a, b) => (a.group + a.check).localeCompare(b.group + b.check)))
      .toEqual(whole2.checks().sort((a, b) => (a.group + a.check).localeCompare(b.group + b.check)));
    expect(merged.timeRange()).toEqual(whole2.timeRange());
    // Failed requests by reason add up too (what the end-of-run error note of a --workers run prints).
    expect(whole2.failures().length).toBeGreaterThan(0);
    expect(merged.failures()).toEqual(whole2.failures());
    expect(merged.evaluateThresholds(10_000)).toEqual(whole2.evaluateThresholds(10_000));
  });

  it('an empty registry snapshots to nothing, and absorbing it changes nothing', () => {
    const r = make();
    expect(r.snapshot()).toEqual({ entries: [], groups: [], checks: [] });
    const before = JSON.stringify(r.entries().map((e) => [e.key, summaryValues(e.sink, STATS, 1)]));
    r.absorb(make().snapshot());
    expect(JSON.stringify(r.entries().map((e) => [e.key, summaryValues(e.sink, STATS, 1)]))).toBe(before);
  });

  it('refuses a sub-metric it does not have, and a metric of another type', () => {
    const other = createRegistry({ thresholds: parseThresholds({ 'http_reqs{scenario:x}': ['count>0'] }).specs, summaryTrendStats: STATS });
    other.add({ metric: M.http_reqs!, value: 1, tags: { scenario: 'x' }, time: 1 });
    expect(() => make().absorb(other.snapshot())).toThrow(/no sub-metric "http_reqs\{scenario:x\}"/);
    const snap = { entries: [{ key: 'http_reqs', def: { name: 'http_reqs', type: 'trend' as const, contains: 'default' as const }, sink: { type: 'trend' as const, ...new TrendSink().toState() } }], groups: [], checks: [] };
    expect(() => make().absorb(snap)).toThrow(/is a counter/);
  });
});

describe('TrendSink state', () => {
  it('round-trips exactly: same count, sum, min, max and every percentile', () => {
    const a = new TrendSink();
    for (let i = 0; i < 5000; i++) a.add(Math.exp((i % 97) / 9) - 3 + (i % 13 === 0 ? 0 : 0.0001 * i));
    const b = new TrendSink();
    b.mergeState(JSON.parse(JSON.stringify(a.toState())));
    for (const p of [0, 1, 10, 50, 90, 95, 99, 99.9, 100]) expect(b.percentile(p), `p(${p})`).toBe(a.percentile(p));
    expect([b.count, b.sum, b.min, b.max]).toEqual([a.count, a.sum, a.min, a.max]);
  });
});
