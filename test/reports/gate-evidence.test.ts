import { describe, expect, it } from 'vitest';
import { type GateRun } from '../../reports/gate.ts';
import { gateEvidenceProblems } from '../../reports/gate-evidence.ts';
import { figuresFromSummary, type RunFigures, type ServiceFigures } from '../../reports/ingest/results.ts';
import { parseBudgets } from '../../scenarios/budgets.ts';
import { summaryWith } from '../helpers/k6-summary.ts';

const budgets = parseBudgets({
  schema: 'caplab.budgets/v1',
  defaults: { p95: '500ms', errorRate: 0.01, droppedIterations: 0 },
  budgets: [{ service: 'photos_post', p99: '1s' }, { service: 'photos_post', dc: 'us-west-2', p95: '300ms' }],
}, 'test budgets');

const svc = (service: string, o: Partial<ServiceFigures> = {}): ServiceFigures => ({
  service, requests: 100, p95: 100, p99: 150, serverP95: null, serverP99: null, errorRate: 0, source: 'points', ...o,
});
const figures = (services: ServiceFigures[], dropped: number | null = 0): RunFigures => ({ services, dropped, droppedSource: dropped === null ? null : 'points' });
const run = (dc: string, f: RunFigures, extra: Partial<GateRun> = {}): GateRun =>
  ({ dc, figures: f, file: `results/${dc}/points.ndjson`, dir: `results/${dc}`, ...extra });
const healthy = (dc: string): GateRun => run(dc, figures([svc('contacts_sync'), svc('photos_post')]));

const summary = summaryWith;

describe('gateEvidenceProblems', () => {
  it('has nothing to say when every required DC has complete results', () => {
    expect(gateEvidenceProblems(budgets, [healthy('singapore'), healthy('us-west-2')], {
      required: [{ dc: 'singapore', why: 'campaign run r1 loaded it' }, { dc: 'us-west-2', why: 'budgets[1] names it' }], resultsDir: 'results',
    })).toEqual([]);
  });

  it('names every DC that must have results but has none, once, with why', () => {
    const p = gateEvidenceProblems(budgets, [healthy('singapore')], {
      required: [
        { dc: 'us-west-2', why: 'campaign run r1 loaded it (campaign.json)' }, { dc: 'singapore', why: 'campaign run r1 loaded it (campaign.json)' },
        { dc: 'beijing', why: 'campaign run r1 loaded it (campaign.json)' }, { dc: 'us-west-2', why: 'budgets.json: budgets[1] names it' },
      ],
      resultsDir: 'out/results',
    });
    expect(p).toEqual([
      { where: 'out/results/beijing', message: 'missing: no results for DC beijing (campaign run r1 loaded it (campaign.json))' },
      { where: 'out/results/us-west-2', message: 'missing: no results for DC us-west-2 (campaign run r1 loaded it (campaign.json))' },
    ]);
  });

  it('refuses an empty DC folder (no summary, no points)', () => {
    const p = gateEvidenceProblems(budgets, [healthy('singapore'), run('us-west-1', figures([], null), { file: 'results/us-west-1' })]);
    expect(p).toEqual([{ where: 'results/us-west-1', message: expect.stringMatching(/^no evidence: the directory holds no summary\.json and no points/) }]);
  });

  it('refuses a summary with metrics: {} and no points', () => {
    const s = summary({});
    const p = gateEvidenceProblems(budgets, [run('singapore', figuresFromSummary(s), { summary: s, file: 'results/singapore/summary.json' })]);
    expect(p).toEqual([{ where: 'results/singapore/summary.json', message: "no evidence: the summary's metrics are empty (metrics: {}) and there are no points" }]);
  });

  it('refuses any damaged line in the points, naming the file, the count and the first lines', () => {
    const damaged = [{ file: 'results/singapore/points.ndjson', count: 39_529, lines: [3, 4, 5] }];
    const p = gateEvidenceProblems(budgets, [run('singapore', figures([svc('contacts_sync')]), { damaged })]);
    expect(p).toEqual([{ where: 'results/singapore/points.ndjson', message: expect.stringMatching(/^39529 damaged lines \(lines 3, 4, 5, \.\.\.\): figures from partly unreadable points are not evidence/) }]);
    const one = gateEvidenceProblems(budgets, [run('singapore', figures([svc('contacts_sync')]), { damaged: [{ file: 'p.ndjson', count: 1, lines: [7] }] })]);
    expect(one[0]!.message).toMatch(/^1 damaged line \(line 7\)/);
  });

  it('refuses a budget field the run cannot measure for any service: a summary without the service sub-metric', () => {
    const s = summary({
      http_reqs: { type: 'counter', contains: 'default', values: { count: 10, rate: 5 } },
      'http_req_duration{service:photos_post}': { values: { 'p(95)': 120, 'p(99)': 140 } },
    });
    const p = gateEvidenceProblems(budgets, [run('singapore', figuresFromSummary(s), { summary: s, file: 'results/singapore/summary.json' })]);
    expect(p).toEqual([{
      where: 'results/singapore/summary.json',
      message: 'budget errorRate (every service (defaults)) needs http_req_failed per service, which this run cannot measure: it has no points and its summary has no http_req_failed{service:...} sub-metric (k6 writes one only where a threshold names it)',
    }]);
  });

  it('refuses server-side limits on a run whose points have no server-side sample (a replay through the modeled WAN)', () => {
    const server = parseBudgets({ schema: 'caplab.budgets/v1', budgets: [{ service: 'photos_post', serverP95: '300ms', serverP99: '600ms' }] }, 'b');
    const p = gateEvidenceProblems(server, [healthy('singapore')]);
    expect(p).toHaveLength(1);
    expect(p[0]!.where).toBe('results/singapore/points.ndjson');
    expect(p[0]!.message).toMatch(/^budget serverP95, serverP99 \(photos_post\) needs http_req_waiting per service, which this run cannot measure: its points have no http_req_waiting sample for any service; a caplab replay is tagged wan:on: its requests cross the WAN/);
    // Measured for one service: the others are per-service no-data (judged by the gate, not refused).
    expect(gateEvidenceProblems(server, [run('singapore', figures([svc('contacts_sync', { serverP95: 12, serverP99: 20 }), svc('photos_post')]))])).toEqual([]);
  });

  it('refuses per-service defaults on a run whose requests carry no service tag (they would judge nothing)', () => {
    const s = summary({ http_reqs: { type: 'counter', contains: 'default', values: { count: 10, rate: 5 } }, http_req_duration: { values: { 'p(95)': 120 } } });
    const onlyDefaults = parseBudgets({ schema: 'caplab.budgets/v1', defaults: { p95: '500ms', droppedIterations: 0 } }, 'b');
    const p = gateEvidenceProblems(onlyDefaults, [run('singapore', figuresFromSummary(s), { summary: s, file: 'results/singapore/summary.json' })]);
    expect(p).toEqual([{ where: 'results/singapore/summary.json', message: expect.stringMatching(/^the budgets' defaults \(p95\) apply to every service, but no request of this run carries a service tag/) }]);
  });

  it('lists every problem of every run at once', () => {
    const s = summary({});
    const p = gateEvidenceProblems(budgets, [
      run('singapore', figures([svc('a')]), { damaged: [{ file: 'results/singapore/points.ndjson', count: 2, lines: [1, 2] }] }),
      run('us-west-1', figuresFromSummary(s), { summary: s, file: 'results/us-west-1/summary.json' }),
    ], { required: [{ dc: 'beijing', why: 'budgets[0] names it' }], resultsDir: 'results' });
    expect(p.map((x) => x.where)).toEqual(['results/beijing', 'results/singapore/points.ndjson', 'results/us-west-1/summary.json']);
  });
});
