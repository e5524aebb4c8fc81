import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readSummaryJson } from '../../../reports/ingest/summary.ts';
import { campaignSuites, renderCampaignJUnit } from '../../../reports/render/junit-report.ts';
import { budgetCases, parseThresholdExpr, renderJUnit, thresholdCases, xmlEscape } from '../../../reports/render/junit.ts';
import { summaryFixture } from './fixtures.ts';
import { findAll, parseXml } from './xml.ts';

const realSummary = readSummaryJson(JSON.parse(readFileSync(new URL('../../fixtures/k6/real-k6-summary.json', import.meta.url), 'utf8')), 'real-k6-summary.json');

describe('renderJUnit', () => {
  it('writes the <testsuites>/<testsuite>/<testcase>/<failure> shape with matching counts', () => {
    const xml = renderJUnit([
      { name: 'a', cases: [{ classname: 'k6.a', name: 'ok one', timeS: 1.5 }, { classname: 'k6.a', name: 'bad', failure: { message: 'p95 = 320, limit < 300', type: 'threshold' } }] },
      { name: 'b', cases: [{ classname: 'k6.b', name: 'no data', error: { message: 'nothing measured', type: 'no-data' } }, { classname: 'k6.b', name: 'skip', skipped: 'not run' }] },
    ]);
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites ')).toBe(true);
    const root = parseXml(xml);
    expect(root.name).toBe('testsuites');
    expect(root.attrs).toMatchObject({ name: 'caplab', tests: '4', failures: '1', errors: '1', skipped: '1', time: '1.500' });
    const suites = findAll(root, 'testsuite');
    expect(suites.map((s) => [s.attrs.name, s.attrs.tests, s.attrs.failures, s.attrs.errors])).toEqual([['a', '2', '1', '0'], ['b', '2', '0', '1']]);
    const cases = findAll(root, 'testcase');
    expect(cases.map((c) => c.attrs.classname)).toEqual(['k6.a', 'k6.a', 'k6.b', 'k6.b']);
    expect(cases.every((c) => c.attrs.time !== undefined)).toBe(true);
    const failure = findAll(root, 'failure')[0]!;
    expect(failure.attrs).toEqual({ message: 'p95 = 320, limit < 300', type: 'threshold' });
    expect(failure.text).toBe('p95 = 320, limit < 300');
  });

  it('escapes markup, quotes and characters XML cannot carry', () => {
    const nasty = 'http_req_duration{name:"<x>&\'y\'"}\u0001';
    const xml = renderJUnit([{ name: nasty, cases: [{ classname: nasty, name: nasty, failure: { message: nasty, type: 't', details: `${nasty}\n</failure>` } }] }]);
    const root = parseXml(xml);
    const c = findAll(root, 'testcase')[0]!;
    expect(c.attrs.name).toBe('http_req_duration{name:"<x>&\'y\'"}\uFFFD');
    expect(findAll(root, 'failure')[0]!.text).toContain('</failure>');
    expect(xmlEscape('a<b & "c" \'d\'')).toBe('a&lt;b &amp; &quot;c&quot; &apos;d&apos;');
  });

  it('renders an empty run as an empty, valid <testsuites>', () => {
    const root = parseXml(renderJUnit([]));
    expect(root.attrs.tests).toBe('0');
    expect(root.children).toEqual([]);
  });
});

describe('thresholdCases', () => {
  it('turns every threshold of a real k6 summary into a case, failing crossed ones with measured value and limit', () => {
    const cases = thresholdCases(realSummary, 'k6.thresholds');
    expect(cases.map((c) => c.name)).toEqual(['http_req_duration: avg<1000', 'http_req_failed: rate<0.01', 'waiting_time: p(95)<200']);
    expect(cases[0]!.failure).toBeUndefined();
    expect(cases[1]!.failure!.message).toBe('http_req_failed rate = 0.5, limit < 0.01');
  });

  it('says when the summary does not report the aggregation a threshold uses', () => {
    const s = summaryFixture({ p95: 400, errorRate: 0, rps: 10 });
    delete s.metrics.http_req_duration!.values['p(95)'];
    const c = thresholdCases(s, 'x').find((x) => x.name.endsWith('p(95)<300'))!;
    expect(c.failure!.message).toBe('http_req_duration p(95) = not in the summary, limit < 300');
  });

  it('parses k6 threshold expressions', () => {
    expect(parseThresholdExpr('p(99.9) <= 1e3')).toEqual({ aggregation: 'p(99.9)', op: '<=', limit: 1000 });
    expect(parseThresholdExpr('count>=100')).toEqual({ aggregation: 'count', op: '>=', limit: 100 });
    expect(parseThresholdExpr('nonsense')).toBeUndefined();
  });
});

describe('budgetCases and campaign junit.xml', () => {
  it('fails a broken budget with the measured value and the limit, errors an unmeasured one', () => {
    const cases = budgetCases([
      { service: 'contacts', dc: 'singapore', limit: 'p95', measured: 320.5, max: 300, unit: 'ms', ok: false },
      { service: 'contacts', dc: 'singapore', limit: 'errorRate', measured: 0.001, max: 0.01, unit: 'ratio', ok: true },
      { service: 'ota', dc: 'singapore', limit: 'p99', measured: null, max: 800, unit: 'ms', ok: false },
    ]);
    expect(cases[0]).toMatchObject({ classname: 'caplab.budgets.singapore', name: 'contacts p95 < 300 ms', failure: { type: 'budget', message: 'contacts in singapore: p95 = 320.5 ms, limit 300 ms' } });
    expect(cases[1]!.failure).toBeUndefined();
    expect(cases[2]!.error!.type).toBe('no-data');
  });

  it('has one suite per DC for thresholds and for budgets, counts matching the failures', () => {
    const results = { singapore: { summary: summaryFixture({ p95: 350, errorRate: 0.001, rps: 100 }) }, beijing: { summary: summaryFixture({ p95: 120, errorRate: 0.02, rps: 100 }) } };
    const budgets = [{ service: 'contacts', dc: 'beijing', limit: 'p95', measured: 120, max: 300, unit: 'ms' as const, ok: true }];
    expect(campaignSuites(results, budgets).map((s) => s.name)).toEqual(['thresholds beijing', 'budgets beijing', 'thresholds singapore']);
    const root = parseXml(renderCampaignJUnit(results, budgets));
    expect(root.attrs).toMatchObject({ tests: '7', failures: '2' });
    expect(findAll(root, 'failure').map((f) => f.attrs.message)).toEqual([
      'http_req_failed rate = 0.02, limit < 0.01',
      'http_req_duration p(95) = 350, limit < 300',
    ]);
  });
});
