import { describe, expect, it } from 'vitest';
import { parsePeriod, quarterIndex, quarterLabel, quarterOf } from '../../models/quarter.ts';

describe('parsePeriod', () => {
  it('parses a year as [year, year + 1)', () => {
    expect(parsePeriod('2015')).toEqual({ label: '2015', start: 2015, end: 2016, kind: 'year' });
  });

  it('parses halves as half-open half years', () => {
    expect(parsePeriod('2015H1')).toEqual({ label: '2015H1', start: 2015, end: 2015.5, kind: 'half' });
    expect(parsePeriod('2015H2')).toEqual({ label: '2015H2', start: 2015.5, end: 2016, kind: 'half' });
  });

  it('parses quarters as half-open quarter years', () => {
    expect(parsePeriod('2015Q1')).toEqual({ label: '2015Q1', start: 2015, end: 2015.25, kind: 'quarter' });
    expect(parsePeriod('2015Q3')).toEqual({ label: '2015Q3', start: 2015.5, end: 2015.75, kind: 'quarter' });
    expect(parsePeriod('2015Q4')).toEqual({ label: '2015Q4', start: 2015.75, end: 2016, kind: 'quarter' });
  });

  it('normalises case and surrounding whitespace', () => {
    expect(parsePeriod(' 2015q3 ')?.label).toBe('2015Q3');
    expect(parsePeriod('2013h2')?.label).toBe('2013H2');
  });

  it.each(['', '15', '20155', '2015H0', '2015H3', '2015Q0', '2015Q5', '2015-Q3', '2015 Q3', 'Q3 2015', 'abcd', '2015.5', '2015H'])(
    'rejects %j',
    (text) => {
      expect(parsePeriod(text)).toBeUndefined();
    },
  );

  it('quarters of a year tile the year exactly', () => {
    const qs = [1, 2, 3, 4].map((q) => parsePeriod(`2014Q${q}`)!);
    expect(qs[0]!.start).toBe(2014);
    for (let i = 1; i < 4; i++) expect(qs[i]!.start).toBe(qs[i - 1]!.end);
    expect(qs[3]!.end).toBe(2015);
  });
});

describe('quarterIndex / quarterLabel / quarterOf', () => {
  it('counts quarters from year 0', () => {
    expect(quarterIndex('2013Q1')).toBe(2013 * 4);
    expect(quarterIndex('2013Q1')).toBe(8052);
    expect(quarterIndex('2015Q3')).toBe(2015 * 4 + 2);
    expect(quarterIndex('2016Q1') - quarterIndex('2015Q4')).toBe(1);
  });

  it.each(['2015', '2015H1', '2015Q5', 'nonsense', ''])('throws a RangeError naming the label for %j', (label) => {
    expect(() => quarterIndex(label)).toThrow(RangeError);
    expect(() => quarterIndex(label)).toThrow(`"${label}"`);
  });

  it('quarterLabel inverts quarterIndex', () => {
    for (let i = 2000 * 4; i < 2030 * 4; i++) expect(quarterIndex(quarterLabel(i))).toBe(i);
    expect(quarterLabel(8063)).toBe('2015Q4');
  });

  it('quarterOf finds the quarter containing an instant', () => {
    expect(quarterLabel(quarterOf(2015))).toBe('2015Q1');
    expect(quarterLabel(quarterOf(2015.2))).toBe('2015Q1');
    expect(quarterLabel(quarterOf(2015.25))).toBe('2015Q2');
    expect(quarterLabel(quarterOf(2015.5))).toBe('2015Q3');
    expect(quarterLabel(quarterOf(2015.99))).toBe('2015Q4');
    // Decimal-year period boundaries land on their own quarter despite floating point.
    for (let q = 1; q <= 4; q++) expect(quarterLabel(quarterOf(parsePeriod(`2013Q${q}`)!.start))).toBe(`2013Q${q}`);
  });
});
