/**
 * Shipment history: parsing (CSV or JSON) and validation into disjoint periods. Every problem is reported at once,
 * with the file and the CSV line or JSON path, so a user fixes a file in one pass.
 */
import { csvRecords } from '../csv-records.ts';
import { z } from 'zod';
import { type Problem, ValidationError } from '../errors.ts';
import { LIMITS } from '../limits.ts';
import { type Period, parsePeriod } from '../quarter.ts';
import { formatPath } from '../validation.ts';

/** One observed period of shipments. */
export interface Observation {
  /** The period (half-open interval of decimal years). */
  period: Period;
  /** Phones shipped in the period (> 0). */
  shipments: number;
  /** Where it was read, for messages (`file:line` or `file: periods[2]`). */
  where: string;
}

/** A validated history: disjoint periods in time order, and the launch instant. */
export interface History {
  /** Where the history came from (file name or `data/history.json`). */
  source: string;
  /** Observed periods, sorted by start, pairwise disjoint. */
  observations: Observation[];
  /** Launch instant (decimal year): given by the file, else the start of the first period. */
  launch: number;
}

/** A row before validation: raw cells and where they came from. */
interface RawRow {
  period: unknown;
  shipments: unknown;
  where: string;
}

const PeriodRowSchema = z.object({
  period: z.union([z.string(), z.number()]),
  shipments: z.number(),
}).loose();

/** Schema of data/history.json (and of JSON history files in that shape). */
export const HistoryFileSchema = z.object({
  schema: z.literal('caplab.history/v1').optional(),
  company: z.string().optional(),
  launch: z.object({ year: z.number(), reasoning: z.string().optional() }).optional(),
  periods: z.array(PeriodRowSchema),
}).loose();

/** The target stated in data/history.json. */
export const HistoryTargetSchema = z.object({ year: z.number().int(), shipments: z.number().positive(), source: z.string() });

const REQUIRED_COLUMNS = ['period', 'shipments'] as const;
const OPTIONAL_COLUMNS = ['source', 'derivation', 'note'] as const;

/**
 * Parses a CSV history: a header with `period,shipments` (optionally `source`, `derivation`, `note`), one row per
 * period (`2013`, `2013H1` or `2013Q2`), shipments in phones.
 * @param text CSV text
 * @param file file name for messages
 * @returns the validated history
 * @throws {ValidationError} listing every problem with `file:line`
 */
export function parseHistoryCsv(text: string, file: string): History {
  const problems: Problem[] = [];
  const records = csvRecords(text, file);
  if (records.length === 0) throw new ValidationError(`${file} is invalid`, [{ where: file, message: 'file is empty: expected a header `period,shipments` and at least 3 rows' }]);
  const header = records[0]!.record.map((h) => h.toLowerCase());
  const headerLine = records[0]!.info.lines;
  for (const col of REQUIRED_COLUMNS) {
    if (!header.includes(col)) problems.push({ where: `${file}:${headerLine}`, message: `missing column "${col}" (header must have period,shipments; got ${header.join(',') || 'nothing'})` });
  }
  header.forEach((h) => {
    if (!(REQUIRED_COLUMNS as readonly string[]).includes(h) && !(OPTIONAL_COLUMNS as readonly string[]).includes(h)) {
      problems.push({ where: `${file}:${headerLine}`, message: `unknown column "${h}" (allowed: ${[...REQUIRED_COLUMNS, ...OPTIONAL_COLUMNS].join(', ')})` });
    }
  });
  if (problems.length > 0) throw new ValidationError(`${file} is invalid`, problems);
  const rows: RawRow[] = [];
  for (const { record, info } of records.slice(1)) {
    const where = `${file}:${info.lines}`;
    if (record.length !== header.length) {
      problems.push({ where, message: `expected ${header.length} fields (${header.join(',')}), got ${record.length}` });
      continue;
    }
    rows.push({ period: record[header.indexOf('period')], shipments: record[header.indexOf('shipments')], where });
  }
  return validateRows(rows, file, undefined, problems);
}

/**
 * Parses a JSON history: an array of `{period, shipments}` rows, or an object with `periods` (data/history.json's
 * shape, which may also give `launch.year`).
 * @param value parsed JSON
 * @param file file name for messages
 * @returns the validated history
 * @throws {ValidationError} listing every problem with its JSON path
 */
export function parseHistoryJson(value: unknown, file: string): History {
  let list: unknown[];
  let prefix = '';
  let launch: number | undefined;
  const problems: Problem[] = [];
  if (Array.isArray(value)) {
    list = value;
  } else {
    // Rows are checked one by one below, so the file-level schema only sees `periods` as an array of anything:
    // one malformed row must not hide the problems of the others.
    const top = HistoryFileSchema.extend({ periods: z.array(z.unknown()) }).safeParse(value);
    if (top.success) {
      list = top.data.periods;
      launch = top.data.launch?.year;
    } else {
      for (const i of top.error.issues) {
        problems.push({
          where: `${file}: ${formatPath(i.path)}`,
          message: i.path.length === 0 ? 'expected an array of {period, shipments} or an object with "periods"' : i.message,
        });
      }
      const periods = (value as { periods?: unknown } | null)?.periods;
      list = Array.isArray(periods) ? periods : [];
      if (!Array.isArray(periods)) throw new ValidationError(`${file} is invalid`, problems);
    }
    prefix = 'periods';
  }
  const rows: RawRow[] = [];
  list.forEach((r, i) => {
    const where = `${file}: ${prefix}[${i}]`;
    if (r === null || typeof r !== 'object' || Array.isArray(r)) {
      problems.push({ where, message: 'expected an object {period, shipments}' });
      return;
    }
    const row = r as Record<string, unknown>;
    let ok = true;
    if (!('period' in row)) {
      problems.push({ where: `${where}.period`, message: 'missing (a year 2013, half 2013H1 or quarter 2013Q2)' });
      ok = false;
    } else if (typeof row.period !== 'string' && typeof row.period !== 'number') {
      problems.push({ where: `${where}.period`, message: `expected a string like "2013H1" or a year number, got ${JSON.stringify(row.period)}` });
      ok = false;
    }
    if (!('shipments' in row)) {
      problems.push({ where: `${where}.shipments`, message: 'missing (phones, e.g. 7190000)' });
      ok = false;
    }
    if (ok) rows.push({ period: row.period, shipments: row.shipments, where });
  });
  if (list.length === 0) problems.push({ where: file, message: 'no periods: at least 3 are needed to fit a growth model' });
  return validateRows(rows, file, launch, problems);
}

/** The labels of every period a year, half or quarter can overlap: all seven of its calendar year. */
function labelsOfYear(year: number): string[] {
  return [`${year}`, `${year}H1`, `${year}H2`, `${year}Q1`, `${year}Q2`, `${year}Q3`, `${year}Q4`];
}

function validateRows(rows: RawRow[], file: string, launch: number | undefined, problems: Problem[]): History {
  const seen: Observation[] = [];
  const { min, max } = LIMITS.shipments;
  // Every row with a valid period takes part in the duplicate and overlap checks, even if its shipments are bad,
  // so a file is fixed in one pass. A row is checked against the first row of each label before it (a map, so the
  // check is linear: a period can only overlap the seven periods of its own calendar year); a repeated label is
  // reported once, as a duplicate of its first row.
  const firstOf = new Map<string, { period: Period; where: string }>();
  for (const row of rows) {
    const periodText = typeof row.period === 'number' ? String(row.period) : typeof row.period === 'string' ? row.period : '';
    const period = parsePeriod(periodText);
    if (!period) problems.push({ where: row.where, message: `period "${String(row.period ?? '')}" is not a year (2013), half (2013H1) or quarter (2013Q2)` });
    const shipments = toNumber(row.shipments);
    let shipmentsOk = false;
    if (shipments === undefined) {
      problems.push({ where: row.where, message: `shipments "${String(row.shipments ?? '')}" is not a number (phones, e.g. 7190000)` });
    } else if (shipments < 0) {
      problems.push({ where: row.where, message: `shipments ${shipments} is negative` });
    } else if (shipments === 0) {
      problems.push({ where: row.where, message: 'shipments is 0: the fit works on logarithms, leave a period with no sales out' });
    } else if (shipments < min) {
      problems.push({ where: row.where, message: `shipments ${shipments} is less than ${min} phone: shipments are counted in phones (data/limits.json shipments.min)` });
    } else if (shipments > max) {
      problems.push({ where: row.where, message: `shipments ${shipments} is more than ${max.toExponential()} phones in one period, which overflows the growth models; shipments are counted in phones (data/limits.json shipments.max)` });
    } else shipmentsOk = true;
    if (!period) continue;
    const first = firstOf.get(period.label);
    if (first) {
      problems.push({ where: row.where, message: `period ${period.label} duplicates ${first.where}` });
    } else {
      for (const label of labelsOfYear(Math.floor(period.start))) {
        const other = label === period.label ? undefined : firstOf.get(label);
        if (other && period.start < other.period.end && other.period.start < period.end) {
          problems.push({ where: row.where, message: `period ${period.label} overlaps ${other.period.label} at ${other.where}` });
        }
      }
      firstOf.set(period.label, { period, where: row.where });
    }
    if (shipmentsOk) seen.push({ period, shipments: shipments!, where: row.where });
  }
  if (rows.length === 0 && problems.length === 0) problems.push({ where: file, message: 'no periods: at least 3 are needed to fit a growth model' });
  else if (problems.length === 0 && seen.length < 3) problems.push({ where: file, message: `only ${seen.length} period(s): at least 3 are needed to fit a growth model` });
  const observations = seen.sort((a, b) => a.period.start - b.period.start);
  const first = observations[0]?.period;
  if (first && launch !== undefined && launch >= first.end) {
    problems.push({ where: `${file}: launch.year`, message: `launch ${launch} is after the first period ${first.label} ends; sales cannot precede launch` });
  }
  if (problems.length > 0) throw new ValidationError(`${file} is invalid`, problems);
  return { source: file, observations, launch: launch ?? first!.start };
}

function toNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v !== 'string' || v.trim() === '') return undefined;
  const n = Number(v.trim().replace(/_/g, ''));
  return Number.isFinite(n) ? n : undefined;
}
