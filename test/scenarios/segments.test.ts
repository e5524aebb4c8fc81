import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { effectiveScenarios, runEngine } from '../../scenarios/engine/run.ts';
import { createExecutionTuple, formatSegment, parseExecutionSegment, parseExecutionSegmentSequence } from '../../scenarios/engine/segments.ts';
import { parseScenarioSpec } from '../../scenarios/spec.ts';
import { CollectingSink, specOf, startServer, type TestServer } from './server.ts';

describe('execution segments (k6 lib/execution_segment.go)', () => {
  it('parses segments and sequences as k6 does', () => {
    expect(formatSegment(parseExecutionSegment('1/2:3/4'))).toBe('1/2:3/4');
    expect(formatSegment(parseExecutionSegment('50%:75%'))).toBe('1/2:3/4');
    expect(formatSegment(parseExecutionSegment('0.2'))).toBe('0:1/5');
    expect(formatSegment(parseExecutionSegment(''))).toBe('0:1');
    expect(() => parseExecutionSegment('3/4:1/2')).toThrow(/should be less than/);
    expect(() => parseExecutionSegment('0:5/4')).toThrow(/more than 1/);
    expect(parseExecutionSegmentSequence('0,1/3,2/3,1')).toHaveLength(3);
    expect(() => parseExecutionSegmentSequence('0')).toThrow(/at least 2 points/);
  });

  it('stripes elements like k6 (0:1/2, 1/2:3/4, 3/4:1)', () => {
    const seq = parseExecutionSegmentSequence('0,1/2,3/4,1');
    const tuples = seq.map((s) => createExecutionTuple(s, seq));
    const members = tuples.map((t) => Array.from({ length: 3 }, (_, k) => t.unscaledIndex(k)));
    expect(members).toEqual([[0, 2, 4], [1, 5, 9], [3, 7, 11]]);
    // k6's table of ScaleInt64 for values 1..12.
    expect(Array.from({ length: 12 }, (_, v) => tuples[0]!.scale(v + 1))).toEqual([1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6]);
    expect(Array.from({ length: 12 }, (_, v) => tuples[1]!.scale(v + 1))).toEqual([0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3]);
    expect(Array.from({ length: 12 }, (_, v) => tuples[2]!.scale(v + 1))).toEqual([0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3]);
  });

  it('splits any value exactly over a sequence, and numbers elements uniquely', () => {
    for (const text of ['0,1/3,2/3,1', '0,1/2,1', '0,1/5,1/2,7/10,1']) {
      const seq = parseExecutionSegmentSequence(text);
      const tuples = seq.map((s) => createExecutionTuple(s, seq));
      for (let v = 0; v < 60; v++) expect(tuples.reduce((t, x) => t + x.scale(v), 0)).toBe(v);
      const all = tuples.flatMap((t) => Array.from({ length: t.scale(60) }, (_, k) => t.unscaledIndex(k))).sort((a, b) => a - b);
      expect(all).toEqual(Array.from({ length: 60 }, (_, i) => i));
    }
  });

  it('fills a lone segment into a sequence', () => {
    const t = createExecutionTuple(parseExecutionSegment('1/3:2/3'));
    expect(t.sequence.map(formatSegment)).toEqual(['0:1/3', '1/3:2/3', '2/3:1']);
    expect(() => createExecutionTuple(parseExecutionSegment('1/4:1/2'), parseExecutionSegmentSequence('0,1/3,1'))).toThrow(/couldn't find segment/);
  });
});

describe('segmented runs', () => {
  let server: TestServer;
  beforeAll(async () => { server = await startServer(); });
  afterAll(async () => { await server.close(); });

  const scenarios = {
    shared: { executor: 'shared-iterations', vus: 5, iterations: 31 },
    pervu: { executor: 'per-vu-iterations', vus: 4, iterations: 3 },
    // As many VUs as iterations: a stall of the shared test machine cannot drop any, so counts are exact.
    rate: { executor: 'constant-arrival-rate', rate: 100, timeUnit: '1s', duration: '300ms', preAllocatedVUs: 30 },
    ramp: { executor: 'ramping-arrival-rate', startRate: 0, timeUnit: '1s', preAllocatedVUs: 15, stages: [{ target: 90, duration: '300ms' }] },
  };

  it('segments of a sequence together do the unsegmented run\'s work exactly once', async () => {
    const spec = parseScenarioSpec(specOf(server.url, scenarios, { default: { steps: [{ path: '/ok?i={{iteration}}&vu={{vu}}' }] } }), 'spec');
    const whole = new CollectingSink();
    await runEngine(spec, effectiveScenarios(spec), { sink: whole, seed: 1 });
    const seq = parseExecutionSegmentSequence('0,1/3,2/3,1');
    const parts = seq.map(() => new CollectingSink());
    server.seen.length = 0;
    await Promise.all(seq.map((s, i) => runEngine(spec, effectiveScenarios(spec), { sink: parts[i]!, seed: 1, tuple: createExecutionTuple(s, seq) })));
    for (const name of Object.keys(scenarios)) {
      const merged = parts.reduce((t, p) => t + p.sum('iterations', { scenario: name }), 0);
      expect(merged, name).toBe(whole.sum('iterations', { scenario: name }));
    }
    expect(whole.sum('iterations', { scenario: 'shared' })).toBe(31);
    expect(whole.sum('iterations', { scenario: 'pervu' })).toBe(12);
    expect(whole.sum('iterations', { scenario: 'rate' })).toBe(30);
    expect(whole.sum('iterations', { scenario: 'ramp' })).toBe(13);
    // Iteration numbers are unique test-wide within each scenario.
    const urls = server.seen.map((r) => r.url);
    const iters = new Map<string, number>();
    for (const u of urls) iters.set(u, (iters.get(u) ?? 0) + 1);
    expect([...iters.values()].every((n) => n === 1)).toBe(true);
  });
});
