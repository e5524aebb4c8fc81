import { describe, expect, it } from 'vitest';
import { serviceMix } from '../../../models/capacity/hardware.ts';
import { modeledNodeCapacity, p95ResponseMs, uslSlowdown } from '../../../models/capacity/node-capacity.ts';

const node = { workers: 32, sigma: 0.05, kappa: 0.0005, meanServiceMs: 35, serviceCv: 0.6 };

describe('modeledNodeCapacity', () => {
  it("puts the ceiling at the USL throughput of the best concurrency up to W, rounded down (hand-computed)", () => {
    // N* = sqrt(0.95 / 0.0005) = 43.6 > W = 32, so X(32) = 32 / (0.035 (1 + 0.05*31 + 0.0005*32*31)) = 300.16 req/s.
    expect(uslSlowdown(node, 32)).toBeCloseTo(3.046, 10);
    expect(modeledNodeCapacity(node, 200).ceilingRps).toBe(Math.floor((32 / (0.035 * 3.046)) * 100) / 100);
    // Past N* throughput falls (retrograde): with W = 64 and kappa 0.002, the best is at N* = sqrt(0.95/0.002) = 21.8.
    const congested = { ...node, workers: 64, kappa: 0.002 };
    const x = (n: number) => n / (0.035 * uslSlowdown(congested, n));
    expect(modeledNodeCapacity(congested, 200).ceilingRps).toBe(Math.floor(Math.max(x(21), x(22)) * 100) / 100);
  });

  it('finds the SLO rate where the p95 bound meets the budget, lower for tighter budgets', () => {
    const loose = modeledNodeCapacity(node, 200);
    const tight = modeledNodeCapacity(node, 100);
    expect(loose.sloRps).toBeLessThanOrEqual(loose.ceilingRps);
    expect(tight.sloRps).toBeLessThan(loose.sloRps);
    expect(p95ResponseMs(node, tight.sloRps)).toBeLessThanOrEqual(100 + 1e-6);
    expect(p95ResponseMs(node, tight.sloRps * 1.01)).toBeGreaterThan(100);
    expect(tight.binds).toBe('slo');
    expect(tight.perNodeRps).toBe(tight.sloRps);
  });

  it('idle p95 equals the lognormal p95 of the service time: exp(mu + 1.645 s), s^2 = ln(1 + cv^2)', () => {
    const s2 = Math.log(1 + 0.36);
    const expected = Math.exp(Math.log(35) - s2 / 2 + 1.6448536 * Math.sqrt(s2));
    expect(p95ResponseMs(node, 1e-9)).toBeCloseTo(expected, 3);
    expect(p95ResponseMs(node, 1e6)).toBe(Infinity);
  });

  it('gives 0 req/s when even an idle node misses the budget, and rejects bad input', () => {
    expect(modeledNodeCapacity(node, 40).sloRps).toBe(0);
    expect(() => modeledNodeCapacity({ ...node, workers: 0 }, 200)).toThrow(/workers/);
    expect(() => modeledNodeCapacity(node, Number.NaN)).toThrow(/serverBudgetP95Ms/);
  });
});

describe('serviceMix', () => {
  it('is the mixture mean and cv (hand-computed)', () => {
    const m = serviceMix({ a: { meanMs: 10, cv: 0 }, b: { meanMs: 30, cv: 0 } }, { a: 1, b: 1 });
    expect(m.meanMs).toBe(20);
    expect(m.cv).toBeCloseTo(0.5, 12);
    expect(() => serviceMix({ a: { meanMs: 10, cv: 0 } }, { z: 1 })).toThrow(/z/);
  });
});
