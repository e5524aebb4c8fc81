import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plannedVuSteps } from '../../scenarios/engine/executors/ramping-vus.ts';
import { effectiveScenarios, maxPlannedVus, runEngine } from '../../scenarios/engine/run.ts';
import { createExecutionTuple } from '../../scenarios/engine/segments.ts';
import { parseScenarioSpec } from '../../scenarios/spec.ts';
import { CollectingSink, specOf, startServer, type TestServer } from './server.ts';

let server: TestServer;
beforeAll(async () => { server = await startServer(); });
afterAll(async () => { await server.close(); });

async function run(scenarios: Record<string, unknown>, flows: Record<string, unknown> = { default: { steps: [{ name: 'ok', path: '/ok' }] } }) {
  const spec = parseScenarioSpec(specOf(server.url, scenarios, flows), 'spec');
  const sink = new CollectingSink();
  const result = await runEngine(spec, effectiveScenarios(spec), { sink, seed: 1 });
  return { sink, result };
}

describe('iteration-based executors', () => {
  it('shared-iterations runs exactly `iterations` iterations over the VUs', async () => {
    const { sink, result } = await run({ s: { executor: 'shared-iterations', vus: 3, iterations: 20 } });
    expect(sink.sum('iterations')).toBe(20);
    expect(sink.sum('http_reqs', { scenario: 's' })).toBe(20);
    expect(result.scenarios.s).toMatchObject({ started: 20, completed: 20, dropped: 0, vusMax: 3 });
    // Test-wide iteration numbers 0..19, each once.
    expect(result.vusMax).toBe(3);
  });

  it('per-vu-iterations counts the iterations not started by maxDuration as dropped', async () => {
    const { result } = await run(
      { p: { executor: 'per-vu-iterations', vus: 2, iterations: 10, maxDuration: '250ms', gracefulStop: '0s' } },
      { default: { steps: [{ name: 'slow', path: '/slow?ms=100' }] } },
    );
    const st = result.scenarios.p!;
    expect(st.scheduled).toBe(20);
    expect(st.started + st.dropped).toBe(20);
    expect(st.dropped).toBeGreaterThanOrEqual(12);
  });

  it('per-vu-iterations runs `iterations` per VU', async () => {
    const { sink, result } = await run({ p: { executor: 'per-vu-iterations', vus: 3, iterations: 4 } });
    expect(sink.sum('iterations')).toBe(12);
    expect(result.scenarios.p!.vusMax).toBe(3);
  });

  it('stops at maxDuration and counts the iterations not started as dropped', async () => {
    const { sink, result } = await run(
      { s: { executor: 'shared-iterations', vus: 2, iterations: 100, maxDuration: '300ms', gracefulStop: '0s' } },
      { default: { steps: [{ name: 'slow', path: '/slow?ms=100' }] } },
    );
    const st = result.scenarios.s!;
    // Started + dropped covers every iteration exactly once; the started ones were cut at 300 ms.
    expect(st.started + st.dropped).toBe(100);
    expect(sink.sum('dropped_iterations', { scenario: 's' })).toBe(st.dropped);
    expect(st.started).toBeGreaterThanOrEqual(4);
    expect(st.started).toBeLessThanOrEqual(8);
  });
});

describe('constant-vus', () => {
  it('loops its VUs for the duration; interrupted iterations are not counted', async () => {
    const { sink, result } = await run(
      { c: { executor: 'constant-vus', vus: 2, duration: '500ms', gracefulStop: '0s' } },
      { default: { steps: [{ name: 'slow', path: '/slow?ms=40' }] } },
    );
    const st = result.scenarios.c!;
    // 2 VUs x 500 ms / ~40 ms per iteration: about 24, fewer on a busy machine.
    expect(st.completed).toBeGreaterThanOrEqual(8);
    expect(st.completed).toBeLessThanOrEqual(26);
    expect(sink.sum('iterations')).toBe(st.completed);
    expect(st.vusMax).toBe(2);
  });

  it('lets iterations in progress finish within gracefulStop', async () => {
    const { sink, result } = await run(
      { c: { executor: 'constant-vus', vus: 2, duration: '100ms', gracefulStop: '1s' } },
      { default: { steps: [{ name: 'slow', path: '/slow?ms=250' }] } },
    );
    expect(result.scenarios.c!.interrupted).toBe(0);
    expect(sink.sum('iterations')).toBe(2);
  });

  it('interrupts iterations when gracefulStop runs out', async () => {
    const { sink, result } = await run(
      { c: { executor: 'constant-vus', vus: 2, duration: '100ms', gracefulStop: '50ms' } },
      { default: { steps: [{ name: 'slow', path: '/slow?ms=400' }] } },
    );
    expect(result.scenarios.c!.interrupted).toBe(2);
    expect(sink.sum('iterations')).toBe(0);
    expect(result.durationMs).toBeLessThan(380);
  });
});

describe('ramping-vus', () => {
  it('plans VU changes at k6 times', () => {
    const tuple = createExecutionTuple();
    const steps = plannedVuSteps({ startVUs: 0, stages: [{ duration: 10_000, target: 10 }, { duration: 0, target: 3 }, { duration: 10_000, target: 0 }] }, tuple);
    expect(steps.slice(0, 3)).toEqual([{ at: 0, vus: 0 }, { at: 1000, vus: 1 }, { at: 2000, vus: 2 }]);
    expect(steps.find((s) => s.at === 10_000)).toEqual({ at: 10_000, vus: 3 });
    // Ramp down from 3 to 0 over 10 s: 2 at 10s+3.33s, 1 at 16.67s, 0 at 20s.
    expect(steps.slice(-3).map((s) => [Math.round(s.at), s.vus])).toEqual([[13_333, 2], [16_667, 1], [20_000, 0]]);
  });

  it('lets ramped-down VUs finish within gracefulRampDown, else interrupts them', async () => {
    const stages = [{ duration: '100ms', target: 2 }, { duration: '0s', target: 0 }, { duration: '500ms', target: 0 }];
    const flows = { default: { steps: [{ name: 'slow', path: '/slow?ms=300' }] } };
    const cut = await run({ r: { executor: 'ramping-vus', startVUs: 2, stages, gracefulRampDown: '50ms', gracefulStop: '0s' } }, flows);
    expect(cut.result.scenarios.r).toMatchObject({ started: 2, completed: 0, interrupted: 2 });
    const kept = await run({ r: { executor: 'ramping-vus', startVUs: 2, stages, gracefulRampDown: '1s', gracefulStop: '0s' } }, flows);
    // Each VU finishes the iteration it was in and starts no other.
    expect(kept.result.scenarios.r).toMatchObject({ started: 2, completed: 2, interrupted: 0 });
  });

  it('ramps up and down during a run', async () => {
    const { result } = await run(
      { r: { executor: 'ramping-vus', startVUs: 1, stages: [{ duration: '200ms', target: 4 }, { duration: '200ms', target: 0 }], gracefulRampDown: '0s', gracefulStop: '0s' } },
      { default: { steps: [{ name: 'slow', path: '/slow?ms=20' }] } },
    );
    expect(result.scenarios.r!.vusMax).toBe(4);
    expect(result.scenarios.r!.completed).toBeGreaterThan(5);
    expect(result.scenarios.r!.vus).toBe(0);
  });
});

describe('planned VUs', () => {
  it('initializes the peak of concurrently planned VUs up front, as k6 does', async () => {
    const spec = parseScenarioSpec(specOf('http://127.0.0.1:1', {
      a: { executor: 'constant-vus', vus: 3, duration: '1s', gracefulStop: '0s' },
      b: { executor: 'per-vu-iterations', vus: 4, maxDuration: '1s', startTime: '1s', gracefulStop: '0s' },
      c: { executor: 'constant-arrival-rate', rate: 1, duration: '1s', preAllocatedVUs: 2, maxVUs: 9, startTime: '1500ms' },
    }, { default: { steps: [{ path: '/' }] } }), 's');
    // a ends before b starts (VUs are reused); b and c overlap: 4 + 2.
    expect(maxPlannedVus(spec.options.scenarios!, createExecutionTuple())).toBe(6);
    const { sink } = await run({ s: { executor: 'shared-iterations', vus: 3, iterations: 3 } });
    expect(sink.of('vus_max')[0]!.value).toBe(3);
  });
});

describe('shortcuts', () => {
  it('--iterations/--duration replace the scenarios as in k6', () => {
    const spec = parseScenarioSpec(specOf('http://127.0.0.1:1', { a: { executor: 'constant-vus', duration: '1s' } }, { default: { steps: [{ path: '/' }] } }), 's');
    expect(effectiveScenarios(spec, { vus: 3, iterations: 9 }).default).toMatchObject({ executor: 'shared-iterations', vus: 3, iterations: 9 });
    expect(effectiveScenarios(spec, { vus: 2, durationMs: 500 }).default).toMatchObject({ executor: 'constant-vus', vus: 2, duration: 500 });
    expect(Object.keys(effectiveScenarios(spec, { vus: 2 }))).toEqual(['a']);
  });
});
