import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRegistry } from '../../../../scenarios/engine/metrics/registry.ts';
import { groupId } from '../../../../scenarios/engine/outputs/root-group.ts';
import { toSummaryExport } from '../../../../scenarios/engine/outputs/summary-export.ts';
import { buildSummaryData, K6SummaryDataSchema } from '../../../../scenarios/engine/outputs/summary-json.ts';
import { parseThresholds } from '../../../../scenarios/engine/thresholds.ts';
import { REPO_ROOT } from '../../../helpers/cli.ts';
import { runSamples } from '../../../helpers/samples.ts';

const STATS = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99.9)', 'count'];

function summary() {
  const { specs } = parseThresholds({
    http_req_duration: ['p(95)<1000'],
    'http_req_duration{scenario:peak,name:contacts_sync}': ['p(95)<10'],
    'http_req_failed{scenario:peak}': ['rate<0.01'],
  });
  const reg = createRegistry({ thresholds: specs, summaryTrendStats: STATS });
  for (const s of runSamples(400, 3)) reg.add(s);
  return buildSummaryData(reg, { testRunDurationMs: 4000, isStdOutTTY: false, isStdErrTTY: true },
    { summaryTrendStats: STATS, noColor: true });
}

describe('buildSummaryData', () => {
  it('validates against the zod schema of k6\'s handleSummary data', () => {
    const data = summary();
    expect(K6SummaryDataSchema.safeParse(JSON.parse(JSON.stringify(data))).success).toBe(true);
    expect(data.options).toEqual({ summaryTrendStats: STATS, summaryTimeUnit: '', noColor: true });
    expect(data.state).toEqual({ isStdOutTTY: false, isStdErrTTY: true, testRunDurationMs: 4000 });
  });

  it('reports each type with k6\'s values and only observed or thresholded metrics', () => {
    const data = summary();
    expect(Object.keys(data.metrics)).toEqual([
      'checks', 'http_req_duration', 'http_req_duration{expected_response:true}',
      'http_req_duration{scenario:peak,name:contacts_sync}', 'http_req_failed',
      'http_req_failed{scenario:peak}', 'http_reqs', 'iterations', 'vus',
    ]);
    expect(data.metrics.http_reqs).toEqual({ type: 'counter', contains: 'default', values: { count: 400, rate: 100 } });
    expect(data.metrics.iterations!.values).toEqual({ count: 100, rate: 25 });
    expect(data.metrics.vus).toEqual({ type: 'gauge', contains: 'default', values: { value: 3, min: 1, max: 3 } });
    expect(data.metrics.http_req_failed!.values).toEqual({ rate: 20 / 400, passes: 20, fails: 380 });
    expect(data.metrics.checks!.values).toEqual({ rate: 380 / 400, passes: 380, fails: 20 });
    const d = data.metrics.http_req_duration!;
    expect(d.type).toBe('trend');
    expect(d.contains).toBe('time');
    expect(Object.keys(d.values)).toEqual(STATS);
    expect(d.values.count).toBe(400);
    expect(d.values.min).toBeLessThanOrEqual(d.values.med!);
    expect(d.values['p(99.9)']).toBeLessThanOrEqual(d.values.max!);
  });

  it('puts thresholds {ok} on thresholded metrics and sub-metrics only', () => {
    const data = summary();
    expect(data.metrics.http_req_duration!.thresholds).toEqual({ 'p(95)<1000': { ok: true } });
    expect(data.metrics['http_req_duration{scenario:peak,name:contacts_sync}']!.thresholds).toEqual({ 'p(95)<10': { ok: false } });
    expect(data.metrics['http_req_failed{scenario:peak}']!.thresholds).toEqual({ 'rate<0.01': { ok: false } });
    expect(data.metrics.http_reqs!.thresholds).toBeUndefined();
    expect(data.metrics['http_req_duration{scenario:peak,name:contacts_sync}']!.values.count).toBe(200);
  });

  it('rebuilds root_group from group and check tags with k6 ids (md5 of the path)', () => {
    const data = summary();
    expect(data.root_group.id).toBe('d41d8cd98f00b204e9800998ecf8427e');
    expect(data.root_group).toMatchObject({ name: '', path: '', checks: [] });
    const sync = data.root_group.groups[0]!;
    expect(sync).toMatchObject({ name: 'sync', path: '::sync', id: groupId('::sync') });
    expect(sync.groups.map((g) => g.path)).toEqual(['::sync::upload']);
    const upload = sync.groups[0]!;
    expect(upload.checks).toEqual([{
      name: 'status is 200', path: '::sync::upload::status is 200', id: groupId('::sync::upload::status is 200'),
      passes: upload.checks[0]!.passes, fails: upload.checks[0]!.fails,
    }]);
    const total = (g: typeof sync): number => g.checks.reduce((a, c) => a + c.passes + c.fails, 0) + g.groups.reduce((a, s) => a + total(s), 0);
    expect(total(data.root_group)).toBe(400);
  });

  it('rejects a summaryTrendStats entry k6 does not know', () => {
    const reg = createRegistry({ thresholds: {}, summaryTrendStats: ['avg'] });
    for (const s of runSamples(5, 1)) reg.add(s);
    expect(() => buildSummaryData(reg, { testRunDurationMs: 1, isStdOutTTY: false, isStdErrTTY: false },
      { summaryTrendStats: ['p95'], noColor: true })).toThrow(/"p95"/);
  });
});

describe('http_req_duration{expected_response:true} in the summary (k6 0.31+ always adds it)', () => {
  const KEY = 'http_req_duration{expected_response:true}';
  const REAL = JSON.parse(readFileSync(join(REPO_ROOT, 'test/fixtures/k6/real-k6-summary.json'), 'utf8')) as
    { metrics: Record<string, Record<string, unknown>> };

  it('is a time trend over the responses with an expected status, shaped like real k6\'s (no thresholds key)', () => {
    const data = summary();
    const m = data.metrics[KEY]!;
    expect(Object.keys(m)).toEqual(Object.keys(REAL.metrics[KEY]!)); // type, contains, values
    expect(m).toMatchObject({ type: 'trend', contains: 'time' });
    expect('thresholds' in m).toBe(false);
    expect(Object.keys(m.values)).toEqual(STATS);
    expect(m.values.count).toBe(380); // 400 requests, every 20th a 503
    expect(m.values.max).toBeLessThanOrEqual(data.metrics.http_req_duration!.values.max!);
    expect(K6SummaryDataSchema.safeParse(JSON.parse(JSON.stringify(data))).success).toBe(true);
    expect(K6SummaryDataSchema.safeParse(REAL).success).toBe(true);
  });

  it('carries thresholds only when a threshold names it', () => {
    const { specs } = parseThresholds({ [KEY]: ['p(95)<1'] });
    const reg = createRegistry({ thresholds: specs, summaryTrendStats: ['avg', 'p(95)'] });
    for (const s of runSamples(40, 2)) reg.add(s);
    const data = buildSummaryData(reg, { testRunDurationMs: 400, isStdOutTTY: false, isStdErrTTY: false },
      { summaryTrendStats: ['avg', 'p(95)'], noColor: true });
    expect(data.metrics[KEY]!.thresholds).toEqual({ 'p(95)<1': { ok: false } });
    expect(Object.keys(data.metrics).filter((k) => k.startsWith('http_req_duration'))).toEqual(['http_req_duration', KEY]);
  });

  it('is flattened into --summary-export under the same key, without thresholds', () => {
    const data = summary();
    const exp = toSummaryExport(data).metrics[KEY]!;
    expect(exp).toEqual(data.metrics[KEY]!.values);
    expect(Object.keys(exp)).toEqual(STATS);
  });
});

describe('toSummaryExport', () => {
  it('flattens to k6\'s older --summary-export shape', () => {
    const data = summary();
    const exp = toSummaryExport(data);
    expect(Object.keys(exp)).toEqual(['root_group', 'metrics']);
    expect(exp.metrics.http_reqs).toEqual({ count: 400, rate: 100 });
    expect(exp.metrics['http_req_failed{scenario:peak}']).toEqual({ passes: 20, fails: 380, thresholds: { 'rate<0.01': true }, value: 0.05 });
    expect(exp.metrics.http_req_duration).toMatchObject({ thresholds: { 'p(95)<1000': false } });
    expect(exp.metrics.http_req_duration!['p(95)']).toBe(data.metrics.http_req_duration!.values['p(95)']);
    expect(exp.root_group.groups.sync!.groups.upload!.checks['status is 200']).toMatchObject({ path: '::sync::upload::status is 200' });
    expect(exp.root_group.checks).toEqual({});
  });

  it('passes extra top-level keys such as setup_data through', () => {
    const data = { ...summary(), setup_data: { token: 'x' } };
    expect(toSummaryExport(data).setup_data).toEqual({ token: 'x' });
  });
});
