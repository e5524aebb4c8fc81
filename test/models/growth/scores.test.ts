/**
 * Forecast scores against hand-computed values (the definitions as in Gneiting & Raftery 2007, "Strictly proper
 * scoring rules, prediction, and estimation", JASA: the pinball loss of a quantile, the CRPS in its energy form
 * E|X - y| - E|X - X'| / 2), and the type-7 sample quantile (Hyndman & Fan 1996).
 */
import { describe, expect, it } from 'vitest';
import { crpsSamples, pinballLoss, sampleQuantile } from '../../../models/growth/scores.ts';

describe('pinballLoss', () => {
  it('weighs an outcome above the quantile by q and below it by 1 - q', () => {
    // q = 0.1, forecast 10, outcome 12: 0.1 x 2 = 0.2. q = 0.9, forecast 10, outcome 8: 0.1 x 2 = 0.2.
    expect(pinballLoss(0.1, 10, 12)).toBeCloseTo(0.2, 12);
    expect(pinballLoss(0.9, 10, 8)).toBeCloseTo(0.2, 12);
    // q = 0.9 under-forecast by 2: 0.9 x 2 = 1.8; the median loses half the absolute error.
    expect(pinballLoss(0.9, 10, 12)).toBeCloseTo(1.8, 12);
    expect(pinballLoss(0.5, 10, 13)).toBeCloseTo(1.5, 12);
    expect(pinballLoss(0.3, 7, 7)).toBe(0);
  });
});

describe('crpsSamples', () => {
  it('matches the energy form computed by hand', () => {
    // {1, 2, 3}, y = 2: E|X - y| = (1 + 0 + 1)/3 = 2/3; E|X - X'| over the 9 ordered pairs = 8/9; CRPS = 2/3 - 4/9 = 2/9.
    expect(crpsSamples([3, 1, 2], 2)).toBeCloseTo(2 / 9, 12);
    // {0, 2}, y = 0: E|X - y| = 1; E|X - X'| = (0 + 2 + 2 + 0)/4 = 1; CRPS = 1 - 1/2 = 1/2.
    expect(crpsSamples([0, 2], 0)).toBeCloseTo(0.5, 12);
  });

  it('is the absolute error for a point forecast, and rejects no samples', () => {
    expect(crpsSamples([5, 5, 5, 5], 8)).toBeCloseTo(3, 12);
    expect(() => crpsSamples([], 1)).toThrow(RangeError);
  });
});

describe('sampleQuantile', () => {
  it('interpolates between order statistics (type 7)', () => {
    // [1, 2, 3, 4]: h = 3 q; q = 0.1 -> 1.3, q = 0.5 -> 2.5, q = 0.9 -> 3.7.
    expect(sampleQuantile([1, 2, 3, 4], 0.1)).toBeCloseTo(1.3, 12);
    expect(sampleQuantile([1, 2, 3, 4], 0.5)).toBeCloseTo(2.5, 12);
    expect(sampleQuantile([1, 2, 3, 4], 0.9)).toBeCloseTo(3.7, 12);
  });
});
