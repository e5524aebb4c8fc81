import { describe, expect, it } from 'vitest';
import { bassModel } from '../../../models/growth/bass.ts';

// Bass (1969), Management Science 15(5), eq. (7): cumulative adopters
// N(s) = m (1 - e^{-(p+q)s}) / (1 + (q/p) e^{-(p+q)s}), s = t - launch; N = 0 before launch.
const bassByHand = (m: number, p: number, q: number, s: number): number => {
  const e = Math.exp(-(p + q) * s);
  return (m * (1 - e)) / (1 + (q / p) * e);
};

describe('bass model', () => {
  const bass = bassModel(2011);
  const P = { m: 100, p: 0.03, q: 0.38 };

  it('exposes m, p, q and a formula naming its launch', () => {
    expect(bass.name).toBe('bass');
    expect(bass.paramNames).toEqual(['m', 'p', 'q']);
    expect(bass.formula).toContain('2011');
  });

  it('m=100, p=0.03, q=0.38 gives 3.5758 one year after launch', () => {
    // e = exp(-0.41) = 0.663650250; N = 100 * 0.336349750 / (1 + 12.6667 * 0.663650250) = 3.5758164
    const hand = bassByHand(100, 0.03, 0.38, 1);
    expect(bass.cumulative(P, 2012)).toBeCloseTo(hand, 12);
    expect(hand).toBeCloseTo(3.5758164, 6);
    // The JSDoc example of bassModel (and the issue text) quote 3.5759; the value rounds to 3.5758 (|diff| < 1e-4).
    expect(bass.cumulative(P, 2012)).toBeCloseTo(3.5759, 3);
  });

  it('is 0 at and before launch, and approaches m', () => {
    expect(bass.cumulative(P, 2011)).toBe(0);
    expect(bass.cumulative(P, 2005)).toBe(0);
    expect(bass.cumulative(P, 2200)).toBeCloseTo(100, 8);
  });

  it('starts with slope m p (innovators only) at launch', () => {
    // dN/dt at s = 0 is m p (Bass 1969: f(0) = p)
    const h = 1e-6;
    expect((bass.cumulative(P, 2011 + h) - 0) / h).toBeCloseTo(P.m * P.p, 4);
  });

  it('peaks at s* = ln(q/p)/(p+q) with N(s*) = m (1/2 - p/(2q))', () => {
    const sStar = Math.log(P.q / P.p) / (P.p + P.q); // 6.19262 years
    expect(sStar).toBeCloseTo(6.1926192, 6);
    expect(bass.cumulative(P, 2011 + sStar)).toBeCloseTo(P.m * (0.5 - P.p / (2 * P.q)), 8);
    const h = 1e-4;
    const slope = (t: number): number => (bass.cumulative(P, t + h) - bass.cumulative(P, t - h)) / (2 * h);
    expect(slope(2011 + sStar)).toBeGreaterThan(slope(2011 + sStar - 0.5));
    expect(slope(2011 + sStar)).toBeGreaterThan(slope(2011 + sStar + 0.5));
  });

  it('matches the formula at several instants and depends on the launch', () => {
    for (const s of [0.25, 1, 2.5, 7, 15]) expect(bass.cumulative(P, 2011 + s)).toBeCloseTo(bassByHand(100, 0.03, 0.38, s), 10);
    expect(bassModel(2012).cumulative(P, 2013)).toBeCloseTo(bass.cumulative(P, 2012), 12);
  });

  it('round-trips natural and internal parameters [ln m, ln p, ln q]', () => {
    const theta = bass.toInternal(P);
    expect(theta).toEqual([Math.log(100), Math.log(0.03), Math.log(0.38)]);
    const back = bass.fromInternal(theta);
    expect(back.m).toBeCloseTo(100, 10);
    expect(back.p).toBeCloseTo(0.03, 12);
    expect(back.q).toBeCloseTo(0.38, 12);
  });
});
