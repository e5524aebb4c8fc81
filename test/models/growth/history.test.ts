import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ValidationError, type Problem } from '../../../models/errors.ts';
import { parseHistoryCsv, parseHistoryJson } from '../../../models/growth/history.ts';

/** Runs a parser that must fail and returns the problems of its ValidationError. */
function problemsOf(parse: () => unknown): Problem[] {
  try {
    parse();
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    const v = err as ValidationError;
    expect(v.message).toMatch(new RegExp(`${v.problems.length} problems?$`));
    return v.problems;
  }
  throw new Error('expected a ValidationError, but the history was accepted');
}

const csv = (lines: string[]): string => `${lines.join('\n')}\n`;

describe('parseHistoryCsv: valid files', () => {
  it('reads years, halves and quarters with optional columns, sorted by start', () => {
    const h = parseHistoryCsv(csv(['Period,Shipments,source', '2014,61100000,"Lei Jun, open letter"', '2012,7_190_000,x', '2013H1,7030000,', '2013H2,11670000,']), 'h.csv');
    expect(h.observations.map((o) => o.period.label)).toEqual(['2012', '2013H1', '2013H2', '2014']);
    expect(h.observations.map((o) => o.shipments)).toEqual([7190000, 7030000, 11670000, 61100000]);
    expect(h.observations.map((o) => o.where)).toEqual(['h.csv:3', 'h.csv:4', 'h.csv:5', 'h.csv:2']);
    expect(h.launch).toBe(2012);
    expect(h.source).toBe('h.csv');
  });

  it('accepts CRLF line endings', () => {
    const h = parseHistoryCsv('period,shipments\r\n2012,7\r\n2013,8\r\n2014,9\r\n', 'h.csv');
    expect(h.observations.length).toBe(3);
    expect(h.observations[2]!.where).toBe('h.csv:4');
  });

  // Excel's "CSV UTF-8" starts with a byte-order mark; it must not become part of the first column name.
  it('accepts a UTF-8 byte order mark before the header', () => {
    const h = parseHistoryCsv('\ufeffperiod,shipments\n2012,7\n2013,8\n2014,9\n', 'h.csv');
    expect(h.observations.length).toBe(3);
  });
});

describe('parseHistoryCsv: every problem, with file:line', () => {
  it('empty file', () => {
    const p = problemsOf(() => parseHistoryCsv('', 'empty.csv'));
    expect(p).toHaveLength(1);
    expect(p[0]!.where).toBe('empty.csv');
    expect(p[0]!.message).toMatch(/empty/);
  });

  it('header only', () => {
    const p = problemsOf(() => parseHistoryCsv('period,shipments\n', 'h.csv'));
    expect(p).toEqual([{ where: 'h.csv', message: expect.stringMatching(/no periods/) }]);
  });

  it('wrong columns: each missing and each unknown column is listed', () => {
    const p = problemsOf(() => parseHistoryCsv(csv(['year,units', '2012,7', '2013,8', '2014,9']), 'cols.csv'));
    expect(p.map((x) => x.where)).toEqual(['cols.csv:1', 'cols.csv:1', 'cols.csv:1', 'cols.csv:1']);
    expect(p.map((x) => x.message)).toEqual([
      expect.stringMatching(/missing column "period"/),
      expect.stringMatching(/missing column "shipments"/),
      expect.stringMatching(/unknown column "year"/),
      expect.stringMatching(/unknown column "units"/),
    ]);
  });

  it('negative shipments, a duplicated period, an overlap and a non-number in one file: all listed', () => {
    const text = csv(['period,shipments', '2012,7190000', '2013,18700000', '2014,-5', '2013,18700000', '2015H1,abc', '2013H2,1000']);
    const p = problemsOf(() => parseHistoryCsv(text, 'bad.csv'));
    expect(p).toEqual([
      { where: 'bad.csv:4', message: 'shipments -5 is negative' },
      { where: 'bad.csv:5', message: 'period 2013 duplicates bad.csv:3' },
      { where: 'bad.csv:6', message: expect.stringMatching(/shipments "abc" is not a number/) },
      // 2013H2 overlaps 2013, named at its first row (the second is already reported as its duplicate)
      { where: 'bad.csv:7', message: 'period 2013H2 overlaps 2013 at bad.csv:3' },
    ]);
  });

  it('three different problems give exactly three entries, with the right line numbers despite blank lines', () => {
    const text = 'period,shipments\n2012,7190000,extra\n\n2013Q5,1\n2014,0\n2015,9\n';
    const p = problemsOf(() => parseHistoryCsv(text, 'three.csv'));
    expect(p).toHaveLength(3);
    expect(p.map((x) => x.where)).toEqual(['three.csv:2', 'three.csv:4', 'three.csv:5']);
    expect(p[0]!.message).toMatch(/expected 2 fields/);
    expect(p[1]!.message).toMatch(/period "2013Q5" is not a year/);
    expect(p[2]!.message).toMatch(/shipments is 0/);
  });

  it('overlapping year and half (2013 and 2013H1)', () => {
    const p = problemsOf(() => parseHistoryCsv(csv(['period,shipments', '2012,7', '2013,18', '2013H1,7', '2014,61']), 'o.csv'));
    expect(p).toEqual([{ where: 'o.csv:4', message: 'period 2013H1 overlaps 2013 at o.csv:3' }]);
  });

  it('fewer than 3 usable periods', () => {
    const p = problemsOf(() => parseHistoryCsv(csv(['period,shipments', '2012,7', '2013,8']), 'two.csv'));
    expect(p).toEqual([{ where: 'two.csv', message: expect.stringMatching(/only 2 period/) }]);
  });

  it('malformed CSV (unclosed quote) is a ValidationError naming the file', () => {
    const p = problemsOf(() => parseHistoryCsv('period,shipments\n"2012,7\n', 'q.csv'));
    expect(p[0]!.where).toBe('q.csv');
  });

  // Round 2 item 4: 1,000 repeated rows gave 499,500 problems (every row against every earlier one); now each
  // repeat is one problem naming the first row, and the check is linear (40,000 rows finish at once).
  it('repeated rows: one duplicate problem per repeat, naming the first row, linear in the rows', () => {
    const p = problemsOf(() => parseHistoryCsv(csv(['period,shipments', ...Array.from({ length: 1000 }, () => '2013,5')]), 'rep.csv'));
    expect(p).toHaveLength(999);
    expect(new Set(p.map((x) => x.message))).toEqual(new Set(['period 2013 duplicates rep.csv:2']));
    const big = (() => { try { parseHistoryCsv(csv(['period,shipments', ...Array.from({ length: 40_000 }, () => '2013,5')]), 'big.csv'); } catch (err) { return err; } })();
    expect(big).toBeInstanceOf(ValidationError);
    expect((big as ValidationError).message).toBe('big.csv is invalid: 39,999 problems');
  });

  it('every overlap of year, halves and quarters is found, each named once', () => {
    const p = problemsOf(() => parseHistoryCsv(csv(['period,shipments', '2013Q2,1', '2013H1,1', '2013,1', '2013Q3,1']), 'ov.csv'));
    expect(p).toEqual([
      { where: 'ov.csv:3', message: 'period 2013H1 overlaps 2013Q2 at ov.csv:2' },
      { where: 'ov.csv:4', message: 'period 2013 overlaps 2013H1 at ov.csv:3' },
      { where: 'ov.csv:4', message: 'period 2013 overlaps 2013Q2 at ov.csv:2' },
      { where: 'ov.csv:5', message: 'period 2013Q3 overlaps 2013 at ov.csv:4' },
    ]);
  });

  // Round 2 item 8: shipments of 1e308 or 1e-300 passed and the forecast came out full of null.
  it('refuses shipments that overflow the models or are a fraction of a phone', () => {
    const p = problemsOf(() => parseHistoryCsv(csv(['period,shipments', '2012,1e308', '2013,1e-300', '2014,5']), 'x.csv'));
    expect(p).toEqual([
      { where: 'x.csv:2', message: expect.stringMatching(/^shipments 1e\+308 is more than 1e\+11 phones in one period/) },
      { where: 'x.csv:3', message: expect.stringMatching(/^shipments 1e-300 is less than 1 phone/) },
    ]);
    const j = problemsOf(() => parseHistoryJson([{ period: 2012, shipments: 1e308 }, { period: 2013, shipments: 5 }, { period: 2014, shipments: 6 }], 'x.json'));
    expect(j).toEqual([{ where: 'x.json: [0]', message: expect.stringMatching(/more than 1e\+11 phones/) }]);
  });

  // A file is fixed in one pass: a row with bad shipments still takes part in the duplicate and overlap checks.
  it('reports a duplicated period even when one of the duplicates also has bad shipments', () => {
    const p = problemsOf(() => parseHistoryCsv(csv(['period,shipments', '2012,7', '2013,-5', '2013,8', '2014,9']), 'd.csv'));
    expect(p.map((x) => x.where)).toEqual(['d.csv:3', 'd.csv:4']);
    expect(p[1]!.message).toMatch(/duplicates d\.csv:3/);
  });
});

describe('parseHistoryJson', () => {
  it('reads data/history.json: 7 disjoint periods and the launch', () => {
    const h = parseHistoryJson(JSON.parse(readFileSync(new URL('../../../data/history.json', import.meta.url), 'utf8')), 'data/history.json');
    expect(h.observations.map((o) => o.period.label)).toEqual(['2011', '2012', '2013H1', '2013H2', '2014Q1', '2014Q2', '2014H2']);
    expect(h.launch).toBe(2011.75);
    expect(h.observations.reduce((s, o) => s + o.shipments, 0)).toBe(87290000);
    for (let i = 1; i < h.observations.length; i++) expect(h.observations[i]!.period.start).toBeGreaterThanOrEqual(h.observations[i - 1]!.period.end);
  });

  it('reads a plain array of rows, numeric periods and numeric strings', () => {
    const h = parseHistoryJson([{ period: 2012, shipments: 7 }, { period: '2013', shipments: '8' }, { period: '2014', shipments: 9, note: 'x' }], 'a.json');
    expect(h.observations.map((o) => [o.period.label, o.shipments, o.where])).toEqual([['2012', 7, 'a.json: [0]'], ['2013', 8, 'a.json: [1]'], ['2014', 9, 'a.json: [2]']]);
  });

  it('empty array and missing periods', () => {
    expect(problemsOf(() => parseHistoryJson([], 'e.json'))).toEqual([{ where: 'e.json', message: expect.stringMatching(/no periods/) }]);
    expect(problemsOf(() => parseHistoryJson({}, 'e.json'))).toEqual([{ where: 'e.json: periods', message: expect.any(String) }]);
    expect(problemsOf(() => parseHistoryJson(42, 'e.json'))[0]!.where).toBe('e.json: (root)');
  });

  it('lists negative, non-number, duplicated and overlapping rows by JSON path', () => {
    const value = { periods: [
      { period: '2012', shipments: 7e6 },
      { period: '2013', shipments: -1 },
      { period: '2014', shipments: 'lots' },
      { period: '2012', shipments: 7e6 },
      { period: '2012H2', shipments: 3e6 },
      { period: '2015', shipments: 5e7 },
    ] };
    const p = problemsOf(() => parseHistoryJson(value, 'h.json'));
    expect(p).toEqual([
      { where: 'h.json: periods[1]', message: 'shipments -1 is negative' },
      { where: 'h.json: periods[2]', message: expect.stringMatching(/shipments "lots" is not a number/) },
      { where: 'h.json: periods[3]', message: 'period 2012 duplicates h.json: periods[0]' },
      { where: 'h.json: periods[4]', message: 'period 2012H2 overlaps 2012 at h.json: periods[0]' },
    ]);
  });

  it('lists structural problems with their paths (bad launch and bad periods together)', () => {
    const p = problemsOf(() => parseHistoryJson({ launch: { year: 'soon' }, periods: [{ shipments: 5 }, { period: true, shipments: 1 }] }, 'h.json'));
    expect(p.map((x) => x.where)).toEqual(['h.json: launch.year', 'h.json: periods[0].period', 'h.json: periods[1].period']);
  });

  it('rejects a launch after the first period ends', () => {
    const p = problemsOf(() => parseHistoryJson({ launch: { year: 2013 }, periods: [{ period: '2012', shipments: 5 }, { period: '2013', shipments: 6 }, { period: '2014', shipments: 7 }] }, 'h.json'));
    expect(p).toEqual([{ where: 'h.json: launch.year', message: expect.stringMatching(/launch 2013 is after the first period 2012/) }]);
  });

  // One malformed row must not hide the problems of the other rows.
  it('lists shape problems and row problems together (3 problems -> 3 entries)', () => {
    const p = problemsOf(() => parseHistoryJson([{ shipments: 5 }, { period: '2013', shipments: -1 }, { period: '2014', shipments: 'abc' }], 'h.json'));
    expect(p.map((x) => x.where)).toEqual(['h.json: [0].period', 'h.json: [1]', 'h.json: [2]']);
  });
});
