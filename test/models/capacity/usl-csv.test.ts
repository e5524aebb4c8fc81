import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../models/errors.ts';
import { parseUslCsv } from '../../../models/capacity/usl-csv.ts';

/** The problems a parse throws, as `where: message` lines. */
function problems(text: string): string[] {
  try {
    parseUslCsv(text, 'd.csv');
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return (err as ValidationError).problems.map((p) => `${p.where}: ${p.message}`);
  }
  throw new Error('expected a ValidationError');
}

describe('parseUslCsv', () => {
  it('reads the two columns in any order and case, ignores other columns, and records file:line', () => {
    const text = '\ufeffp95,Throughput,CONCURRENCY\n12,10.5,1\n\n14,19,2\n30,35.25,4\n';
    expect(parseUslCsv(text, 'd.csv')).toEqual([
      { concurrency: 1, throughput: 10.5, where: 'd.csv:2' },
      { concurrency: 2, throughput: 19, where: 'd.csv:4' },
      { concurrency: 4, throughput: 35.25, where: 'd.csv:5' },
    ]);
  });

  it('lists every bad row, and the level count, at once', () => {
    expect(problems('concurrency,throughput\n1,abc\n-2,5\n3\n0,0\n4,1e3\n')).toEqual([
      'd.csv:2: throughput "abc" is not a number',
      'd.csv:3: concurrency "-2" must be positive',
      'd.csv:4: expected 2 fields (concurrency,throughput), got 1',
      'd.csv:5: concurrency "0" must be positive',
      'd.csv:5: throughput "0" must be positive',
      'd.csv: 1 distinct valid concurrency level (4): the USL needs at least 3 to fit σ, κ and λ',
    ]);
  });

  it('names missing header columns, and empty files', () => {
    expect(problems('users,rps\n1,2\n')).toEqual([
      'd.csv:1: missing column "concurrency" (the header must name concurrency and throughput; got users,rps)',
      'd.csv:1: missing column "throughput" (the header must name concurrency and throughput; got users,rps)',
    ]);
    expect(problems('')).toEqual(['d.csv: file is empty: expected a header `concurrency,throughput` and at least 3 rows']);
    expect(problems('concurrency,throughput\n')[0]).toBe('d.csv: no data rows after the header');
  });

  it('reports malformed CSV (unclosed quote) as one problem', () => {
    expect(problems('concurrency,throughput\n1,"2\n')).toHaveLength(1);
  });
});
