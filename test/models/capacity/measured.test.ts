import { describe, expect, it } from 'vitest';
import { measuredNodeCapacity } from '../../../models/capacity/measured.ts';
import { uslThroughput } from '../../../models/capacity/usl.ts';

const truth = { sigma: 0.05, kappa: 0.002, lambda: 20 };
const probe = [1, 2, 4, 8, 12, 16, 24, 32, 48].map((n) => ({ concurrency: n, throughput: uslThroughput(truth, n) }));

describe('measuredNodeCapacity', () => {
  it('takes the ceiling from the USL fitted to the probe: X(N*) when N* was reached', () => {
    // N* = sqrt(0.95 / 0.002) = 21.79 < 48 tested: ceiling = X(N*) = 20 * 21.79 / (1 + 0.05*20.79 + 0.002*21.79*20.79).
    const nStar = Math.sqrt(0.95 / 0.002);
    const cap = measuredNodeCapacity(probe, [], 200);
    expect(cap.ceilingRps).toBeCloseTo(uslThroughput(truth, nStar), 1);
    expect(cap.inputs.nStar).toBeCloseTo(nStar, 1);
    expect(cap).toMatchObject({ source: 'measured', binds: 'ceiling' });
    expect(cap.inputs.note).toMatch(/no sweep/);
  });

  it('stops at the largest tested concurrency when the knee was not reached', () => {
    const low = probe.filter((p) => p.concurrency <= 8);
    expect(measuredNodeCapacity(low, [], 200).ceilingRps).toBeCloseTo(uslThroughput(truth, 8), 0);
  });

  it('takes the SLO rate from the highest sweep step within budget, with no drops and few errors', () => {
    const sweep = [
      { rate: 50, p95: 80, dropped: 0, errorRate: 0 },
      { rate: 100, p95: 150, dropped: 0, errorRate: 0 },
      { rate: 120, p95: 190, dropped: 2, errorRate: 0 },
      { rate: 130, p95: 199, dropped: 0, errorRate: 0.05 },
      { rate: 150, p95: 400, dropped: 0, errorRate: 0 },
    ];
    const cap = measuredNodeCapacity(probe, sweep, 200);
    expect(cap.sloRps).toBe(100);
    expect(cap.perNodeRps).toBe(100);
    expect(cap.binds).toBe('slo');
    expect(measuredNodeCapacity(probe, sweep.slice(4), 200).sloRps).toBe(0);
  });

  it('refuses a probe with fewer than 3 levels', () => {
    expect(() => measuredNodeCapacity(probe.slice(0, 2), [], 200)).toThrow();
  });
});
