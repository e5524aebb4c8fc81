import { describe, expect, it } from 'vitest';
import {
  ALL_SERVICES, escapeWorkflowData, escapeWorkflowProperty, evaluateGate, gateAnnotations, gateJUnit, gateMarkdown,
  type GateRun, NO_DC,
} from '../../reports/gate.ts';
import { figuresFromSummary, parseMetricKey, runFigures, type RunFigures, type ServiceFigures } from '../../reports/ingest/results.ts';
import type { LoadSeries } from '../../reports/render/series.ts';
import { parseBudgets } from '../../scenarios/budgets.ts';
import type { K6SummaryData } from '../../scenarios/engine/outputs/summary-schema.ts';
import { findAll, parseXml } from './render/xml.ts';
import { summaryWith } from '../helpers/k6-summary.ts';

const budgets = parseBudgets({
  schema: 'caplab.budgets/v1',
  defaults: { p95: '500ms', errorRate: 0.01, droppedIterations: 0 },
  budgets: [
    { service: 'photos_post', p95: '800ms', serverP95: '300ms' },
    { service: 'photos_post', dc: 'us-west-1', p95: '200ms' },
    { service: 'ota_check', p99: '1s' },
  ],
}, 'test budgets');

const svc = (service: string, o: Partial<ServiceFigures> = {}): ServiceFigures => ({
  service, requests: 100, p95: 100, p99: 150, serverP95: 80, serverP99: 120, errorRate: 0, source: 'points', ...o,
});
const figures = (services: ServiceFigures[], dropped: number | null = 0): RunFigures => ({ services, dropped, droppedSource: dropped === null ? null : 'points' });
const run = (dc: string | null, f: RunFigures, summary?: K6SummaryData): GateRun =>
  ({ dc, figures: f, ...(summary ? { summary } : {}), file: dc ? `results/${dc}/summary.json` : 'summary.json' });

const summary = summaryWith;

const find = (o: ReturnType<typeof evaluateGate>, dc: string | null, service: string, limit: string) =>
  o.checks.find((c) => c.dc === dc && c.service === service && c.limit === limit);

describe('evaluateGate: budgets', () => {
  it('passes when every measured figure is under its limit, one check per service and limit plus dropped per DC', () => {
    const o = evaluateGate(budgets, [run('singapore', figures([svc('contacts_sync'), svc('ota_check'), svc('photos_post')]))]);
    expect(o.ok).toBe(true);
    expect(o.counts).toEqual({ pass: o.checks.length, fail: 0, noData: 0, failing: 0 });
    // contacts_sync: defaults only (p95, errorRate); ota_check: + p99; photos_post: p95, serverP95, errorRate; dropped once.
    expect(o.checks.map((c) => `${c.service} ${c.limit}`)).toEqual([
      'contacts_sync p95', 'contacts_sync errorRate', 'ota_check p95', 'ota_check p99', 'ota_check errorRate',
      'photos_post p95', 'photos_post serverP95', 'photos_post errorRate', `${ALL_SERVICES} droppedIterations`,
    ]);
    expect(find(o, 'singapore', 'photos_post', 'p95')).toMatchObject({ measured: 100, max: 800, op: '<', unit: 'ms', verdict: 'pass', metric: 'http_req_duration' });
    expect(find(o, 'singapore', 'photos_post', 'serverP95')).toMatchObject({ measured: 80, max: 300, metric: 'http_req_waiting' });
  });

  it('fails a broken budget with the measured value and the limit; latency and error limits are strict, dropped is <=', () => {
    const o = evaluateGate(budgets, [run('singapore', figures([svc('contacts_sync', { p95: 500, errorRate: 0.02 }), svc('photos_post', { p95: 799.9 })], 0))]);
    expect(o.ok).toBe(false);
    const p95 = find(o, 'singapore', 'contacts_sync', 'p95')!;
    expect(p95).toMatchObject({ verdict: 'fail', failing: true, measured: 500, max: 500 });
    expect(p95.message).toBe('contacts_sync in singapore: p95 = 500 ms, limit < 500 ms (budget broken)');
    expect(find(o, 'singapore', 'contacts_sync', 'errorRate')!.message).toBe('contacts_sync in singapore: errorRate = 2.0%, limit < 1.0% (budget broken)');
    expect(find(o, 'singapore', 'photos_post', 'p95')!.verdict).toBe('pass');
    expect(find(o, 'singapore', ALL_SERVICES, 'droppedIterations')).toMatchObject({ verdict: 'pass', measured: 0, max: 0, op: '<=' });
    expect(o.counts.fail).toBe(2);
    const dropped = evaluateGate(budgets, [run('singapore', figures([svc('contacts_sync')], 3))]);
    expect(find(dropped, 'singapore', ALL_SERVICES, 'droppedIterations')!.message).toBe(`${ALL_SERVICES} in singapore: droppedIterations = 3, limit <= 0 (budget broken)`);
  });

  it('applies a DC-specific budget only in its DC', () => {
    const f = figures([svc('photos_post', { p95: 300 })]);
    const o = evaluateGate(budgets, [run('us-west-1', f), run('singapore', f)]);
    expect(o.checks[0]!.dc).toBe('singapore'); // DCs in name order
    expect(find(o, 'singapore', 'photos_post', 'p95')).toMatchObject({ verdict: 'pass', max: 800 });
    expect(find(o, 'us-west-1', 'photos_post', 'p95')).toMatchObject({ verdict: 'fail', max: 200, measured: 300 });
  });

  it('reports a limit without data as no-data, not failing unless requireAll', () => {
    const f = figures([svc('contacts_sync'), svc('photos_post', { requests: 0, p95: null, serverP95: null, errorRate: null })]);
    const o = evaluateGate(budgets, [run('singapore', f)]);
    expect(o.ok).toBe(true);
    const ota = find(o, 'singapore', 'ota_check', 'p99')!;
    expect(ota).toMatchObject({ verdict: 'no-data', failing: false, measured: null, source: null });
    expect(ota.message).toBe('ota_check in singapore: no p99 measured (http_req_duration{service:ota_check}), limit < 1,000 ms');
    expect(find(o, 'singapore', 'photos_post', 'p95')!.verdict).toBe('no-data'); // zero requests: nothing to judge
    expect(o.counts.noData).toBe(6);
    expect(o.notes.join(' ')).toContain('6 limits have no data and did not fail the gate');
    const strict = evaluateGate(budgets, [run('singapore', f)], { requireAll: true });
    expect(strict.ok).toBe(false);
    expect(strict.counts.failing).toBe(6);
  });

  it('gives a run without a DC the service-wide budgets only, and says so', () => {
    const o = evaluateGate(budgets, [run(null, figures([svc('photos_post', { p95: 300 })]))]);
    expect(find(o, null, 'photos_post', 'p95')).toMatchObject({ verdict: 'pass', max: 800 });
    expect(o.notes[0]).toBe('summary.json has no DC (only a results directory\'s <dc>/ or a DC\'s own directory names one): DC-specific budgets do not apply (photos_post@us-west-1).');
    expect(o.checks[0]!.message).toContain(NO_DC);
  });

  it('collects the k6 thresholds of the summary: a crossed one fails with the measured value', () => {
    const s = summary({
      http_req_duration: { values: { 'p(95)': 320 }, thresholds: { 'p(95)<300': { ok: false }, 'p(99)<2000': { ok: true } } },
      http_req_failed: { type: 'rate', contains: 'default', values: { rate: 0 }, thresholds: { 'rate<0.01': { ok: true } } },
    });
    const o = evaluateGate(parseBudgets({ schema: 'caplab.budgets/v1' }, 'empty'), [run('singapore', figures([]), s)]);
    expect(o.ok).toBe(false);
    expect(o.checks.map((c) => [c.kind, c.metric, c.limit, c.verdict])).toEqual([
      ['threshold', 'http_req_duration', 'p(95)<300', 'fail'],
      ['threshold', 'http_req_duration', 'p(99)<2000', 'pass'],
      ['threshold', 'http_req_failed', 'rate<0.01', 'pass'],
    ]);
    expect(o.checks[0]!.message).toBe('singapore: k6 threshold crossed: http_req_duration p(95) = 320, limit < 300');
    expect(o.checks[1]!.measured).toBeNull(); // p(99) is not among the summary's stats
  });

  it('notes when nothing was checked', () => {
    const o = evaluateGate(parseBudgets({ schema: 'caplab.budgets/v1' }, 'empty'), [run('singapore', figures([]))]);
    expect(o.ok).toBe(true);
    expect(o.notes).toContain('nothing was checked: the budgets are empty and the summaries have no thresholds.');
  });
});

describe('GitHub annotations', () => {
  it('escapes %, CR and LF in messages, and also : and , in properties', () => {
    expect(escapeWorkflowData('50%\r\nok')).toBe('50%25%0D%0Aok');
    expect(escapeWorkflowProperty('a:b,c%\n')).toBe('a%3Ab%2Cc%25%0A');
  });

  it('prints ::error per failing check and ::warning per no-data limit', () => {
    const o = evaluateGate(budgets, [run('singapore', figures([svc('contacts_sync', { errorRate: 0.5 }), svc('photos_post')]))]);
    expect(gateAnnotations(o)).toEqual([
      '::error file=results/singapore/summary.json,title=caplab budget contacts_sync errorRate (singapore)::contacts_sync in singapore: errorRate = 50%25, limit < 1.0%25 (budget broken)',
      '::warning file=results/singapore/summary.json,title=caplab budget ota_check p95 (singapore)::ota_check in singapore: no p95 measured (http_req_duration{service:ota_check}), limit < 500 ms',
      '::warning file=results/singapore/summary.json,title=caplab budget ota_check p99 (singapore)::ota_check in singapore: no p99 measured (http_req_duration{service:ota_check}), limit < 1,000 ms',
      '::warning file=results/singapore/summary.json,title=caplab budget ota_check errorRate (singapore)::ota_check in singapore: no errorRate measured (http_req_failed{service:ota_check}), limit < 1.0%25',
    ]);
    const s = summary({ 'http_req_duration{scenario:peak,name:a}': { values: { 'p(95)': 9 }, thresholds: { 'p(95)<5': { ok: false } } } });
    const t = gateAnnotations(evaluateGate(parseBudgets({ schema: 'caplab.budgets/v1' }, 'empty'), [run('x', figures([]), s)]));
    expect(t).toEqual(['::error file=results/x/summary.json,title=caplab threshold http_req_duration{scenario%3Apeak%2Cname%3Aa}%3A p(95)<5 (x)::x: k6 threshold crossed: http_req_duration{scenario:peak,name:a} p(95) = 9, limit < 5']);
  });
});

describe('gateMarkdown', () => {
  it('renders report.md\'s threshold and budget columns, the verdict and the notes', () => {
    const s = summary({ http_req_duration: { values: { 'p(95)': 320 }, thresholds: { 'p(95)<300': { ok: false } } } });
    const md = gateMarkdown(evaluateGate(budgets, [run('singapore', figures([svc('contacts_sync', { p95: 612.345 })]), s)]));
    expect(md.startsWith('## caplab gate: FAILED\n')).toBe(true);
    expect(md).toContain('| DC | metric | threshold | measured | result |');
    expect(md).toContain('| singapore | http_req_duration | p(95)<300 | 320 | ❌ fail |');
    expect(md).toContain('| DC | service | limit | measured | budget | result |');
    expect(md).toContain('| singapore | contacts_sync | p95 | 612.3 ms | < 500 ms | ❌ fail |');
    expect(md).toContain('| singapore | ota_check | p99 | not measured | < 1,000 ms | ⚠️ no data |');
    expect(md).toMatch(/\*\*2 of \d+ checks failed\.\*\*/);
    expect(md).toContain('> 6 limits have no data');
    expect(md.endsWith('\n')).toBe(true);
  });
});

describe('gateJUnit', () => {
  const s = summary({ http_req_duration: { values: { 'p(95)': 320 }, thresholds: { 'p(95)<300': { ok: false } } } });
  const runs = [run('singapore', figures([svc('contacts_sync', { p95: 612 })]), s)];

  it('uses the report\'s writer: thresholds and budgets suites, failures carry the measured value and the limit, no-data skipped', () => {
    const xml = parseXml(gateJUnit(evaluateGate(budgets, runs), runs));
    expect(xml.attrs).toMatchObject({ name: 'caplab gate', failures: '2', errors: '0', skipped: '6' });
    expect(findAll(xml, 'testsuite').map((x) => x.attrs.name)).toEqual(['thresholds singapore', 'budgets singapore']);
    const failures = findAll(xml, 'failure').map((f) => f.attrs.message);
    expect(failures).toContain('http_req_duration p(95) = 320, limit < 300');
    expect(failures).toContain('contacts_sync in singapore: p95 = 612 ms, limit 500 ms');
    expect(findAll(xml, 'skipped')[0]!.attrs.message).toContain('not required (run with --require-all to fail on it)');
  });

  it('turns no-data into errors under requireAll', () => {
    const xml = parseXml(gateJUnit(evaluateGate(budgets, runs, { requireAll: true }), runs));
    expect(xml.attrs).toMatchObject({ failures: '2', errors: '6', skipped: '0' });
    expect(findAll(xml, 'error')[0]!.attrs.type).toBe('no-data');
  });
});

describe('per-service figures (reports/ingest/results.ts)', () => {
  it('parses metric keys with sub-metric tags', () => {
    expect(parseMetricKey('http_reqs')).toEqual({ name: 'http_reqs', tags: {} });
    expect(parseMetricKey('http_req_duration{scenario:replay,service:contacts_sync}')).toEqual({ name: 'http_req_duration', tags: { scenario: 'replay', service: 'contacts_sync' } });
    expect(parseMetricKey('x{name:"a b"}')).toEqual({ name: 'x', tags: { name: 'a b' } });
    expect(parseMetricKey('x{bad')).toBeUndefined();
  });

  it('reads service sub-metrics of a summary: exact tags win, one scoped scenario is used, two are ambiguous', () => {
    const f = figuresFromSummary(summary({
      'http_req_duration{service:a}': { values: { 'p(95)': 10, 'p(99)': 20 } },
      'http_req_duration{scenario:s1,service:a}': { values: { 'p(95)': 99 } },
      'http_req_waiting{scenario:replay,service:a}': { values: { 'p(95)': 5 } },
      'http_req_failed{scenario:replay,service:a}': { type: 'rate', contains: 'default', values: { rate: 0.25 } },
      'http_req_duration{scenario:s1,service:b}': { values: { 'p(95)': 1 } },
      'http_req_duration{scenario:s2,service:b}': { values: { 'p(95)': 2 } },
      'http_req_duration{service:c,name:x}': { values: { 'p(95)': 3 } },
      'http_reqs{service:b}': { type: 'counter', contains: 'default', values: { count: 7 } },
    }));
    expect(f.services).toEqual([
      { service: 'a', requests: null, p95: 10, p99: 20, serverP95: 5, serverP99: null, errorRate: 0.25, source: 'summary' },
      { service: 'b', requests: 7, p95: null, p99: null, serverP95: null, serverP99: null, errorRate: null, source: 'summary' },
    ]);
    expect(f.dropped).toBe(0); // k6 leaves out dropped_iterations when nothing was dropped
    expect(figuresFromSummary(summary({ dropped_iterations: { type: 'counter', contains: 'default', values: { count: 4 } } })).dropped).toBe(4);
  });

  it('prefers points, keeps services only the summary names, and has nothing without either', () => {
    const series = {
      points: 10, windows: [{ dropped: 1 }, { dropped: 2 }],
      services: [{ service: 'a', requests: 5, p95: 1, p99: 2, serverP95: 0.5, serverP99: 0.6, errorRate: 0, dropped: 0 }],
    } as unknown as LoadSeries;
    const s = summary({ 'http_req_duration{service:a}': { values: { 'p(95)': 99 } }, 'http_req_duration{service:z}': { values: { 'p(95)': 7 } } });
    const f = runFigures({ series, summary: s });
    expect(f.services.map((x) => [x.service, x.p95, x.source])).toEqual([['a', 1, 'points'], ['z', 7, 'summary']]);
    expect(f).toMatchObject({ dropped: 3, droppedSource: 'points' });
    expect(runFigures({})).toEqual({ services: [], dropped: null, droppedSource: null });
  });
});
