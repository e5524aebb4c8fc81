import { describe, expect, it } from 'vitest';
import { BUILTIN_METRICS } from '../../../scenarios/engine/metrics/builtin.ts';
import { createStepSink } from '../../../reports/ingest/steps.ts';

const M = BUILTIN_METRICS;
const t0 = Date.UTC(2026, 0, 1);

describe('step sink', () => {
  it('measures each step after its warm-up: throughput, p95, corrected p95, errors and drops', () => {
    const sink = createStepSink();
    // Step 4: one request every 10 ms for 10 s, 20 ms each; the first 2 s are warm-up and take 100 ms each.
    for (let i = 0; i <= 1000; i++) {
      const time = t0 + i * 10;
      const d = i < 200 ? 100 : 20;
      const tags = { step: '4', scenario: 'probe_4' };
      sink.add({ metric: M.http_req_duration!, time, value: d, tags });
      sink.add({ metric: M.http_req_waiting!, time, value: d - 1, tags });
      sink.add({ metric: M.http_req_failed!, time, value: i % 100 === 0 ? 1 : 0, tags });
    }
    // Rate 50: corrected durations from the intended start, and 3 dropped iterations.
    for (let i = 0; i <= 100; i++) {
      const tags = { rate: '50' };
      sink.add({ metric: M.http_req_duration!, time: t0 + i * 20, value: 10, tags });
      sink.add({ metric: M.caplab_req_duration_intended!, time: t0 + i * 20, value: 30, tags });
    }
    for (let i = 0; i < 3; i++) sink.add({ metric: M.dropped_iterations!, time: t0 + i, value: 1, tags: { rate: '50' } });
    sink.add({ metric: M.http_reqs!, time: t0, value: 1, tags: { scenario: 'other' } });

    const [step, rate] = sink.finish(2);
    expect(step).toMatchObject({ kind: 'step', level: 4, requests: 801, p95: 20, waitingP95: 19 });
    expect(step!.windowS).toBeCloseTo(8, 6);
    expect(step!.throughput).toBeCloseTo(801 / 8, 6);
    expect(step!.errorRate).toBeCloseTo(11 / 1001, 6);
    // Little's law: 100.1 requests/s of 20 ms each keep 2.0 in flight (the VU count, 4, is not what the target held).
    expect(step!.meanDurationMs).toBeCloseTo(20, 9);
    expect(step!.inFlight).toBeCloseTo((801 / 8) * 0.02, 6);
    expect(rate).toMatchObject({ kind: 'rate', level: 50, p95: 10, p95Corrected: 30, dropped: 3 });
  });
});
