import { describe, expect, it } from 'vitest';
import { gompertz } from '../../../models/growth/gompertz.ts';

// Gompertz cumulative: N(t) = m exp(-exp(-r (t - t0))), i.e. m exp(-b exp(-r t)) with b = exp(r t0).
const P = { m: 100, r: 0.5, t0: 2015 };
const byHand = (t: number): number => P.m * Math.exp(-Math.exp(-P.r * (t - P.t0)));

describe('gompertz model', () => {
  it('exposes m, r, t0 and its formula', () => {
    expect(gompertz.name).toBe('gompertz');
    expect(gompertz.paramNames).toEqual(['m', 'r', 't0']);
    expect(gompertz.formula).toContain('m exp(-exp(-r (t - t0)))');
  });

  it('equals m/e at the inflection t0', () => {
    // N(t0) = m exp(-exp(0)) = m / e
    expect(gompertz.cumulative(P, P.t0)).toBeCloseTo(100 / Math.E, 12);
    expect(gompertz.cumulative({ m: 100, r: 1, t0: 2014 }, 2014)).toBeCloseTo(36.7879441, 6);
  });

  it('reproduces hand-computed values, also in the m exp(-b exp(-c t)) form', () => {
    // t = t0 + 2: 100 exp(-e^-1) = 100 * 0.6922006 = 69.2200628
    expect(gompertz.cumulative(P, 2017)).toBeCloseTo(69.2200628, 6);
    // t = t0 - 2: 100 exp(-e) = 6.5988036
    expect(gompertz.cumulative(P, 2013)).toBeCloseTo(6.5988036, 6);
    // Same curve written as m exp(-b exp(-c s)) with s = t - 2010, c = r, b = exp(r (t0 - 2010)).
    const b = Math.exp(P.r * (P.t0 - 2010));
    for (const t of [2008, 2013.3, 2015, 2019, 2040]) {
      expect(gompertz.cumulative(P, t)).toBeCloseTo(byHand(t), 10);
      expect(gompertz.cumulative(P, t)).toBeCloseTo(P.m * Math.exp(-b * Math.exp(-P.r * (t - 2010))), 9);
    }
  });

  it('has its steepest slope m r / e at t0, and is not symmetric about it', () => {
    const h = 1e-5;
    const slope = (t: number): number => (gompertz.cumulative(P, t + h) - gompertz.cumulative(P, t - h)) / (2 * h);
    expect(slope(P.t0)).toBeCloseTo((P.m * P.r) / Math.E, 5);
    expect(slope(P.t0 + 0.3)).toBeLessThan(slope(P.t0));
    expect(slope(P.t0 - 0.3)).toBeLessThan(slope(P.t0));
    // Unlike the logistic, N(t0 + d) + N(t0 - d) != m.
    expect(gompertz.cumulative(P, 2017) + gompertz.cumulative(P, 2013)).toBeLessThan(P.m - 20);
  });

  it('round-trips natural and internal parameters [ln m, ln r, t0]', () => {
    const theta = gompertz.toInternal(P);
    expect(theta).toEqual([Math.log(100), Math.log(0.5), 2015]);
    const back = gompertz.fromInternal(theta);
    expect(back.m).toBeCloseTo(100, 10);
    expect(back.r).toBeCloseTo(0.5, 12);
    expect(back.t0).toBe(2015);
  });

  it('places every starting point inside its bounds', () => {
    const space = gompertz.searchSpace({ observedTotal: 1e8, firstStart: 2011, lastEnd: 2015, launch: 2011 });
    expect(space.starts.length).toBe(27);
    for (const s of space.starts) {
      s.forEach((v, i) => {
        expect(v).toBeGreaterThanOrEqual(space.min[i]!);
        expect(v).toBeLessThanOrEqual(space.max[i]!);
      });
    }
  });
});
