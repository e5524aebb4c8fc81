/**
 * A world's `series` driver file: one row per quarter with the active users or devices, either one `value` or a
 * `p10,p50,p90` band. Every problem is listed at once with its line.
 */
import { csvRecords } from '../csv-records.ts';
import { type Problem, ValidationError } from '../errors.ts';
import { quarterIndex } from '../quarter.ts';
import type { SeriesRow } from './demand-base.ts';

const QUARTER = /^\d{4}Q[1-4]$/;

/**
 * Parses a series CSV and checks it covers the periods the plan needs.
 * @param text the file's text
 * @param file the file as messages name it
 * @param periods periods that must each have a row (the horizon, and the fleet's as-of period)
 * @returns the rows, in file order
 * @throws {ValidationError} listing every problem (header, a bad number or period, a band out of order, a period
 *   listed twice or missing) with its line
 * @example parseSeriesCsv('period,value\n2027Q1,1000\n', 's.csv', ['2027Q1'])
 */
export function parseSeriesCsv(text: string, file: string, periods: readonly string[]): SeriesRow[] {
  const records = csvRecords(text, file);
  if (records.length === 0) throw new ValidationError(`${file} is invalid`, [{ where: file, message: 'file is empty: expected a header `period,value` (or `period,p10,p50,p90`) and a row per period' }]);
  const header = records[0]!.record.map((h) => h.toLowerCase());
  const at = `${file}:${records[0]!.info.lines}`;
  const banded = ['p10', 'p50', 'p90'].every((c) => header.includes(c));
  const columns = banded ? ['p10', 'p50', 'p90'] : ['value'];
  const problems: Problem[] = [];
  for (const c of ['period', ...columns]) if (!header.includes(c)) problems.push({ where: at, message: `missing column "${c}" (header must be period,value or period,p10,p50,p90; got ${header.join(',') || 'nothing'})` });
  if (problems.length > 0) throw new ValidationError(`${file} is invalid`, problems);
  const rows: SeriesRow[] = [];
  const seen = new Map<string, number>();
  for (const { record, info } of records.slice(1)) {
    const where = `${file}:${info.lines}`;
    const period = record[header.indexOf('period')] ?? '';
    if (!QUARTER.test(period)) { problems.push({ where, message: `period "${period}" must be a quarter like 2027Q1` }); continue; }
    if (seen.has(period)) { problems.push({ where, message: `${period} is listed twice (first on line ${seen.get(period)})` }); continue; }
    seen.set(period, info.lines);
    const nums = columns.map((c) => {
      const raw = record[header.indexOf(c)] ?? '';
      const v = raw === '' ? NaN : Number(raw);
      if (!Number.isFinite(v) || v < 0) problems.push({ where, message: `${c} "${raw}" must be a number, at least 0` });
      return v;
    });
    if (nums.some((v) => !Number.isFinite(v) || v < 0)) continue;
    const [p10, p50, p90] = banded ? nums as [number, number, number] : [nums[0]!, nums[0]!, nums[0]!];
    if (!(p10 <= p50 && p50 <= p90)) { problems.push({ where, message: `p10 ${p10}, p50 ${p50}, p90 ${p90} must not decrease` }); continue; }
    rows.push({ period, value: { p10, p50, p90 } });
  }
  const missing = periods.filter((p) => !seen.has(p)).sort((a, b) => quarterIndex(a) - quarterIndex(b));
  if (missing.length > 0) problems.push({ where: file, message: `no row for ${missing.join(', ')} (the world's horizon and its fleet's as-of period need one each)` });
  if (problems.length > 0) throw new ValidationError(`${file} is invalid`, problems);
  return rows;
}
