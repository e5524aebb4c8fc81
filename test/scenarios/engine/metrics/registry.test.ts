import { describe, expect, it } from 'vitest';
import { BUILTIN_METRICS } from '../../../../scenarios/engine/metrics/builtin.ts';
import { createRegistry, ThresholdTypeError } from '../../../../scenarios/engine/metrics/registry.ts';
import type { MetricDef, Sample } from '../../../../scenarios/engine/metrics/types.ts';
import { parseThresholds } from '../../../../scenarios/engine/thresholds.ts';

const M = BUILTIN_METRICS;
const T0 = 1_700_000_000_000;
const STATS = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)'];

function s(metric: MetricDef, value: number, tags: Record<string, string> = {}, time = T0): Sample {
  return { metric, value, tags, time };
}

function registry(thresholds: unknown = {}) {
  const parsed = parseThresholds(thresholds);
  expect(parsed.problems).toEqual([]);
  return createRegistry({ thresholds: parsed.specs, summaryTrendStats: STATS });
}

describe('createRegistry', () => {
  it('aggregates the four metric types as k6 does', () => {
    const reg = registry();
    for (const v of [10, 20, 30, 40]) reg.add(s(M.http_req_duration!, v));
    reg.add(s(M.http_reqs!, 1));
    reg.add(s(M.http_reqs!, 1));
    reg.add(s(M.http_req_failed!, 1));
    reg.add(s(M.http_req_failed!, 0));
    reg.add(s(M.http_req_failed!, 0));
    reg.add(s(M.vus!, 5, {}, T0 + 2));
    reg.add(s(M.vus!, 9, {}, T0 + 1)); // older: min/max move, value does not
    const d = reg.get('http_req_duration')!.sink;
    expect(d.type === 'trend' && [d.count, d.min, d.max, d.avg]).toEqual([4, 10, 40, 25]);
    expect(d.type === 'trend' && Math.abs(d.med - 25) <= 25 * 0.001).toBe(true); // HDR: within 0.1%
    const c = reg.get('http_reqs')!.sink;
    expect(c.type === 'counter' && c.value).toBe(2);
    const r = reg.get('http_req_failed')!.sink;
    expect(r.type === 'rate' && [r.passes, r.fails, r.rate]).toEqual([1, 2, 1 / 3]);
    const g = reg.get('vus')!.sink;
    expect(g.type === 'gauge' && [g.value, g.min, g.max]).toEqual([5, 5, 9]);
    expect(reg.timeRange()).toEqual({ first: T0, last: T0 + 2 });
  });

  it('reports metrics with samples, declared ones and thresholded ones, sorted', () => {
    const reg = registry({ 'http_req_waiting{scenario:x}': ['p(95)<1'] });
    reg.declare({ name: 'my_counter', type: 'counter', contains: 'default' });
    reg.add(s(M.iterations!, 1));
    expect(reg.entries().map((e) => e.key)).toEqual(['http_req_waiting', 'http_req_waiting{scenario:x}', 'iterations', 'my_counter']);
  });

  it('feeds a sample to every sub-metric whose tags it carries, and only those', () => {
    const reg = registry({
      'http_req_duration{scenario:peak}': ['p(95)<300'],
      'http_req_duration{scenario:peak,name:sync}': ['p(95)<300'],
      'http_req_duration{name:sync}': ['avg<100'],
      'http_req_duration{scenario:probe}': ['max<1'],
    });
    reg.add(s(M.http_req_duration!, 10, { scenario: 'peak', name: 'sync', method: 'POST' }));
    reg.add(s(M.http_req_duration!, 20, { scenario: 'peak', name: 'ota' }));
    reg.add(s(M.http_req_duration!, 30, { scenario: 'probe', name: 'sync' }));
    reg.add(s(M.http_req_duration!, 40, { name: 'sync' }));
    const count = (k: string) => reg.get(k)!.sink.count;
    expect(count('http_req_duration')).toBe(4);
    expect(count('http_req_duration{scenario:peak}')).toBe(2);
    expect(count('http_req_duration{scenario:peak,name:sync}')).toBe(1);
    expect(count('http_req_duration{name:sync}')).toBe(3);
    expect(count('http_req_duration{scenario:probe}')).toBe(1);
  });

  describe('http_req_duration{expected_response:true}, the sub-metric k6 0.31+ always adds', () => {
    const KEY = 'http_req_duration{expected_response:true}';

    it('counts only responses tagged expected_response:true and is reported beside its parent', () => {
      const reg = registry();
      reg.add(s(M.http_req_duration!, 10, { expected_response: 'true', status: '200' }));
      reg.add(s(M.http_req_duration!, 30, { expected_response: 'true', status: '409' }));
      reg.add(s(M.http_req_duration!, 900, { expected_response: 'false', status: '503' }));
      reg.add(s(M.http_req_duration!, 5, {})); // k6 with expected_response removed from systemTags: no tag, no match
      reg.add(s(M.http_req_waiting!, 7, { expected_response: 'true' })); // another metric with the tag: not counted
      const e = reg.get(KEY)!;
      expect(e.def).toBe(M.http_req_duration);
      expect(e.tags).toEqual({ expected_response: 'true' });
      expect(e.thresholds).toEqual([]);
      expect(e.sink.type === 'trend' && [e.sink.count, e.sink.min, e.sink.max, e.sink.avg]).toEqual([2, 10, 30, 20]);
      expect(reg.entries().map((x) => x.key)).toEqual(['http_req_duration', KEY, 'http_req_waiting']);
    });

    it('is left out until a matching sample lands in it, as k6 marks it observed only then', () => {
      const none = registry();
      none.add(s(M.iterations!, 1));
      expect(none.entries().map((x) => x.key)).toEqual(['iterations']);
      const allFailed = registry();
      allFailed.add(s(M.http_req_duration!, 900, { expected_response: 'false' }));
      expect(allFailed.entries().map((x) => x.key)).toEqual(['http_req_duration']);
      expect(allFailed.get(KEY)!.sink.count).toBe(0);
    });

    it('is the same sub-metric as a threshold on that tag set (no duplicate), keeping the key as written', () => {
      for (const written of [KEY, 'http_req_duration{ expected_response: "true" }']) {
        const reg = registry({ [written]: ['p(95)<100'] });
        reg.add(s(M.http_req_duration!, 50, { expected_response: 'true' }));
        reg.add(s(M.http_req_duration!, 500, { expected_response: 'false' }));
        const subs = reg.entries().filter((x) => x.key.startsWith('http_req_duration{'));
        expect(subs.map((x) => [x.key, x.sink.count])).toEqual([[written, 1]]);
        expect(reg.evaluateThresholds(1000)).toMatchObject([{ metric: written, threshold: 'p(95)<100', ok: true }]);
      }
    });

    it('stays beside narrower thresholded sub-metrics that also name expected_response', () => {
      const reg = registry({ 'http_req_duration{expected_response:true,scenario:peak}': ['p(95)<100'] });
      reg.add(s(M.http_req_duration!, 50, { expected_response: 'true', scenario: 'peak' }));
      reg.add(s(M.http_req_duration!, 70, { expected_response: 'true', scenario: 'probe' }));
      expect(reg.entries().map((x) => [x.key, x.sink.count])).toEqual([
        ['http_req_duration', 2], ['http_req_duration{expected_response:true,scenario:peak}', 1], [KEY, 2],
      ]);
    });
  });

  it('evaluates every threshold form', () => {
    const reg = registry({
      // Values below 2.048 ms are exact in the histogram (µs resolution), so even == holds.
      http_req_duration: ['avg<1.3', 'min>=0.5', 'max<=2', 'med==1.25', 'p(90)<1.9', 'p(100)!=2'],
      http_reqs: ['count>=4', 'rate>1'],
      http_req_failed: ['rate<0.3'],
      vus: ['value===7'],
      'checks{check:ok}': [{ threshold: 'rate>0.9', abortOnFail: true, delayAbortEval: '5s' }],
    });
    for (const v of [0.5, 1, 1.5, 2]) reg.add(s(M.http_req_duration!, v));
    for (let i = 0; i < 4; i++) reg.add(s(M.http_reqs!, 1));
    reg.add(s(M.http_req_failed!, 1));
    reg.add(s(M.http_req_failed!, 0));
    reg.add(s(M.vus!, 7));
    reg.add(s(M.checks!, 1, { check: 'ok' }));
    reg.add(s(M.checks!, 0, { check: 'ok' }));
    reg.add(s(M.checks!, 0, { check: 'other' }));
    const at2s = reg.evaluateThresholds(2000);
    const ok = Object.fromEntries(at2s.map((r) => [`${r.metric} ${r.threshold}`, r.ok]));
    expect(ok).toEqual({
      'checks{check:ok} rate>0.9': false,
      'http_req_duration avg<1.3': true,
      'http_req_duration min>=0.5': true,
      'http_req_duration max<=2': true,
      'http_req_duration med==1.25': true,
      'http_req_duration p(90)<1.9': true, // k6: 1.5 + (2 - 1.5) * 0.7 = 1.85
      'http_req_duration p(100)!=2': false,
      'http_reqs count>=4': true,
      'http_reqs rate>1': true, // 4 requests in 2 s
      'http_req_failed rate<0.3': false,
      'vus value===7': true,
    });
    expect(at2s.find((r) => r.metric === 'checks{check:ok}')).toMatchObject({ abortOnFail: true, abortNow: false });
    expect(reg.evaluateThresholds(5001).find((r) => r.metric === 'checks{check:ok}')!.abortNow).toBe(true);
    expect(reg.evaluateThresholds(8000).find((r) => r.threshold === 'rate>1')!.ok).toBe(false); // 0.5/s
    expect(reg.lastThresholdResults()).toHaveLength(11);
  });

  it('never aborts on an empty metric, and fails thresholds on metrics that never appeared', () => {
    const reg = registry({
      http_reqs: [{ threshold: 'count>10', abortOnFail: true }],
      ghost_metric: ['count>0'],
    });
    const res = reg.evaluateThresholds(10_000);
    expect(res).toEqual([
      { metric: 'http_reqs', threshold: 'count>10', ok: false, abortOnFail: true, abortNow: false },
      { metric: 'ghost_metric', threshold: 'count>0', ok: false, abortOnFail: false, abortNow: false },
    ]);
    reg.add(s(M.http_reqs!, 1));
    expect(reg.evaluateThresholds(10_000)[0]!.abortNow).toBe(true);
  });

  it('takes custom metrics by declare() or first sample, with sub-metric thresholds on them', () => {
    const reg = registry({ 'sync_contacts{dc:sg}': ['avg<5'] });
    const def: MetricDef = { name: 'sync_contacts', type: 'trend', contains: 'default' };
    reg.add(s(def, 4, { dc: 'sg' }));
    reg.add(s(def, 100, { dc: 'us' }));
    expect(reg.get('sync_contacts')!.sink.count).toBe(2);
    expect(reg.get('sync_contacts{dc:sg}')!.sink.count).toBe(1);
    expect(reg.evaluateThresholds(1000)).toMatchObject([{ metric: 'sync_contacts{dc:sg}', ok: true }]);
  });

  it('rejects conflicting declarations, bad names, bad stats and aggregations a type lacks', () => {
    const reg = registry();
    expect(() => reg.declare({ name: 'http_reqs', type: 'trend', contains: 'time' })).toThrow(/http_reqs.*counter/);
    expect(() => reg.declare({ name: 'bad-name', type: 'counter', contains: 'default' })).toThrow(/not a valid metric name/);
    expect(() => createRegistry({ thresholds: {}, summaryTrendStats: ['p99'] })).toThrow(/"p99"/);
    const r2 = createRegistry({ thresholds: { mine: [{ threshold: 'p(95)<1', abortOnFail: false, delayAbortEvalMs: 0 }] }, summaryTrendStats: STATS });
    expect(() => r2.declare({ name: 'mine', type: 'counter', contains: 'default' })).toThrow(ThresholdTypeError);
  });

  it('tallies checks per group and check, and remembers groups in first-seen order', () => {
    const reg = registry();
    reg.add(s(M.checks!, 1, { group: '', check: 'status is 200' }));
    reg.add(s(M.checks!, 0, { group: '::outer::inner', check: 'status is 200' }));
    reg.add(s(M.checks!, 1, { group: '::outer::inner', check: 'status is 200' }));
    reg.add(s(M.group_duration!, 5, { group: '::outer' }));
    expect(reg.checks()).toEqual([
      { group: '', check: 'status is 200', passes: 1, fails: 0 },
      { group: '::outer::inner', check: 'status is 200', passes: 1, fails: 1 },
    ]);
    expect(reg.groups()).toEqual(['::outer::inner', '::outer']);
  });
});
