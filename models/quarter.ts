/**
 * Calendar periods used across caplab: years (`2013`), halves (`2013H1`) and quarters (`2013Q2`), as half-open
 * intervals of decimal years: `2013H1` is [2013.0, 2013.5).
 */

/** A period as a half-open interval of decimal years. */
export interface Period {
  /** The label as written, normalised (`2013`, `2013H2`, `2014Q1`). */
  label: string;
  /** Start, decimal year (inclusive). */
  start: number;
  /** End, decimal year (exclusive). */
  end: number;
  /** Granularity. */
  kind: 'year' | 'half' | 'quarter';
}

const PERIOD_RE = /^(\d{4})(?:([HQ])([1-4]))?$/;

/**
 * Parses a period label.
 * @param text `YYYY`, `YYYYH1|H2` or `YYYYQ1..Q4` (case-insensitive)
 * @returns the period, or undefined when the text is not one of those forms
 * @example parsePeriod('2013H2') // { label: '2013H2', start: 2013.5, end: 2014, kind: 'half' }
 */
export function parsePeriod(text: string): Period | undefined {
  const m = PERIOD_RE.exec(text.trim().toUpperCase());
  if (!m) return undefined;
  const year = Number(m[1]);
  if (m[2] === undefined) return { label: `${year}`, start: year, end: year + 1, kind: 'year' };
  const n = Number(m[3]);
  if (m[2] === 'H') {
    if (n > 2) return undefined;
    return { label: `${year}H${n}`, start: year + (n - 1) / 2, end: year + n / 2, kind: 'half' };
  }
  return { label: `${year}Q${n}`, start: year + (n - 1) / 4, end: year + n / 4, kind: 'quarter' };
}

/**
 * Index of a quarter counted from year 0 (`2013Q1` -> 8052), so quarters can be compared and stepped.
 * @param label `YYYYQn`
 * @returns the index
 * @throws {RangeError} when the label is not a quarter
 */
export function quarterIndex(label: string): number {
  const p = parsePeriod(label);
  if (!p || p.kind !== 'quarter') throw new RangeError(`quarterIndex: "${label}" is not a quarter like 2015Q3`);
  return Math.round(p.start * 4);
}

/**
 * Label of a quarter index (inverse of {@link quarterIndex}).
 * @param index quarter index from year 0
 * @returns `YYYYQn`
 */
export function quarterLabel(index: number): string {
  return `${Math.floor(index / 4)}Q${(((index % 4) + 4) % 4) + 1}`;
}

/**
 * The quarter containing a decimal-year instant.
 * @param t decimal year
 * @returns quarter index
 */
export function quarterOf(t: number): number {
  return Math.floor(t * 4 + 1e-9);
}
