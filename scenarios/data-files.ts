/**
 * Data sets of the user's own (`data.sets` of a spec): the rows of a CSV file with a header row (RFC 4180: quoted
 * fields, `""` inside quotes, CRLF or LF, blank lines skipped; every value a string) or of a JSON array of objects.
 * Parsed once, checked row by row (every bad row named with its line), then packed into shared memory: one UTF-8
 * buffer of JSON texts, one per row, and their offsets, both on SharedArrayBuffers, so the VUs of a thread and all
 * worker threads read the same bytes (as k6's SharedArray keeps one copy of its rows for every VU). A row is decoded
 * when a template reads it (k6's SharedArray, too, decodes an element on access), frozen, and kept in a small cache.
 */
import type { Problem } from '../models/errors.ts';
import { jsonErrorLocation, jsonErrorReason } from '../models/json-syntax.ts';

/** Rows packed in shared memory; plain data, so it crosses to worker threads without a copy. */
export interface PackedRows {
  /** The CSV header (each row is a JSON array of its values), or null for JSON rows (each row a JSON object). */
  columns: string[] | null;
  /** Row texts, UTF-8, back to back (on a SharedArrayBuffer). */
  bytes: Uint8Array;
  /** Start of row i at offsets[i], end at offsets[i + 1] (on a SharedArrayBuffer); length = rows + 1. */
  offsets: Float64Array;
}

/** A data file parsed: its rows, or every problem found. */
export interface ParsedRows {
  /** CSV header, or null for JSON. */
  columns: string[] | null;
  /** Rows: CSV value lists, or JSON objects. */
  rows: (string[] | Record<string, unknown>)[];
  /** Problems (where: `source:line` for CSV, `source: [i]` for JSON), at most `maxProblems` plus one saying how many more. */
  problems: Problem[];
}

/** Adds a problem unless the list is full; the last entry then counts the rest. */
function limited(problems: Problem[], max: number, count: { n: number }, where: string, message: string): void {
  count.n++;
  if (problems.length < max) problems.push({ where, message });
}

function finish(problems: Problem[], max: number, count: { n: number }, source: string, what: string): void {
  if (count.n > max) problems.push({ where: source, message: `... and ${count.n - max} more ${what}` });
}

/**
 * Parses CSV with a header row (see the module comment).
 * @param text the file's text (without a byte-order mark)
 * @param source file name for problems
 * @param maxProblems most problems listed (the rest are counted)
 * @returns header, rows and problems: a row with another number of fields than the header, an unclosed quote, a
 *   quote inside an unquoted field or text after a closing quote, an empty or repeated column name, no rows
 * @example parseCsvRows('id,name\n1,"a, b"\n', 'x.csv').rows // [['1', 'a, b']]
 */
export function parseCsvRows(text: string, source: string, maxProblems = 20): ParsedRows {
  const problems: Problem[] = [];
  const count = { n: 0 };
  // Records in line order; a malformed one keeps its problem instead of its fields.
  const records: { line: number; fields: string[]; bad?: string }[] = [];
  const n = text.length;
  let i = 0;
  let line = 1;
  while (i < n) {
    const start = line;
    const fields: string[] = [];
    let bad: string | undefined;
    // One record: fields separated by commas until an unquoted line end or the end of the text.
    for (;;) {
      let value = '';
      if (text[i] === '"') {
        i++;
        let closed = false;
        while (i < n) {
          const c = text[i]!;
          if (c === '"') {
            if (text[i + 1] === '"') { value += '"'; i += 2; continue; }
            i++;
            closed = true;
            break;
          }
          if (c === '\n') line++;
          value += c;
          i++;
        }
        if (!closed) bad ??= 'a quoted field is not closed';
        else if (i < n && text[i] !== ',' && text[i] !== '\n' && !(text[i] === '\r' && text[i + 1] === '\n')) {
          bad ??= 'text after the closing quote of a field';
          while (i < n && text[i] !== ',' && text[i] !== '\n') i++;
        }
      } else {
        let j = i;
        while (j < n && text[j] !== ',' && text[j] !== '\n') j++;
        value = text.slice(i, j);
        if (value.endsWith('\r') && text[j] === '\n') value = value.slice(0, -1);
        if (value.includes('"')) bad ??= 'a quote inside an unquoted field (quote the whole field and double the quote)';
        i = j;
      }
      fields.push(value);
      if (i < n && text[i] === ',') { i++; continue; }
      if (text[i] === '\r') i++;
      if (i < n && text[i] === '\n') { i++; line++; }
      break;
    }
    if (bad !== undefined) { records.push({ line: start, fields, bad }); continue; }
    // A blank line is one empty field: skipped, as csv-parse's skip_empty_lines.
    if (fields.length === 1 && fields[0] === '') continue;
    records.push({ line: start, fields });
  }
  const header = records.shift();
  if (header === undefined) {
    problems.push({ where: source, message: 'no header row: a CSV data set starts with a row of column names' });
    return { columns: null, rows: [], problems };
  }
  if (header.bad !== undefined) limited(problems, maxProblems, count, `${source}:${header.line}`, header.bad);
  const columns = header.fields.map((c) => c.trim());
  const seen = new Set<string>();
  columns.forEach((c, k) => {
    if (c === '') limited(problems, maxProblems, count, `${source}:${header.line}`, `column ${k + 1} of the header has no name`);
    else if (seen.has(c)) limited(problems, maxProblems, count, `${source}:${header.line}`, `column "${c}" appears twice in the header`);
    seen.add(c);
  });
  const rows: string[][] = [];
  for (const r of records) {
    if (r.bad !== undefined) limited(problems, maxProblems, count, `${source}:${r.line}`, r.bad);
    else if (r.fields.length !== columns.length) {
      limited(problems, maxProblems, count, `${source}:${r.line}`, `${r.fields.length} field${r.fields.length === 1 ? '' : 's'} where the header has ${columns.length}`);
    } else rows.push(r.fields);
  }
  finish(problems, maxProblems, count, source, 'bad rows');
  if (rows.length === 0 && problems.length === 0) problems.push({ where: source, message: 'no rows below the header' });
  return { columns, rows, problems };
}

/**
 * Parses a JSON array of objects.
 * @param text the file's text
 * @param source file name for problems
 * @param maxProblems most problems listed
 * @returns the rows and problems: a syntax error (with its line), not an array, an element that is not an object, no rows
 * @example parseJsonRows('[{"id":1}]', 'x.json').rows // [{ id: 1 }]
 */
export function parseJsonRows(text: string, source: string, maxProblems = 20): ParsedRows {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const at = jsonErrorLocation(text);
    return { columns: null, rows: [], problems: [{ where: `${source}${at ? `:${at.line}` : ''}`, message: `not valid JSON: ${jsonErrorReason((err as Error).message)}${at ? `, column ${at.column}` : ''}` }] };
  }
  if (!Array.isArray(value)) return { columns: null, rows: [], problems: [{ where: source, message: 'a JSON data set is an array of objects (one per row)' }] };
  const problems: Problem[] = [];
  const count = { n: 0 };
  const rows: Record<string, unknown>[] = [];
  value.forEach((v: unknown, k) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) limited(problems, maxProblems, count, `${source}: [${k}]`, `not an object (${v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v})`);
    else rows.push(v as Record<string, unknown>);
  });
  finish(problems, maxProblems, count, source, 'bad rows');
  if (value.length === 0) problems.push({ where: source, message: 'no rows: the array is empty' });
  return { columns: null, rows, problems };
}

/**
 * Packs parsed rows into shared memory (see the module comment).
 * @param parsed rows from {@link parseCsvRows} or {@link parseJsonRows}
 * @returns the packed rows
 */
export function packRows(parsed: Pick<ParsedRows, 'columns' | 'rows'>): PackedRows {
  const texts = parsed.rows.map((r) => JSON.stringify(r));
  let total = 0;
  const offsets = new Float64Array(new SharedArrayBuffer(8 * (texts.length + 1)));
  texts.forEach((t, k) => { offsets[k] = total; total += Buffer.byteLength(t); });
  offsets[texts.length] = total;
  const bytes = new Uint8Array(new SharedArrayBuffer(Math.max(1, total)));
  const view = Buffer.from(bytes.buffer, 0, bytes.byteLength);
  texts.forEach((t, k) => view.write(t, offsets[k]!));
  return { columns: parsed.columns, bytes: bytes.subarray(0, total), offsets };
}

/** Decoded rows kept per set (direct-mapped by index): a VU reading its row again decodes nothing. */
const CACHE_SLOTS = 1024;

/** Read access to packed rows. */
export interface Rows {
  /** Number of rows. */
  readonly count: number;
  /**
   * Row i as a frozen object (CSV: column -> value).
   * @param i 0-based index below count
   */
  get(i: number): Readonly<Record<string, unknown>>;
  /** Every row, decoded (for the k6 bundle's JSON file). */
  all(): Readonly<Record<string, unknown>>[];
}

/**
 * Read access to packed rows (any thread: the bytes are shared, decoded rows are this thread's).
 * @param packed the packed rows
 * @returns the reader
 */
export function rowsOf(packed: PackedRows): Rows {
  const { columns, offsets } = packed;
  const view = Buffer.from(packed.bytes.buffer, packed.bytes.byteOffset, packed.bytes.byteLength);
  const count = offsets.length - 1;
  const keys = new Int32Array(Math.min(CACHE_SLOTS, Math.max(1, count))).fill(-1);
  const cached: (Readonly<Record<string, unknown>> | undefined)[] = new Array(keys.length);
  const decode = (i: number): Readonly<Record<string, unknown>> => {
    const v = JSON.parse(view.toString('utf8', offsets[i]!, offsets[i + 1]!)) as unknown;
    if (columns === null) return Object.freeze(v as Record<string, unknown>);
    const o: Record<string, unknown> = {};
    const values = v as string[];
    for (let k = 0; k < columns.length; k++) o[columns[k]!] = values[k];
    return Object.freeze(o);
  };
  return {
    count,
    get(i) {
      const slot = i % keys.length;
      if (keys[slot] === i) return cached[slot]!;
      const row = decode(i);
      keys[slot] = i;
      cached[slot] = row;
      return row;
    },
    all() {
      const out: Readonly<Record<string, unknown>>[] = [];
      for (let i = 0; i < count; i++) out.push(decode(i));
      return out;
    },
  };
}
