import { describe, expect, it } from 'vitest';
import { logistic } from '../../../models/growth/logistic.ts';

// Logistic (Verhulst) cumulative: N(t) = m / (1 + exp(-r (t - t0))).
const P = { m: 100, r: 0.7, t0: 2014.5 };
const byHand = (t: number): number => P.m / (1 + Math.exp(-P.r * (t - P.t0)));

describe('logistic model', () => {
  it('exposes m, r, t0 and its formula', () => {
    expect(logistic.name).toBe('logistic');
    expect(logistic.paramNames).toEqual(['m', 'r', 't0']);
    expect(logistic.formula).toContain('m / (1 + exp(-r (t - t0)))');
  });

  it('equals m/2 at the inflection t0', () => {
    // N(t0) = m / (1 + e^0) = m / 2
    expect(logistic.cumulative(P, P.t0)).toBe(50);
    expect(logistic.cumulative({ m: 100, r: 1, t0: 2014 }, 2014)).toBe(50);
  });

  it('reproduces hand-computed values of m / (1 + exp(-r (t - t0)))', () => {
    // t = t0 + 1: 100 / (1 + e^-0.7) = 100 / 1.496585... = 66.8187772
    expect(logistic.cumulative(P, 2015.5)).toBeCloseTo(66.8187772, 6);
    // t = t0 - 2: 100 / (1 + e^1.4) = 100 / 5.0552... = 19.7816111
    expect(logistic.cumulative(P, 2012.5)).toBeCloseTo(19.7816111, 6);
    for (const t of [2005, 2012, 2014.5, 2016.25, 2030]) expect(logistic.cumulative(P, t)).toBeCloseTo(byHand(t), 10);
  });

  it('is symmetric about t0: N(t0 + d) + N(t0 - d) = m', () => {
    for (const d of [0.25, 1, 3.5]) expect(logistic.cumulative(P, P.t0 + d) + logistic.cumulative(P, P.t0 - d)).toBeCloseTo(P.m, 10);
  });

  it('has its steepest slope m r / 4 at t0 and tends to 0 and m', () => {
    const h = 1e-5;
    const slope = (t: number): number => (logistic.cumulative(P, t + h) - logistic.cumulative(P, t - h)) / (2 * h);
    expect(slope(P.t0)).toBeCloseTo((P.m * P.r) / 4, 5);
    expect(slope(P.t0 + 0.5)).toBeLessThan(slope(P.t0));
    expect(slope(P.t0 - 0.5)).toBeLessThan(slope(P.t0));
    expect(logistic.cumulative(P, 1900)).toBeLessThan(1e-10);
    expect(logistic.cumulative(P, 2200)).toBeCloseTo(P.m, 10);
  });

  it('round-trips natural and internal parameters [ln m, ln r, t0]', () => {
    const theta = logistic.toInternal(P);
    expect(theta[0]).toBeCloseTo(Math.log(100), 12);
    expect(theta[1]).toBeCloseTo(Math.log(0.7), 12);
    expect(theta[2]).toBe(2014.5);
    const back = logistic.fromInternal(theta);
    expect(back.m).toBeCloseTo(P.m, 10);
    expect(back.r).toBeCloseTo(P.r, 12);
    expect(back.t0).toBe(P.t0);
  });

  it('places every starting point inside its bounds, with m at least the observed total', () => {
    const space = logistic.searchSpace({ observedTotal: 1e8, firstStart: 2011, lastEnd: 2015, launch: 2011 });
    expect(space.starts.length).toBe(27);
    expect(space.min[0]).toBeCloseTo(Math.log(1e8), 12);
    for (const s of space.starts) {
      s.forEach((v, i) => {
        expect(v).toBeGreaterThanOrEqual(space.min[i]!);
        expect(v).toBeLessThanOrEqual(space.max[i]!);
      });
    }
  });
});
