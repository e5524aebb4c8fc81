/**
 * Reads USL measurements from CSV text: a required header with columns `concurrency` and `throughput` (any order,
 * any case; other columns such as `p95` or `note` are ignored), one measurement per row. Pure: the CLI reads the
 * file and passes the text.
 */
import { csvRecords } from '../csv-records.ts';
import { LIMITS } from '../limits.ts';
import { type Problem, ValidationError } from '../errors.ts';
import { type UslPoint, validateUslPoints } from './usl.ts';

const REQUIRED = ['concurrency', 'throughput'] as const;
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;

/**
 * Parses and validates USL measurements, listing every problem at once.
 * @param text CSV text (a leading byte-order mark is ignored)
 * @param file file name, used as the prefix of each problem (`data.csv:4`)
 * @returns the measurements in file order, each with `where` = `file:line`
 * @throws {ValidationError} listing every problem: bad CSV, missing columns, rows with the wrong number of fields,
 *   cells that are not positive finite numbers, fewer than 3 distinct concurrency levels
 * @example parseUslCsv('concurrency,throughput\n1,10\n2,19\n4,35\n', 'd.csv').length // 3
 */
export function parseUslCsv(text: string, file: string): UslPoint[] {
  const records = csvRecords(text, file);
  if (records.length === 0) {
    throw new ValidationError(`${file} is invalid`, [{ where: file, message: 'file is empty: expected a header `concurrency,throughput` and at least 3 rows' }]);
  }
  const header = records[0]!.record.map((h) => h.toLowerCase());
  const headerWhere = `${file}:${records[0]!.info.lines}`;
  const problems: Problem[] = [];
  for (const col of REQUIRED) {
    if (!header.includes(col)) {
      problems.push({ where: headerWhere, message: `missing column "${col}" (the header must name concurrency and throughput; got ${header.join(',') || 'nothing'})` });
    }
  }
  // Without both columns no row can be read: report the header alone rather than one problem per row.
  if (problems.length > 0) throw new ValidationError(`${file} is invalid`, problems);
  const ci = header.indexOf('concurrency');
  const ti = header.indexOf('throughput');
  const points: UslPoint[] = [];
  for (const { record, info } of records.slice(1)) {
    const where = `${file}:${info.lines}`;
    if (record.length !== header.length) {
      problems.push({ where, message: `expected ${header.length} fields (${header.join(',')}), got ${record.length}` });
      continue;
    }
    const concurrency = cell(record[ci]!, 'concurrency', where, problems);
    const throughput = cell(record[ti]!, 'throughput', where, problems);
    if (concurrency !== undefined && throughput !== undefined) points.push({ concurrency, throughput, where });
  }
  if (records.length === 1) problems.push({ where: file, message: 'no data rows after the header' });
  problems.push(...validateUslPoints(points, file));
  if (problems.length > 0) throw new ValidationError(`${file} is invalid`, problems);
  return points;
}

/** One numeric cell, or undefined after recording why it is unusable. */
function cell(raw: string, column: string, where: string, problems: Problem[]): number | undefined {
  const v = Number(raw);
  if (!NUMBER.test(raw) || !Number.isFinite(v)) {
    problems.push({ where, message: `${column} "${raw}" is not a number` });
    return undefined;
  }
  if (v <= 0) {
    problems.push({ where, message: `${column} "${raw}" must be positive` });
    return undefined;
  }
  // The fit squares and multiplies these: past the bounds it overflows to Infinity or loses them to 0.
  const { min, max } = LIMITS.modelNumber;
  if (v < min || v > max) {
    problems.push({ where, message: `${column} "${raw}" is outside ${min}..${max}, where the USL fit overflows or underflows (data/limits.json modelNumber)` });
    return undefined;
  }
  return v;
}
