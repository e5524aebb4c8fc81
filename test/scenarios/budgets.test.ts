import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../models/errors.ts';
import { budgetsToThresholds, limitsFor, parseBudgets, serverSideLimitProblems } from '../../scenarios/budgets.ts';
import { parseScenarioSpec } from '../../scenarios/spec.ts';

const doc = {
  schema: 'caplab.budgets/v1',
  defaults: { errorRate: 0.01, droppedIterations: 0 },
  budgets: [
    { service: 'contacts', p95: '300ms', p99: '800ms', serverP95: 250 },
    { service: 'contacts', dc: 'singapore', p95: '200ms' },
    { service: 'ota', p95: '1s', errorRate: 0.05 },
  ],
};

describe('budgets', () => {
  it('merges defaults, service-wide and DC-specific limits', () => {
    const b = parseBudgets(doc, 'budgets.json');
    expect(limitsFor(b, 'contacts', 'singapore')).toEqual({ errorRate: 0.01, droppedIterations: 0, p95: 200, p99: 800, serverP95: 250 });
    expect(limitsFor(b, 'contacts', 'oregon')).toMatchObject({ p95: 300 });
  });

  it('translates into k6 thresholds scoped by scenario and service tag', () => {
    const th = budgetsToThresholds(parseBudgets(doc, 'b'), { scenario: 'peak', dc: 'singapore' });
    expect(th).toEqual({
      'http_req_duration{scenario:peak,service:contacts}': ['p(95)<200', 'p(99)<800'],
      'http_req_waiting{scenario:peak,service:contacts}': ['p(95)<250'],
      'http_req_failed{scenario:peak,service:contacts}': ['rate<0.01'],
      'http_req_duration{scenario:peak,service:ota}': ['p(95)<1000'],
      'http_req_failed{scenario:peak,service:ota}': ['rate<0.05'],
      'dropped_iterations{scenario:peak}': ['count<=0'],
    });
  });

  it('produces thresholds a scenario spec accepts', () => {
    const thresholds = budgetsToThresholds(parseBudgets(doc, 'b'), { scenario: 'peak', abortOnFail: true });
    const spec = parseScenarioSpec({ schema: 'caplab.scenario/v1', name: 'x', baseUrl: 'http://127.0.0.1:1',
      options: { scenarios: { peak: { executor: 'constant-vus', duration: '1s' } }, thresholds },
      flows: { default: { steps: [{ path: '/', tags: { service: 'ota' } }] } } }, 'spec');
    expect(spec.thresholdSpecs['http_req_failed{scenario:peak,service:ota}']![0]!.abortOnFail).toBe(true);
  });

  it('lists every problem with its path', () => {
    try {
      parseBudgets({ schema: 'caplab.budgets/v1', budgets: [{ service: 'a', p95: 'fast' }, { service: 'a', errorRate: 2 }, { service: 'a' }] }, 'b.json');
      throw new Error('expected failure');
    } catch (err) {
      expect(err).toBeInstanceOf(ValidationError);
      const where = (err as ValidationError).problems.map((p) => p.where);
      expect(where).toEqual(expect.arrayContaining(['b.json: budgets[0].p95', 'b.json: budgets[1].errorRate']));
    }
  });

  it('names every server-side limit (which no campaign run can measure) with its JSON path', () => {
    const b = parseBudgets({ schema: 'caplab.budgets/v1', defaults: { serverP99: '400ms', p95: '1s' }, budgets: [{ service: 'a', p95: '1s' }, { service: 'b', serverP95: '300ms' }] }, 'b.json');
    const p = serverSideLimitProblems(b, 'b.json');
    expect(p.map((x) => x.where)).toEqual(['b.json: defaults.serverP99', 'b.json: budgets[1].serverP95']);
    expect(p[0]!.message).toMatch(/^a server-side limit \(http_req_waiting\) no campaign run can measure: the replay crosses the WAN/);
    // data/budgets.json, the campaign's default, has none.
    const data = JSON.parse(readFileSync(new URL('../../data/budgets.json', import.meta.url), 'utf8')) as unknown;
    expect(serverSideLimitProblems(parseBudgets(data, 'data/budgets.json'), 'data/budgets.json')).toEqual([]);
  });
});
