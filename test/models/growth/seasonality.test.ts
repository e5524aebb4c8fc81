import { describe, expect, it } from 'vitest';
import { logistic } from '../../../models/growth/logistic.ts';
import { quarterlyShipments } from '../../../models/growth/seasonality.ts';
import { quarterIndex } from '../../../models/quarter.ts';

const W: [number, number, number, number] = [0.92, 1.0, 1.0, 1.08];

describe('quarterlyShipments', () => {
  it('splits a linear trend by the weights: quarter = yearly total * w / sum(w)', () => {
    // N(t) = 100 t: each quarter's trend increase is 25, yearly total 100, sum of weights 4.
    const q = quarterlyShipments((t) => 100 * t, quarterIndex('2014Q1'), 8, W);
    const expected = [23, 25, 25, 27, 23, 25, 25, 27];
    expected.forEach((e, i) => expect(q[i]).toBeCloseTo(e, 9));
  });

  it('keeps every whole calendar year at N(year end) - N(year start)', () => {
    const p = { m: 5e8, r: 0.9, t0: 2015.5 };
    const cum = (t: number): number => logistic.cumulative(p, t);
    const q = quarterlyShipments(cum, quarterIndex('2011Q1'), 28, W);
    for (let y = 0; y < 7; y++) {
      const year = 2011 + y;
      const sum = q[4 * y]! + q[4 * y + 1]! + q[4 * y + 2]! + q[4 * y + 3]!;
      expect(sum / (cum(year + 1) - cum(year))).toBeCloseTo(1, 12);
    }
    // Seasonality actually moves sales: Q4 gets more than its trend share, Q1 less, relative to the trend.
    const trend = (i: number): number => cum((quarterIndex('2011Q1') + i + 1) / 4) - cum((quarterIndex('2011Q1') + i) / 4);
    expect(q[4 * 6 + 3]! / trend(4 * 6 + 3)).toBeGreaterThan(q[4 * 6]! / trend(4 * 6));
  });

  it('keeps the trend total of partial years at both ends', () => {
    const cum = (t: number): number => 1000 * (t - 2000) ** 2;
    const first = quarterIndex('2014Q3');
    const q = quarterlyShipments(cum, first, 8, W); // 2014Q3..2016Q2
    expect(q[0]! + q[1]!).toBeCloseTo(cum(2015) - cum(2014.5), 6);
    expect(q[2]! + q[3]! + q[4]! + q[5]!).toBeCloseTo(cum(2016) - cum(2015), 6);
    expect(q[6]! + q[7]!).toBeCloseTo(cum(2016.5) - cum(2016), 6);
  });

  it('equals the raw quarterly increases when all weights are equal', () => {
    const cum = (t: number): number => Math.exp(t - 2010);
    const first = quarterIndex('2012Q2');
    const q = quarterlyShipments(cum, first, 10, [1, 1, 1, 1]);
    for (let i = 0; i < 10; i++) expect(q[i]).toBeCloseTo(cum((first + i + 1) / 4) - cum((first + i) / 4), 9);
  });

  it('gives zeros, not NaN, where the curve does not grow', () => {
    const q = quarterlyShipments(() => 5, quarterIndex('2014Q1'), 4, W);
    expect(Array.from(q)).toEqual([0, 0, 0, 0]);
  });
});
