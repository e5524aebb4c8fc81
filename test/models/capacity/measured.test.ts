import { describe, expect, it } from 'vitest';
import { measuredNodeCapacity, sloInterval } from '../../../models/capacity/measured.ts';
import { fitUsl, uslThroughput } from '../../../models/capacity/usl.ts';

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

  it('brackets the SLO rate between the highest passing rate and the next failing one', () => {
    const step = (rate: number, p95: number) => ({ rate, p95, dropped: 0, errorRate: 0 });
    // 100 passes, 120 fails, 130 passes again (noise), 150 fails: at least 130, below 150.
    expect(sloInterval([step(150, 400), step(100, 80), step(120, 210), step(130, 190)], 200)).toEqual({ lower: 130, upper: 150 });
    expect(sloInterval([step(50, 80), step(100, 150)], 200)).toEqual({ lower: 100, upper: null });
    expect(sloInterval([step(50, 300)], 200)).toEqual({ lower: 0, upper: 50 });
    const cap = measuredNodeCapacity(probe, [step(100, 150), step(150, 250)], 200);
    expect(cap.sloInterval).toEqual({ lower: 100, upper: 150 });
    expect(measuredNodeCapacity(probe, [], 200).sloInterval).toBeUndefined();
  });

  it('carries the fit\'s standard errors', () => {
    // Noisy throughput (alternating +-2%) so the residuals, and hence the standard errors, are not zero.
    const noisy = probe.map((p, i) => ({ ...p, throughput: p.throughput * (i % 2 === 0 ? 1.02 : 0.98) }));
    const cap = measuredNodeCapacity(noisy, [], 200);
    const fit = fitUsl(noisy);
    expect(cap.inputs.lambdaSe).toBeCloseTo(fit.standardErrors!.lambda, 3);
    expect(cap.inputs.sigmaSe).toBeCloseTo(fit.standardErrors!.sigma, 5);
    expect(Number(cap.inputs.kappaSe)).toBeGreaterThan(0);
  });

  it('refuses a probe with fewer than 3 levels', () => {
    expect(() => measuredNodeCapacity(probe.slice(0, 2), [], 200)).toThrow();
  });

  it('never fits a ceiling on failed requests: steps with more than 1% failed are left out', () => {
    // A target refusing every connection: each "request" fails at once, so throughput looks huge.
    const refused = probe.map((p) => ({ ...p, throughput: p.throughput * 50, errorRate: 1 }));
    expect(() => measuredNodeCapacity(refused, [], 200)).toThrow(/no capacity is fitted on failed requests/);
    try {
      measuredNodeCapacity(refused, [], 200);
    } catch (err) {
      expect((err as { problems: { where: string; message: string }[] }).problems[0]).toMatchObject({ where: 'probe step at concurrency 1', message: expect.stringMatching(/100% of its requests failed/) });
    }
    // Two overloaded steps answering mostly errors fast: left out, the ceiling is the healthy steps' fit.
    const mixed = probe.map((p) => (p.concurrency >= 32 ? { ...p, throughput: p.throughput * 3, errorRate: 0.6 } : { ...p, errorRate: 0 }));
    const cap = measuredNodeCapacity(mixed, [], 200);
    expect(cap.ceilingRps).toBeCloseTo(measuredNodeCapacity(probe.filter((p) => p.concurrency < 32), [], 200).ceilingRps, 6);
    expect(cap.inputs.probeStepsFailed).toBe(2);
    // A step with a few failures counts only its successful requests.
    const few = probe.map((p) => ({ ...p, errorRate: 0.01 }));
    expect(measuredNodeCapacity(few, [], 200).ceilingRps).toBeCloseTo(measuredNodeCapacity(probe, [], 200).ceilingRps * 0.99, 0);
  });
});
