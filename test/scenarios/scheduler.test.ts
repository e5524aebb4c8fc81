import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { arrivalTimes } from '../../scenarios/engine/executors/ramping-arrival-rate.ts';
import { effectiveScenarios, runEngine } from '../../scenarios/engine/run.ts';
import { parseScenarioSpec } from '../../scenarios/spec.ts';
import { CollectingSink, specOf, startServer, type TestServer } from './server.ts';

let server: TestServer;
beforeAll(async () => { server = await startServer(); });
afterAll(async () => { await server.close(); });

async function run(scenarios: Record<string, unknown>, path = '/ok') {
  const spec = parseScenarioSpec(specOf(server.url, scenarios, { default: { steps: [{ name: 'r', path }] } }), 'spec');
  const sink = new CollectingSink();
  const warnings: string[] = [];
  const result = await runEngine(spec, effectiveScenarios(spec), { sink, seed: 1, onWarning: (m) => warnings.push(m) });
  return { sink, result, warnings };
}

describe('arrival times (k6 cal)', () => {
  it('puts iteration n where the area under the rate reaches n', () => {
    // 0 -> 10/s over 2 s: area 10; area(t) = 2.5 t^2, so n is due at sqrt(n / 2.5) s.
    const t = arrivalTimes({ startRate: 0, timeUnit: 1000, stages: [{ target: 10, duration: 2000 }] });
    expect(t(1)).toBeCloseTo(Math.sqrt(1 / 2.5) * 1000, 6);
    expect(t(10)).toBeCloseTo(2000, 6);
    expect(t(11)).toBeUndefined();
  });

  it('handles constant stages, zero-rate stages and ramp-downs', () => {
    const t = arrivalTimes({ startRate: 4, timeUnit: 1000, stages: [{ target: 4, duration: 1000 }, { target: 0, duration: 0 }, { target: 0, duration: 500 }, { target: 8, duration: 1000 }] });
    expect(t(1)).toBeCloseTo(250, 6);
    expect(t(4)).toBeCloseTo(1000, 6);
    // Then nothing for 500 ms, then 0 -> 8/s over 1 s: area 4 reached at 1500 + 1000.
    expect(t(5)).toBeCloseTo(1500 + Math.sqrt(1 / 4) * 1000, 6);
    expect(t(8)).toBeCloseTo(2500, 6);
    expect(t(9)).toBeUndefined();
  });
});

describe('open model', () => {
  it('constant-arrival-rate starts rate x duration iterations on schedule, none dropped', async () => {
    // A VU per iteration: a stall of the shared test machine cannot make any iteration find no idle VU.
    const { sink, result } = await run({ c: { executor: 'constant-arrival-rate', rate: 100, timeUnit: '1s', duration: '500ms', preAllocatedVUs: 50 } });
    // Due at 0, 10, ..., 490 ms: exactly 50.
    expect(result.scenarios.c).toMatchObject({ scheduled: 50, started: 50, dropped: 0 });
    expect(sink.sum('iterations')).toBe(50);
    const lagSamples = sink.of('caplab_schedule_lag');
    expect(lagSamples).toHaveLength(50);
    // Intended start = sample time - lag: exactly every 10 ms from the first, whatever the machine's load (the
    // schedule is absolute, so lateness never shifts later iterations).
    const intended = lagSamples.map((s) => s.time - s.value).sort((a, b) => a - b);
    intended.forEach((t, k) => expect(t - intended[0]!).toBeCloseTo(k * 10, 2));
    const lags = lagSamples.map((s) => s.value).sort((a, b) => a - b);
    expect(lags[0]).toBeGreaterThanOrEqual(0);
    // Bounded tolerance only, the test machine is shared: the median start is within 50 ms of its schedule.
    expect(lags[25]).toBeLessThan(50);
  });

  it('drops iterations due when no VU is idle, even below maxVUs, and adds VUs in the background', async () => {
    const { sink, result, warnings } = await run(
      { c: { executor: 'constant-arrival-rate', rate: 100, timeUnit: '1s', duration: '400ms', preAllocatedVUs: 1, maxVUs: 4, gracefulStop: '1s' } },
      '/slow?ms=150',
    );
    expect(warnings).toEqual(['Insufficient VUs, reached 4 active VUs and cannot initialize more (scenario c)']);
    const st = result.scenarios.c!;
    expect(st.scheduled).toBe(40);
    expect(st.started + st.dropped).toBe(40);
    expect(st.dropped).toBeGreaterThan(20);
    expect(sink.sum('dropped_iterations', { scenario: 'c' })).toBe(st.dropped);
    // VUs were added one at a time, up to maxVUs.
    expect(st.vusMax).toBe(4);
    expect(sink.sum('iterations')).toBe(st.started);
  });

  it('numbers iterations when they start, as k6 does: drops use up no number (0..started-1, each once)', async () => {
    const spec = parseScenarioSpec(specOf(server.url,
      { c: { executor: 'constant-arrival-rate', rate: 100, timeUnit: '1s', duration: '300ms', preAllocatedVUs: 1, maxVUs: 2, gracefulStop: '1s' } },
      { default: { steps: [{ name: 'r', path: '/slow?ms=60&i={{iteration}}' }] } }), 'spec');
    const before = server.seen.length;
    const result = await runEngine(spec, effectiveScenarios(spec), { sink: new CollectingSink(), seed: 1, onWarning: () => {} });
    const st = result.scenarios.c!;
    expect(st.dropped).toBeGreaterThan(0);
    const numbers = server.seen.slice(before).map((r) => Number(new URL(r.url, 'http://x').searchParams.get('i'))).sort((a, b) => a - b);
    expect(numbers).toEqual(Array.from({ length: st.started }, (_, k) => k));
  });

  it('ramping-arrival-rate follows the stages', async () => {
    const { result } = await run({ r: { executor: 'ramping-arrival-rate', startRate: 0, timeUnit: '1s', preAllocatedVUs: 40, stages: [{ target: 100, duration: '400ms' }, { target: 100, duration: '200ms' }] } });
    // Area: 0.4 s x 50/s + 0.2 s x 100/s = 20 + 20 = 40.
    expect(result.scenarios.r).toMatchObject({ scheduled: 40, started: 40, dropped: 0 });
  });

  it('caplab_req_duration_intended includes the schedule lag', async () => {
    const { sink } = await run({ c: { executor: 'constant-arrival-rate', rate: 50, timeUnit: '1s', duration: '200ms', preAllocatedVUs: 2 } });
    const d = sink.of('http_req_duration');
    const i = sink.of('caplab_req_duration_intended');
    expect(i).toHaveLength(d.length);
    for (let k = 0; k < d.length; k++) expect(i[k]!.value).toBeGreaterThanOrEqual(d[k]!.value);
  });

  it('stops at once on the stop signal, even inside a long quiet stage', async () => {
    const spec = parseScenarioSpec(specOf(server.url, { q: { executor: 'ramping-arrival-rate', startRate: 0, preAllocatedVUs: 1, stages: [{ target: 0, duration: '30s' }, { target: 10, duration: '1s' }] } },
      { default: { steps: [{ path: '/ok' }] } }), 'spec');
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    const t0 = performance.now();
    const result = await runEngine(spec, effectiveScenarios(spec), { sink: new CollectingSink(), seed: 1, signal: ac.signal });
    expect(result.interrupted).toBe(true);
    expect(performance.now() - t0).toBeLessThan(3000);
  });
});
