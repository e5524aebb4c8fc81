/**
 * k6's `--out json` lines, formatted from sample batches (sample-batch.ts): one JSON object per line, a `Metric` line
 * the first time a metric appears and a `Point` line per sample:
 *
 *   {"type":"Metric","data":{"name":"http_reqs","type":"counter","contains":"default","thresholds":[],"submetrics":null},"metric":"http_reqs"}
 *   {"type":"Point","data":{"time":"2026-11-25T08:40:01.123456Z","value":1,"tags":{"method":"GET",...}},"metric":"http_reqs"}
 *
 * Times are RFC 3339 with up to microseconds, in UTC (k6 writes Go's RFC3339Nano; readers parse both). Values are
 * written exactly (the shortest decimal that reads back as the same double), so a summary merged from the points
 * equals the run's own. Pure: batches in, text out.
 */
import { parseMetricKey } from '../thresholds.ts';
import type { MetricDef, ThresholdSpec } from '../metrics/types.ts';
import { decodeBatch } from './sample-batch.ts';

/**
 * Formats epoch milliseconds (fractional allowed) as RFC 3339 UTC with microseconds, trailing zeros trimmed.
 * @returns the formatter (it caches the current second's prefix)
 */
export function makeTimeFormatter(): (ms: number) => string {
  let cachedSecond = NaN;
  let cachedPrefix = '';
  return (ms) => {
    const second = Math.floor(ms / 1000);
    if (second !== cachedSecond) {
      cachedSecond = second;
      cachedPrefix = new Date(second * 1000).toISOString().slice(0, 19);
    }
    const micros = Math.round((ms - second * 1000) * 1000);
    if (micros <= 0) return `${cachedPrefix}Z`;
    if (micros >= 1_000_000) return `${new Date((second + 1) * 1000).toISOString().slice(0, 19)}Z`; // rounded up to the next second
    return `${cachedPrefix}.${String(micros).padStart(6, '0').replace(/0+$/, '')}Z`;
  };
}

/**
 * The Metric line of a metric, listing its thresholds and the thresholded sub-metrics as k6 does.
 * @param def the metric
 * @param thresholds thresholds by metric key
 * @returns the line, with its newline
 */
export function metricLine(def: MetricDef, thresholds: Readonly<Record<string, ThresholdSpec[]>>): string {
  const own = (thresholds[def.name] ?? []).map((t) => t.threshold);
  const subs: { name: string; suffix: string; tags: Record<string, string> }[] = [];
  for (const key of Object.keys(thresholds)) {
    const mk = parseMetricKey(key);
    if (typeof mk === 'string' || mk.name !== def.name || Object.keys(mk.tags).length === 0) continue;
    subs.push({ name: key, suffix: key.slice(key.indexOf('{') + 1, -1), tags: { ...mk.tags } });
  }
  const data = { name: def.name, type: def.type, contains: def.contains, thresholds: own, submetrics: subs.length > 0 ? subs : null };
  return `{"type":"Metric","data":${JSON.stringify(data)},"metric":${JSON.stringify(def.name)}}\n`;
}

/** Turns batches into NDJSON text. */
export interface BatchFormatter {
  /**
   * Formats one batch: each metric's Metric line before its first Point (once for the whole output, whatever the
   * source), then a Point line per sample.
   * @param batch the batch's bytes
   * @returns the lines, UTF-8
   * @throws {Error} when the bytes are not a batch, or refer to a metric or tag set their source never declared
   */
  format(batch: ArrayBuffer | Uint8Array): Buffer;
  /** Point lines formatted so far. */
  readonly points: number;
}

/**
 * Creates a formatter for one output.
 * @param thresholds thresholds by metric key, for the Metric lines
 * @returns the formatter
 */
export function createBatchFormatter(thresholds: Readonly<Record<string, ThresholdSpec[]>> = {}): BatchFormatter {
  const formatTime = makeTimeFormatter();
  const written = new Set<string>();
  const sources = new Map<number, { metrics: { name: string; tail: string; line: string }[]; tags: string[] }>();
  let points = 0;
  // Lines are written straight into one buffer (UTF-8, at most 3 bytes per UTF-16 unit): building a string and
  // encoding it afterwards cost twice as much. The samples of a request share its time, so its prefix is reused.
  let buf = Buffer.allocUnsafe(1 << 20);
  return {
    format(bytes) {
      const b = decodeBatch(bytes);
      let src = sources.get(b.source);
      if (!src) sources.set(b.source, (src = { metrics: [], tags: [] }));
      for (const def of b.metrics) {
        src.metrics.push({ name: def.name, tail: `},"metric":${JSON.stringify(def.name)}}\n`, line: metricLine(def, thresholds) });
      }
      if (b.resetTags) src.tags = [];
      for (const t of b.tags) src.tags.push(`,"tags":${t}`);
      let at = 0;
      const put = (text: string): void => {
        if (at + text.length * 3 > buf.length) {
          const bigger = Buffer.allocUnsafe(Math.max(buf.length * 2, at + text.length * 3));
          buf.copy(bigger, 0, 0, at);
          buf = bigger;
        }
        at += buf.write(text, at, 'utf8');
      };
      let lastTime = NaN;
      let head = '';
      for (let i = 0; i < b.count; i++) {
        const m = src.metrics[b.metricIds[i]!];
        const tags = src.tags[b.tagIds[i]!];
        if (m === undefined || tags === undefined) throw new Error(`NDJSON batch of source ${b.source}: sample ${i} names an undeclared ${m === undefined ? 'metric' : 'tag set'}`);
        if (!written.has(m.name)) {
          written.add(m.name);
          put(m.line);
        }
        const time = b.times[i]!;
        if (time !== lastTime) {
          lastTime = time;
          head = `{"type":"Point","data":{"time":"${formatTime(time)}","value":`;
        }
        put(`${head}${b.values[i]!}${tags}${m.tail}`);
      }
      points += b.count;
      return Buffer.from(buf.subarray(0, at));
    },
    get points() {
      return points;
    },
  };
}
