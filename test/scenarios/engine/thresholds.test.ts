import { describe, expect, it } from 'vitest';
import {
  abortDue, compare, parseExpression, parseMetricKey, parseThresholds,
} from '../../../scenarios/engine/thresholds.ts';

describe('parseExpression', () => {
  it('reads every aggregation k6 knows', () => {
    for (const agg of ['count', 'rate', 'value', 'avg', 'min', 'max', 'med'] as const) {
      expect(parseExpression(`${agg}<10`)).toMatchObject({ aggregation: agg, operator: '<', value: 10 });
    }
    expect(parseExpression('p(95)<300')).toMatchObject({ aggregation: 'p', percentile: 95, operator: '<', value: 300 });
    expect(parseExpression('p(99.9) <= 1e3')).toMatchObject({ aggregation: 'p', percentile: 99.9, operator: '<=', value: 1000 });
  });

  it('reads every operator, two-character ones before their prefixes', () => {
    const ops = ['<', '<=', '>', '>=', '==', '===', '!='];
    for (const op of ops) expect(parseExpression(`avg ${op} 5`)).toMatchObject({ operator: op, value: 5 });
    expect(parseExpression('rate>=0.95')).toMatchObject({ operator: '>=', value: 0.95 });
  });

  it('explains what is wrong', () => {
    expect(parseExpression('p95<300')).toMatch(/unknown aggregation "p95"/);
    expect(parseExpression('p(101)<300')).toMatch(/percentile "101"/);
    expect(parseExpression('p(-1)<300')).toMatch(/percentile/);
    expect(parseExpression('avg<abc')).toMatch(/"abc" is not a number/);
    expect(parseExpression('avg 300')).toMatch(/malformed/);
    expect(parseExpression('mean<3')).toMatch(/unknown aggregation "mean"/);
  });
});

describe('parseMetricKey', () => {
  it('reads plain names and tag filters (quotes dropped, spaces trimmed)', () => {
    expect(parseMetricKey('http_reqs')).toEqual({ key: 'http_reqs', name: 'http_reqs', tags: {} });
    expect(parseMetricKey('http_req_duration{scenario:peak, name:"contacts_sync"}')).toEqual({
      key: 'http_req_duration{scenario:peak, name:"contacts_sync"}', name: 'http_req_duration',
      tags: { scenario: 'peak', name: 'contacts_sync' },
    });
    expect(parseMetricKey('http_req_duration{url:http://x/a?b=1}')).toMatchObject({ tags: { url: 'http://x/a?b=1' } });
  });

  it('rejects malformed keys', () => {
    for (const bad of ['http_reqs{', 'http_reqs}', 'http_reqs}{a:b', 'http_reqs{a:b}x', 'http_reqs{}', 'http_reqs{a}',
      'http_reqs{a:}', 'http_reqs{:b}', '1bad', 'bad-name{a:b}']) {
      expect(typeof parseMetricKey(bad), bad).toBe('string');
    }
  });
});

describe('parseThresholds', () => {
  it('accepts arrays of strings and of objects, normalising delayAbortEval to ms', () => {
    const { specs, problems } = parseThresholds({
      http_req_duration: ['p(95)<300', 'avg<200'],
      'http_req_failed{scenario:peak}': [{ threshold: 'rate<0.01', abortOnFail: true, delayAbortEval: '1m30s' }],
      http_reqs: [{ threshold: 'count>=100' }, 'rate>10'],
      my_custom: [{ threshold: 'value>0', abortOnFail: false, delayAbortEval: 250 }],
    });
    expect(problems).toEqual([]);
    expect(specs).toEqual({
      http_req_duration: [
        { threshold: 'p(95)<300', abortOnFail: false, delayAbortEvalMs: 0 },
        { threshold: 'avg<200', abortOnFail: false, delayAbortEvalMs: 0 },
      ],
      'http_req_failed{scenario:peak}': [{ threshold: 'rate<0.01', abortOnFail: true, delayAbortEvalMs: 90_000 }],
      http_reqs: [
        { threshold: 'count>=100', abortOnFail: false, delayAbortEvalMs: 0 },
        { threshold: 'rate>10', abortOnFail: false, delayAbortEvalMs: 0 },
      ],
      my_custom: [{ threshold: 'value>0', abortOnFail: false, delayAbortEvalMs: 250 }],
    });
  });

  it('accepts nothing as no thresholds', () => {
    expect(parseThresholds(undefined)).toEqual({ specs: {}, problems: [] });
    expect(parseThresholds(null)).toEqual({ specs: {}, problems: [] });
  });

  it('lists every problem with its path', () => {
    const { problems } = parseThresholds({
      'http_req_duration{scenario}': ['p(95)<300'],
      http_req_failed: ['p(95)<1', { threshold: 'rate<x', abortOnFail: 'yes', delayAbortEval: 'soon', extra: 1 }],
      http_reqs: 'count>1',
      checks: [42],
      vus: ['avg<3'],
    });
    const byPath = problems.map((p) => `${JSON.stringify(p.path)} ${p.message}`);
    expect(byPath).toEqual([
      expect.stringMatching(/^\["http_req_duration\{scenario\}"\] .*tag filter "scenario"/),
      expect.stringMatching(/^\["http_req_failed",0\] .*p\(N\) is not supported by a rate metric/),
      expect.stringMatching(/^\["http_req_failed",1,"extra"\] unknown field/),
      expect.stringMatching(/^\["http_req_failed",1\] .*"x" is not a number/),
      expect.stringMatching(/^\["http_req_failed",1,"abortOnFail"\]/),
      expect.stringMatching(/^\["http_req_failed",1,"delayAbortEval"\] .*"soon"/),
      expect.stringMatching(/^\["http_reqs"\] must be an array/),
      expect.stringMatching(/^\["checks",0\] threshold must be a string/),
      expect.stringMatching(/^\["vus",0\] .*avg is not supported by a gauge metric/),
    ]);
  });

  it('rejects a non-object and two keys selecting the same samples', () => {
    expect(parseThresholds(['p(95)<1']).problems).toEqual([{ path: [], message: expect.stringMatching(/must be an object/) }]);
    const { problems } = parseThresholds({ 'http_reqs{a:1,b:2}': ['count>1'], 'http_reqs{b:2, a:1}': ['count>2'] });
    expect(problems).toEqual([{ path: ['http_reqs{b:2, a:1}'], message: expect.stringMatching(/same samples/) }]);
  });

  it('flags unknown metrics only when asked to', () => {
    expect(parseThresholds({ http_req_duraton: ['avg<1'] }).problems).toEqual([]);
    expect(parseThresholds({ http_req_duraton: ['avg<1'] }, { requireKnown: true }).problems)
      .toEqual([{ path: ['http_req_duraton'], message: 'no metric named "http_req_duraton"' }]);
  });
});

describe('evaluation rules', () => {
  it('compares as k6 does', () => {
    expect(compare(1, '<', 2)).toBe(true);
    expect(compare(2, '<', 2)).toBe(false);
    expect(compare(2, '<=', 2)).toBe(true);
    expect(compare(3, '>', 2)).toBe(true);
    expect(compare(2, '>=', 2)).toBe(true);
    expect(compare(2, '==', 2)).toBe(true);
    expect(compare(2, '===', 2)).toBe(true);
    expect(compare(2, '!=', 2)).toBe(false);
  });

  it('aborts only when crossed, asked, past the delay (strictly) and with samples', () => {
    const spec = { threshold: 'rate<0.01', abortOnFail: true, delayAbortEvalMs: 10_000 };
    expect(abortDue(spec, false, 10_001, false)).toBe(true);
    expect(abortDue(spec, false, 10_000, false)).toBe(false);
    expect(abortDue(spec, true, 20_000, false)).toBe(false);
    expect(abortDue(spec, false, 20_000, true)).toBe(false);
    expect(abortDue({ ...spec, abortOnFail: false }, false, 20_000, false)).toBe(false);
  });
});
