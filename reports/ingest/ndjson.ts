/**
 * Reads k6 `--out json` NDJSON (ours or real k6's, plain or gzip, recognised by shape and by the gzip magic bytes)
 * as a stream and feeds its points to a sample sink (a registry). Damaged lines are skipped, counted and reported
 * with their line numbers; a stream that is not k6 NDJSON at all is rejected with {@link NotK6NdjsonError}.
 */
import { pipeline, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { ValidationError } from '../../models/errors.ts';
import { BUILTIN_METRICS } from '../../scenarios/engine/metrics/builtin.ts';
import { ThresholdTypeError } from '../../scenarios/engine/metrics/registry.ts';
import type { MetricDef, MetricType, SampleSink, ValueType } from '../../scenarios/engine/metrics/types.ts';

/** The input is not k6 NDJSON (no k6 Metric/Point line among its first lines). Maps to exit 104. */
export class NotK6NdjsonError extends ValidationError {
  /** @param source file name for the message @param reason what was found instead */
  constructor(source: string, reason: string) {
    super(`${source} is not k6 NDJSON (--out json)`, [{ where: source, message: reason }]);
  }
}

/**
 * The input's bytes cannot be read as NDJSON: a damaged or truncated gzip file, a directory, an unreadable file.
 * The input is at fault, not caplab: maps to exit 104.
 */
export class UnreadableInputError extends ValidationError {
  /** @param source file name for the message @param reason what is wrong with it */
  constructor(source: string, reason: string) {
    super(`${source} cannot be read`, [{ where: source, message: reason }]);
  }
}

/**
 * Says what is wrong with an input whose stream failed, when the input (not caplab) is at fault.
 * @param err the stream's error
 * @returns the reason, or undefined for errors that are not the input's fault
 */
function inputFault(err: unknown): string | undefined {
  const e = err as NodeJS.ErrnoException;
  const code = typeof e?.code === 'string' ? e.code : '';
  // zlib reports Z_DATA_ERROR for bytes that are not deflate data and Z_BUF_ERROR for a file cut short.
  if (code === 'Z_BUF_ERROR') return `the gzip data is truncated (${e.message}): the file was cut short; copy it again`;
  if (code.startsWith('Z_')) return `the gzip data is damaged (${e.message}): not a whole .gz file`;
  if (code === 'EISDIR') return 'is a directory, not an NDJSON file';
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES') return 'permission denied';
  return undefined;
}

/** What reading one NDJSON stream found. */
export interface NdjsonReadReport {
  /** Source name (file path) as given. */
  source: string;
  /** Lines read, empty ones included. */
  lines: number;
  /** Points fed to the sink. */
  points: number;
  /** Metric lines read. */
  metrics: number;
  /** Damaged lines skipped. */
  damaged: number;
  /** Line numbers (1-based) of the first damaged lines, at most {@link MAX_DAMAGED_LISTED}. */
  damagedLines: number[];
  /** Earliest and latest point time, ms since the epoch (undefined when there were no points). */
  firstTime?: number;
  lastTime?: number;
}

/** How many damaged line numbers a report lists. */
export const MAX_DAMAGED_LISTED = 20;
/** Non-empty lines that may be inspected before deciding a stream is not k6 NDJSON. */
const RECOGNITION_WINDOW = 20;

/** A sink that can also take metric declarations (the registry); plain sinks just get points. */
export type IngestSink = SampleSink & { declare?(def: MetricDef): void };

const TYPES = new Set<MetricType>(['counter', 'gauge', 'rate', 'trend']);
const CONTAINS = new Set<ValueType>(['default', 'time', 'data']);

async function* gunzipIfNeeded(source: AsyncIterable<Uint8Array | string>): AsyncGenerator<string> {
  const it = source[Symbol.asyncIterator]();
  const first = await it.next();
  if (first.done) return;
  const head = typeof first.value === 'string' ? Buffer.from(first.value) : Buffer.from(first.value);
  const rest = (async function* (): AsyncGenerator<Uint8Array> {
    yield head;
    for (let r = await it.next(); !r.done; r = await it.next()) yield typeof r.value === 'string' ? Buffer.from(r.value) : r.value;
  })();
  const gzip = head[0] === 0x1f && head[1] === 0x8b;
  let bytes: AsyncIterable<Uint8Array> = rest;
  if (gzip) {
    // pipeline (not pipe) so a failing source destroys the gunzip stream and the loop below sees the error.
    const gunzip = createGunzip();
    pipeline(Readable.from(rest), gunzip, () => {});
    bytes = gunzip;
  }
  const decoder = new TextDecoder('utf-8');
  for await (const chunk of bytes) yield decoder.decode(chunk, { stream: true });
  const tail = decoder.decode();
  if (tail) yield tail;
}

/**
 * Streams k6 NDJSON into a sink. Metric lines declare metrics (custom ones included) when the sink can take
 * declarations; Point lines become samples with their metric's definition. A Point for a metric with no Metric line
 * yet is read when the metric is a built-in one, and damaged otherwise.
 * @param source bytes or text: a file stream, gzip or plain (detected from the first bytes)
 * @param sink where points go (usually a registry)
 * @param name source name for reports and errors
 * @returns what was read
 * @throws {NotK6NdjsonError} when none of the first non-empty lines is a k6 Metric/Point line (or there are none)
 * @throws {UnreadableInputError} when the gzip data is damaged or truncated, or the source is a directory or unreadable
 * @throws {Error} when the stream fails otherwise
 * @example const report = await readK6Ndjson(createReadStream('points.ndjson.gz'), registry, 'points.ndjson.gz')
 */
export async function readK6Ndjson(source: AsyncIterable<Uint8Array | string>, sink: IngestSink, name: string): Promise<NdjsonReadReport> {
  const report: NdjsonReadReport = { source: name, lines: 0, points: 0, metrics: 0, damaged: 0, damagedLines: [] };
  const defs = new Map<string, MetricDef>();
  let recognised = false;
  let nonEmpty = 0;
  let firstBad = '';
  let first = Infinity;
  let last = -Infinity;

  const damaged = (lineNo: number, text: string): void => {
    report.damaged++;
    if (report.damagedLines.length < MAX_DAMAGED_LISTED) report.damagedLines.push(lineNo);
    if (firstBad === '') firstBad = text.length > 80 ? `${text.slice(0, 77)}...` : text;
  };

  const handle = (line: string, lineNo: number): void => {
    if (line.length === 0 || (line.length === 1 && line === '\r')) return;
    nonEmpty++;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      damaged(lineNo, line);
      return;
    }
    const ok = typeof v === 'object' && v !== null && consume(v as Record<string, unknown>);
    if (ok) recognised = true;
    else damaged(lineNo, line);
    if (!recognised && nonEmpty >= RECOGNITION_WINDOW) {
      throw new NotK6NdjsonError(name, `none of its first ${RECOGNITION_WINDOW} lines is a k6 {"type":"Metric"|"Point",...} line (line 1 starts: ${firstBad})`);
    }
  };

  function consume(o: Record<string, unknown>): boolean {
    const metric = o.metric;
    const data = o.data as Record<string, unknown> | null | undefined;
    if (typeof metric !== 'string' || typeof data !== 'object' || data === null) return false;
    if (o.type === 'Point') {
      const value = data.value;
      const time = typeof data.time === 'string' ? Date.parse(data.time) : NaN;
      if (typeof value !== 'number' || Number.isNaN(time)) return false;
      let def = defs.get(metric);
      if (def === undefined) {
        def = BUILTIN_METRICS[metric];
        if (def === undefined) return false;
        defs.set(metric, def);
      }
      const tags = data.tags;
      if (tags !== null && tags !== undefined && typeof tags !== 'object') return false;
      sink.add({ metric: def, time, value, tags: (tags ?? {}) as Record<string, string> });
      report.points++;
      if (time < first) first = time;
      if (time > last) last = time;
      return true;
    }
    if (o.type === 'Metric') {
      const type = data.type as MetricType;
      const contains = data.contains as ValueType;
      if (!TYPES.has(type) || !CONTAINS.has(contains)) return false;
      const builtin = BUILTIN_METRICS[metric];
      const def = builtin && builtin.type === type && builtin.contains === contains ? builtin : { name: metric, type, contains };
      try {
        sink.declare?.(def);
      } catch (err) {
        if (err instanceof ThresholdTypeError) throw err; // the thresholds are wrong, not the line
        return false; // conflicts with what the sink knows (e.g. a built-in name with another type)
      }
      defs.set(metric, def);
      report.metrics++;
      return true;
    }
    return false;
  }

  let carry = '';
  let lineNo = 0;
  try {
    await readLines();
  } catch (err) {
    const reason = inputFault(err);
    if (reason !== undefined) throw new UnreadableInputError(name, lineNo > 0 ? `${reason} (after line ${lineNo})` : reason);
    throw err;
  }

  // A function so that the one catch above turns the stream's input faults (damaged gzip, a directory) into 104.
  async function readLines(): Promise<void> {
    for await (const text of gunzipIfNeeded(source)) {
      let start = 0;
      let nl = text.indexOf('\n');
      if (nl === -1) {
        carry += text;
        continue;
      }
      handle(carry + text.slice(0, nl), ++lineNo);
      carry = '';
      start = nl + 1;
      while ((nl = text.indexOf('\n', start)) !== -1) {
        handle(text.slice(start, nl), ++lineNo);
        start = nl + 1;
      }
      carry = text.slice(start);
    }
  }
  if (carry.length > 0) handle(carry, ++lineNo);
  report.lines = lineNo;
  if (!recognised) {
    throw new NotK6NdjsonError(name, nonEmpty === 0 ? 'it has no lines' : `no line is a k6 {"type":"Metric"|"Point",...} line (line 1 starts: ${firstBad})`);
  }
  if (first <= last) {
    report.firstTime = first;
    report.lastTime = last;
  }
  return report;
}
