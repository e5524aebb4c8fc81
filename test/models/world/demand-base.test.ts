/**
 * Demand bases of a world's driver: a series split over countries by share, and today's peak grown per period, each
 * checked against values worked out by hand.
 */
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../models/errors.ts';
import type { Regions } from '../../../models/growth/settings.ts';
import { demandBase, grownRows } from '../../../models/world/demand-base.ts';
import { parseSeriesCsv } from '../../../models/world/series-csv.ts';

const regions: Regions = {
  schema: 'caplab.regions/v1', baseYear: 2027, regions: { wa: 'West Africa', pt: 'Portugal' },
  countries: [
    { code: 'NG', name: 'Nigeria', region: 'wa', timeZone: 'Africa/Lagos', locale: 'en', callingCode: '234', share: 3, trend: 0, launch: 0 },
    { code: 'PT', name: 'Portugal', region: 'pt', timeZone: 'Europe/Lisbon', locale: 'pt_PT', callingCode: '351', share: 1, trend: 0, launch: 0 },
  ],
};

describe('grownRows', () => {
  it('compounds low, mid and high growth as the p10, p50 and p90 paths from the stated period', () => {
    // By hand: 100 units at 2026Q4; two quarters later 100 x 1.02^2 = 104.04, 100 x 1.05^2 = 110.25, 100 x 1.1^2 = 121.
    const rows = grownRows(100, '2026Q4', { low: 0.02, mid: 0.05, high: 0.1 }, '2026Q4', '2027Q2');
    expect(rows.map((r) => r.period)).toEqual(['2026Q4', '2027Q1', '2027Q2']);
    expect(rows[0]!.value).toEqual({ p10: 100, p50: 100, p90: 100 });
    expect(rows[2]!.value.p10).toBeCloseTo(104.04, 10);
    expect(rows[2]!.value.p50).toBeCloseTo(110.25, 10);
    expect(rows[2]!.value.p90).toBeCloseTo(121, 10);
  });

  it('runs the paths backwards before the stated period (the fastest growth gives the smallest past) and falls with negative growth', () => {
    const [q] = grownRows(121, '2027Q2', { low: 0, mid: 0.05, high: 0.1 }, '2026Q4', '2026Q4');
    expect(q!.value.p10).toBeCloseTo(100, 10);
    expect(q!.value.p90).toBeCloseTo(121, 10);
    const [down] = grownRows(100, '2026Q4', { low: -0.1, mid: -0.05, high: 0 }, '2027Q1', '2027Q1');
    expect(down!.value).toEqual({ p10: 90, p50: 95, p90: 100 });
  });
});

describe('demandBase', () => {
  it('splits each period\'s band over the countries by share and sums them by region', () => {
    const b = demandBase([{ period: '2027Q2', value: { p10: 40, p50: 80, p90: 120 } }, { period: '2027Q1', value: { p10: 4, p50: 8, p90: 12 } }], regions, '2027Q1',
      { kind: 'series', unit: { one: 'ledger', many: 'ledgers' }, text: 'ledgers' });
    expect(b.horizon).toEqual({ first: '2027Q1', last: '2027Q2' });
    expect(b.quarters.map((q) => q.kind)).toEqual(['history', 'forecast']);
    expect(b.quarters[1]!.byCountry).toEqual({ NG: { p10: 30, p50: 60, p90: 90 }, PT: { p10: 10, p50: 20, p90: 30 } });
    expect(b.quarters[1]!.byRegion).toEqual({ wa: { p10: 30, p50: 60, p90: 90 }, pt: { p10: 10, p50: 20, p90: 30 } });
  });
});

describe('parseSeriesCsv', () => {
  it('reads a value or a band per quarter', () => {
    expect(parseSeriesCsv('period,value\n2027Q1,10\n2027Q2,12\n', 's.csv', ['2027Q1'])).toEqual([
      { period: '2027Q1', value: { p10: 10, p50: 10, p90: 10 } }, { period: '2027Q2', value: { p10: 12, p50: 12, p90: 12 } },
    ]);
    expect(parseSeriesCsv('period,p10,p50,p90\n2027Q1,8,10,13\n', 's.csv', ['2027Q1'])).toEqual([{ period: '2027Q1', value: { p10: 8, p50: 10, p90: 13 } }]);
  });

  it('lists every bad row with its line, a repeated period and the periods the plan needs and the file lacks', () => {
    let err: unknown;
    try {
      parseSeriesCsv('period,p10,p50,p90\n2027Q1,8,10,13\n2027Q5,1,2,3\n2027Q1,1,2,3\n2027Q3,5,4,6\n2027Q4,x,1,2\n', 's.csv', ['2026Q4', '2027Q1', '2027Q2']);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).problems).toEqual([
      { where: 's.csv:3', message: 'period "2027Q5" must be a quarter like 2027Q1' },
      { where: 's.csv:4', message: '2027Q1 is listed twice (first on line 2)' },
      { where: 's.csv:5', message: 'p10 5, p50 4, p90 6 must not decrease' },
      { where: 's.csv:6', message: 'p10 "x" must be a number, at least 0' },
      { where: 's.csv', message: 'no row for 2026Q4, 2027Q2 (the world\'s horizon and its fleet\'s as-of period need one each)' },
    ]);
  });
});
