/**
 * Reads observed request rates from CSV text: a header naming `time`, `dc`, `service` and one rate column, `rps`
 * (requests per second) or `rpm` (per minute); other columns are ignored. A time is ISO-8601 with a zone or unix
 * seconds. A rate is a plain number in the header's unit, or a number with a unit suffix (`12/s`, `700/min`, `3e4/h`),
 * allowed only when every row ends up in the same unit: mixed units are a problem, never silently converted. Pure: the
 * CLI reads the file and passes the text.
 */
import { type CsvRecord, csvRecords } from '../csv-records.ts';
import { type Problem, ValidationError } from '../errors.ts';
import type { Observation } from './telemetry.ts';

/** Seconds per unit of a rate suffix. */
const UNITS: Record<string, number> = { s: 1, sec: 1, min: 60, h: 3600 };
const RATE = /^([+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)\s*(?:\/\s*([a-z]+))?$/i;
const NON_FINITE = /^[+-]?(?:nan|inf|infinity)$/i;
const UNIX = /^\d+(?:\.\d+)?$/;

/** Parsed CSV telemetry: the readable samples and the problems of the rest. */
export interface ParsedTelemetry {
  /** Samples in file order, rates in requests per second (rows with a bad time, name or unit left out). */
  observations: Observation[];
  /** Every problem found while reading. */
  problems: Problem[];
}

/**
 * Parses CSV telemetry, collecting every problem instead of stopping at the first.
 * @param text CSV text (a byte-order mark is ignored)
 * @param file file name, the prefix of each problem (`t.csv:4`)
 * @returns samples and problems; a problem-free result can still fail {@link checkTelemetry}
 * @example parseTelemetryCsv('time,dc,service,rps\n0,singapore,ota_check,12\n', 't.csv').observations[0].rps // 12
 */
export function parseTelemetryCsv(text: string, file: string): ParsedTelemetry {
  let records: CsvRecord[];
  try {
    records = csvRecords(text, file);
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    return { observations: [], problems: [{ where: file, message: `not valid CSV: ${err.problems[0]!.message}` }] };
  }
  if (records.length === 0) return { observations: [], problems: [{ where: file, message: 'file is empty: expected a header time,dc,service,rps (or rpm) and rows' }] };
  const header = records[0]!.record.map((h) => h.toLowerCase());
  const headerWhere = `${file}:${records[0]!.info.lines}`;
  const problems: Problem[] = [];
  for (const col of ['time', 'dc', 'service']) if (!header.includes(col)) problems.push({ where: headerWhere, message: `missing column "${col}" (header: ${header.join(',')})` });
  const rateCols = header.filter((h) => h === 'rps' || h === 'rpm');
  if (rateCols.length !== 1) problems.push({ where: headerWhere, message: `expected exactly one rate column, rps or rpm (header: ${header.join(',')})` });
  // Without the columns no row can be read: report the header alone rather than one problem per row.
  if (problems.length > 0) return { observations: [], problems };
  const [ti, di, si, ri] = ['time', 'dc', 'service', rateCols[0]!].map((c) => header.indexOf(c)) as [number, number, number, number];
  const headerUnit = rateCols[0] === 'rps' ? 's' : 'min';

  const rows: { o: Observation; unit: string; value: number }[] = [];
  for (const { record, info } of records.slice(1)) {
    const where = `${file}:${info.lines}`;
    if (record.length <= Math.max(ti, di, si, ri)) {
      problems.push({ where, message: `expected ${header.length} fields (${header.join(',')}), got ${record.length}` });
      continue;
    }
    const time = parseTime(record[ti]!);
    if (typeof time === 'string') problems.push({ where, message: time });
    const dc = record[di]!;
    const service = record[si]!;
    if (dc === '') problems.push({ where, message: 'dc is empty' });
    if (service === '') problems.push({ where, message: 'service is empty' });
    const raw = record[ri]!;
    let value = NaN;
    let unit = headerUnit;
    if (!NON_FINITE.test(raw)) {
      const m = RATE.exec(raw);
      if (!m) {
        problems.push({ where, message: `rate "${raw}" is not a number (e.g. 12, 12/s, 700/min)` });
        continue;
      }
      const suffix = m[2]?.toLowerCase();
      if (suffix !== undefined && UNITS[suffix] === undefined) {
        problems.push({ where, message: `rate "${raw}": unknown unit /${m[2]} (use /s, /min or /h)` });
        continue;
      }
      value = Number(m[1]);
      if (suffix !== undefined) unit = suffix === 'sec' ? 's' : suffix;
    }
    if (typeof time === 'string' || dc === '' || service === '') continue;
    rows.push({ o: { time, dc, service, rps: value, where }, unit, value });
  }
  if (records.length === 1) problems.push({ where: file, message: 'no data rows after the header' });

  // One unit for the whole file: the most common one (the header's on a tie) is taken as meant, every other is listed.
  const byUnit = new Map<string, string[]>();
  for (const r of rows) {
    const list = byUnit.get(r.unit);
    if (list) list.push(r.o.where);
    else byUnit.set(r.unit, [r.o.where]);
  }
  if (byUnit.size > 1) {
    const ranked = [...byUnit].sort((a, b) => b[1].length - a[1].length || Number(b[0] === headerUnit) - Number(a[0] === headerUnit));
    const [main, mainRows] = ranked[0]!;
    for (const [unit, wheres] of ranked.slice(1)) {
      for (const where of wheres.slice(0, 20)) {
        problems.push({ where, message: `mixed units: this row's rate is per ${name(unit)} but ${mainRows.length} other rows are per ${name(main)}; use one unit in the whole file` });
      }
      if (wheres.length > 20) problems.push({ where: file, message: `mixed units: ${wheres.length - 20} more rows per ${name(unit)}` });
    }
  }
  // Converted even when units are mixed, so the other checks still run on every row and all problems come out at once.
  const observations = rows.map((r) => ({ ...r.o, rps: r.value / UNITS[r.unit]! }));
  return { observations, problems };
}

function name(unit: string): string {
  return unit === 's' ? 'second' : unit === 'min' ? 'minute' : 'hour';
}

/** Unix seconds, or why the cell is not a time. */
function parseTime(raw: string): number | string {
  if (UNIX.test(raw)) return Number(raw);
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(raw)) return `time "${raw}" is neither ISO-8601 (2015-03-02T10:00:00Z) nor unix seconds`;
  if (!/(?:Z|[+-]\d{2}:?\d{2})$/i.test(raw)) return `time "${raw}" has no zone: add Z or an offset such as +08:00`;
  const ms = Date.parse(raw);
  return Number.isFinite(ms) ? ms / 1000 : `time "${raw}" is not a valid date`;
}
