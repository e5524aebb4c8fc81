/**
 * Measured capacity's pure half (pipeline/capacity.ts): a step's warm-up is capped at a third of the file's shortest
 * step, a probe that cannot be fitted is named by its file, and why a probe gives the campaign no ceiling.
 */
import { describe, expect, it } from 'vitest';
import type { NodeCapacity } from '../../models/capacity/node-capacity.ts';
import { ValidationError } from '../../models/errors.ts';
import { finishSteps, measuredCapacity, noCeilingReason, type PointsRead } from '../../pipeline/capacity.ts';
import { createStepSink } from '../../reports/ingest/steps.ts';
import type { Sample } from '../../scenarios/engine/metrics/types.ts';

/** A sink holding one request per 100 ms for `seconds` of each step (tag step:N), 10 ms each. */
function steps(levels: readonly number[], seconds: number): PointsRead {
  const sink = createStepSink();
  levels.forEach((n, k) => {
    for (let t = 0; t < seconds * 10; t++) {
      const time = k * 100_000 + t * 100;
      sink.add({ metric: { name: 'http_req_duration' }, tags: { step: String(n) }, time, value: 10 } as unknown as Sample);
    }
  });
  return { file: '/tmp/c/capacity/x/points-probe.ndjson', shown: 'capacity/x/points-probe.ndjson', sink };
}

describe('measured capacity from steps', () => {
  it('caps the warm-up at a third of the shortest step, so short steps keep a window', () => {
    const short = finishSteps(steps([1, 2], 3).sink, 10);
    // 3 s steps (2.9 s between first and last request): warm-up 10 s capped at 0.97 s.
    expect(short[0]!.windowS).toBeCloseTo(2.9 - 2.9 / 3, 5);
    const long = finishSteps(steps([1, 2], 60).sink, 10);
    expect(long[0]!.windowS).toBeCloseTo(59.9 - 10, 5);
  });

  it('names the probe file when its points cannot be fitted', () => {
    expect(() => measuredCapacity({ probe: steps([1], 5), sweeps: [] }, 1, 200)).toThrow(ValidationError);
    expect(() => measuredCapacity({ probe: steps([1], 5), sweeps: [] }, 1, 200)).toThrow('/tmp/c/capacity/x/points-probe.ndjson: the probe cannot be fitted');
  });

  it('says why a probe gives no ceiling to sweep from', () => {
    const cap = (ceilingRps: number) => ({ ceilingRps }) as NodeCapacity;
    expect(noCeilingReason('sg', { capacity: cap(120) })).toBeUndefined();
    expect(noCeilingReason('sg', {})).toBe('probe of sg measured no ceiling to sweep from (no probe points)');
    expect(noCeilingReason('sg', { capacity: cap(0) })).toBe('probe of sg measured no ceiling to sweep from (the USL fit gives no positive ceiling (0))');
    const err = new ValidationError('p: the probe cannot be fitted', [{ where: 'p', message: 'fewer than 3 steps' }]);
    expect(noCeilingReason('sg', { error: err })).toBe('probe of sg measured no ceiling to sweep from (p: the probe cannot be fitted: 1 problem: p: fewer than 3 steps)');
  });
});
