import { describe, expect, it } from 'vitest';
import { defaultWorkers, peakLoad, workerTuples } from '../../../scenarios/engine/workers.ts';
import { parseScenarioSpec } from '../../../scenarios/spec.ts';

const perWorker = { vus: 100, iterationsPerSecond: 1000 };

function scenarios(s: Record<string, unknown>) {
  return parseScenarioSpec({ schema: 'caplab.scenario/v1', name: 'w', baseUrl: 'http://127.0.0.1:1', options: { scenarios: s }, flows: { default: { steps: [{ path: '/' }] } } }, 'spec').options.scenarios!;
}

describe('workerTuples', () => {
  it('splits the test into equal segments of one sequence that share every element exactly once (k6 striping)', () => {
    for (const n of [1, 2, 3, 4, 7]) {
      const tuples = workerTuples(n);
      expect(tuples).toHaveLength(n);
      for (let v = 0; v < 50; v++) expect(tuples.reduce((t, x) => t + x.scale(v), 0)).toBe(v);
      const all = tuples.flatMap((t) => Array.from({ length: t.scale(50) }, (_, k) => t.unscaledIndex(k))).sort((a, b) => a - b);
      expect(all).toEqual(Array.from({ length: 50 }, (_, i) => i));
    }
    // Two workers take alternate elements, the first one first (hand-derived from k6's striping).
    expect(workerTuples(2).map((t) => [t.unscaledIndex(0), t.unscaledIndex(1), t.scale(5)])).toEqual([[0, 2, 3], [1, 3, 2]]);
    expect(() => workerTuples(0)).toThrow(/not a positive integer/);
  });
});

describe('peakLoad and defaultWorkers', () => {
  it('reads the peak VUs (maxVUs for arrival rates) and the peak rate per second', () => {
    expect(peakLoad(scenarios({ a: { executor: 'constant-vus', vus: 30, duration: '10s' }, b: { executor: 'constant-vus', vus: 20, duration: '5s' } })))
      .toEqual({ vus: 50, iterationsPerSecond: 0 });
    expect(peakLoad(scenarios({ r: { executor: 'ramping-arrival-rate', startRate: 10, timeUnit: '100ms', preAllocatedVUs: 5, maxVUs: 80, stages: [{ target: 300, duration: '1s' }, { target: 20, duration: '1s' }] } })))
      .toEqual({ vus: 80, iterationsPerSecond: 3000 });
    expect(peakLoad(scenarios({ c: { executor: 'constant-arrival-rate', rate: 50, timeUnit: '1s', duration: '1s', preAllocatedVUs: 7 } })))
      .toEqual({ vus: 7, iterationsPerSecond: 50 });
  });

  it('uses every core only when the test asks for more than one worker drives', () => {
    expect(defaultWorkers(scenarios({ a: { executor: 'constant-vus', vus: 100, duration: '1s' } }), 4, perWorker)).toBe(1);
    expect(defaultWorkers(scenarios({ a: { executor: 'constant-vus', vus: 101, duration: '1s' } }), 4, perWorker)).toBe(4);
    expect(defaultWorkers(scenarios({ c: { executor: 'constant-arrival-rate', rate: 1001, timeUnit: '1s', duration: '1s', preAllocatedVUs: 7 } }), 2, perWorker)).toBe(2);
    expect(defaultWorkers(scenarios({ c: { executor: 'constant-arrival-rate', rate: 1000, timeUnit: '1s', duration: '1s', preAllocatedVUs: 7 } }), 2, perWorker)).toBe(1);
  });
});
