/**
 * Arrival-rate scenarios far beyond what their VUs can start (rate 1e12/s against a port nobody listens on): the
 * missed slots are counted, not walked one by one, so the run ends after its duration plus gracefulStop with every
 * slot either started or dropped, in one segment or split over several.
 */
import { createServer, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { constantSlots } from '../../../scenarios/engine/executors/constant-arrival-rate.ts';
import { rampingSlots, rateCurve } from '../../../scenarios/engine/executors/ramping-arrival-rate.ts';
import { effectiveScenarios, runEngine } from '../../../scenarios/engine/run.ts';
import { createExecutionTuple, parseExecutionSegmentSequence } from '../../../scenarios/engine/segments.ts';
import { parseScenarioSpec } from '../../../scenarios/spec.ts';
import { CollectingSink, specOf } from '../server.ts';

/** A loopback port that was free a moment ago and has no listener: every connect is refused at once. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** A loopback server that accepts connections and never answers; closed by the returned function. */
async function silentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const s = createServer((sock) => { sockets.add(sock); sock.on('error', () => {}); });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return {
    port: (s.address() as { port: number }).port,
    close: () => new Promise<void>((r) => { for (const x of sockets) x.destroy(); s.close(() => r()); }),
  };
}

async function flood(scenario: Record<string, unknown>, tuple = createExecutionTuple(), port?: number) {
  const spec = parseScenarioSpec(specOf(`http://127.0.0.1:${port ?? await closedPort()}`, { c: scenario }, { default: { steps: [{ name: 'r', path: '/' }] } }), 'spec');
  const sink = new CollectingSink();
  const result = await runEngine(spec, effectiveScenarios(spec), { sink, seed: 1, tuple, onWarning: () => {}, onError: () => {} });
  return { sink, result, st: result.scenarios.c! };
}

// The bound on the run's length: duration 2 s + gracefulStop 1 s, plus a wide margin for a busy 2-core machine
// (the run starts a few thousand refused connections; before counting, the same run went on for minutes).
const BOUND_MS = 2000 + 1000 + 15_000;

describe('arrival-rate floods', () => {
  it('constant-arrival-rate at 1e12/s for 2 s: 2e12 slots, every one started or dropped, ends after duration + gracefulStop', async () => {
    const { sink, result, st } = await flood({ executor: 'constant-arrival-rate', rate: 1e12, timeUnit: '1s', duration: '2s', preAllocatedVUs: 2, maxVUs: 4, gracefulStop: '1s' });
    expect(result.durationMs).toBeLessThan(BOUND_MS);
    expect(st.scheduled).toBe(2e12);
    expect(st.started + st.dropped).toBe(2e12);
    expect(st.started).toBeGreaterThan(0);
    expect(sink.sum('dropped_iterations')).toBe(st.dropped);
    // The scheduler sleeps while every VU is busy: one dropped_iterations sample when a VU frees up or every 100 ms,
    // not one per event-loop turn.
    console.log('SAMPLES', sink.of('dropped_iterations').length, st.started);
    expect(sink.of('dropped_iterations').length).toBeLessThanOrEqual(st.started + 2000 / 100 + 10);
  }, 60_000);

  it('ramping-arrival-rate 0 -> 1e12/s over 2 s: area 1e12, every slot started or dropped', async () => {
    const { sink, result, st } = await flood({ executor: 'ramping-arrival-rate', startRate: 0, timeUnit: '1s', stages: [{ target: 1e12, duration: '2s' }], preAllocatedVUs: 2, maxVUs: 4, gracefulStop: '1s' });
    expect(result.durationMs).toBeLessThan(BOUND_MS);
    // Area 1e12 / 2 * 2 s = 1e12 slots (floating-point area, so within one slot).
    expect(Math.abs(st.scheduled - 1e12)).toBeLessThanOrEqual(1);
    expect(st.started + st.dropped).toBe(st.scheduled);
    expect(sink.sum('dropped_iterations')).toBe(st.dropped);
  }, 60_000);

  it('slots the idle VUs could not start by the end are dropped then, not started past the end', async () => {
    // 200 VUs whose iterations fail at once are often idle, so the flood never drops for want of a VU: at the end,
    // the slots left are counted as dropped (before, they went on starting one by one past the end).
    const { sink, result, st } = await flood({ executor: 'constant-arrival-rate', rate: 1e12, timeUnit: '1s', duration: '1s', preAllocatedVUs: 200, gracefulStop: '1s' });
    expect(result.durationMs).toBeLessThan(1000 + 1000 + 15_000);
    expect(st.scheduled).toBe(1e12);
    expect(st.started + st.dropped).toBe(1e12);
    expect(sink.sum('dropped_iterations')).toBe(st.dropped);
  }, 60_000);

  it('while every VU hangs, the slots due are counted when the scheduler wakes (every 100 ms), not polled', async () => {
    const server = await silentServer();
    try {
      const { sink, result, st } = await flood({ executor: 'constant-arrival-rate', rate: 1e12, timeUnit: '1s', duration: '1s', preAllocatedVUs: 2, gracefulStop: '0s' }, undefined, server.port);
      expect(result.durationMs).toBeLessThan(1000 + 15_000);
      expect(st.started).toBe(2);
      expect(st.scheduled).toBe(1e12);
      expect(st.dropped).toBe(1e12 - 2);
      expect(sink.sum('dropped_iterations')).toBe(st.dropped);
      // One sample per wake-up: about 1000 / 100, where polling emitted one per event-loop turn (thousands).
      expect(sink.of('dropped_iterations').length).toBeLessThanOrEqual(1000 / 100 + 10);
    } finally {
      await server.close();
    }
  }, 60_000);

  it('counts slots past 2^53 (the largest rate the spec takes, for an hour) without settling them one by one', () => {
    const rate = Number.MAX_SAFE_INTEGER;
    expect(constantSlots({ rate, timeUnit: 1000, duration: 3_600_000 }) / (rate * 3600)).toBeCloseTo(1, 9);
    expect(rampingSlots(rateCurve({ startRate: 0, timeUnit: 1000, stages: [{ target: rate, duration: 3_600_000 }] })) / (rate * 1800)).toBeCloseTo(1, 9);
  });

  it('segments of a flood together account for every slot exactly once', async () => {
    const seq = parseExecutionSegmentSequence('0,1/3,2/3,1');
    const cfg = { executor: 'constant-arrival-rate', rate: 1e9, timeUnit: '1s', duration: '1s', preAllocatedVUs: 3, gracefulStop: '1s' };
    let scheduled = 0;
    for (const seg of seq) {
      const { st, result } = await flood(cfg, createExecutionTuple(seg, seq));
      expect(result.durationMs).toBeLessThan(1000 + 1000 + 15_000);
      expect(st.started + st.dropped).toBe(st.scheduled);
      scheduled += st.scheduled;
    }
    expect(scheduled).toBe(1e9);
  }, 90_000);
});
