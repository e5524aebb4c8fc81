import { describe, expect, it } from 'vitest';
import { activeDevices, survivalByLag, weibullSurvival } from '../../../models/growth/survival.ts';

// Weibull survival S(a) = exp(-(a / lambda)^k), lambda = median / (ln 2)^(1/k), so S(median) = 1/2 and
// S(c * median) = exp(-c^k ln 2) = 2^(-c^k).
describe('weibullSurvival', () => {
  it('is 1/2 at the median for any shape', () => {
    for (const [median, shape] of [[2.5, 2.2], [2.5, 2], [1, 1], [4, 0.7], [0.3, 5]] as const) {
      expect(weibullSurvival(median, median, shape)).toBeCloseTo(0.5, 12);
    }
  });

  it('is 1 at age 0 and before', () => {
    expect(weibullSurvival(0, 2.5, 2.2)).toBe(1);
    expect(weibullSurvival(-1, 2.5, 2.2)).toBe(1);
  });

  it('reproduces hand-computed values: S(c * median) = 2^(-c^k)', () => {
    expect(weibullSurvival(5, 2.5, 2)).toBeCloseTo(2 ** -4, 12); // c = 2, k = 2 -> 1/16
    expect(weibullSurvival(1.25, 2.5, 2)).toBeCloseTo(2 ** -0.25, 12); // c = 1/2 -> 0.8408964
    expect(weibullSurvival(1.25, 2.5, 2)).toBeCloseTo(0.8408964, 6);
    expect(weibullSurvival(3, 1, 1)).toBeCloseTo(0.125, 12); // exponential: halves every median
  });

  it('decreases monotonically towards 0', () => {
    let prev = 1;
    for (let a = 0.05; a <= 15; a += 0.05) {
      const s = weibullSurvival(a, 2.5, 2.2);
      expect(s).toBeLessThan(prev);
      expect(s).toBeGreaterThanOrEqual(0);
      prev = s;
    }
    expect(weibullSurvival(20, 2.5, 2.2)).toBeLessThan(1e-10);
  });

  it.each([[0, 2], [-1, 2], [2.5, 0], [2.5, -1], [Number.NaN, 2], [2.5, Number.NaN]])('throws a RangeError for median %s, shape %s', (median, shape) => {
    expect(() => weibullSurvival(1, median, shape)).toThrow(RangeError);
    expect(() => weibullSurvival(1, median, shape)).toThrow(/weibullSurvival/);
  });
});

describe('survivalByLag', () => {
  it('evaluates survival at the sale quarter midpoint to the end of quarter j + L: age L/4 + 1/8', () => {
    const s = survivalByLag(12, 2.5, 2.2);
    expect(s.length).toBe(12);
    for (let lag = 0; lag < 12; lag++) expect(s[lag]).toBeCloseTo(weibullSurvival(lag * 0.25 + 0.125, 2.5, 2.2), 14);
    // median 2.5 years = 10 quarters: lag 9 is age 2.375 (> 1/2), lag 10 is age 2.625 (< 1/2)
    expect(s[9]).toBeGreaterThan(0.5);
    expect(s[10]).toBeLessThan(0.5);
  });
});

describe('activeDevices', () => {
  it('convolves sales with survival: a tiny case by hand', () => {
    // out[i] = sum_{j <= i} sales[j] * S[i - j]
    // out[0] = 10*1 = 10; out[1] = 10*0.5 + 20*1 = 25; out[2] = 10*0.25 + 20*0.5 + 30*1 = 42.5
    expect(Array.from(activeDevices([10, 20, 30], [1, 0.5, 0.25]))).toEqual([10, 25, 42.5]);
  });

  it('with full survival is the cumulative sum, and never exceeds it', () => {
    const sales = [3, 1, 4, 1, 5, 9, 2, 6];
    expect(Array.from(activeDevices(sales, new Array(8).fill(1)))).toEqual([3, 4, 8, 9, 14, 23, 25, 31]);
    const act = activeDevices(sales, survivalByLag(8, 1, 2));
    let cum = 0;
    sales.forEach((s, i) => {
      cum += s;
      expect(act[i]).toBeLessThanOrEqual(cum);
    });
  });

  it('lets a single cohort decay along the survival curve', () => {
    const surv = survivalByLag(20, 2.5, 2.2);
    const act = activeDevices([1000, ...new Array(19).fill(0)], surv);
    for (let i = 0; i < 20; i++) expect(act[i]).toBeCloseTo(1000 * surv[i]!, 9);
  });
});
