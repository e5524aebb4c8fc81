/**
 * k6's `--out json` output: one JSON object per line, a `Metric` line the first time a metric appears and a
 * `Point` line per sample:
 *
 *   {"type":"Metric","data":{"name":"http_reqs","type":"counter","contains":"default","thresholds":[],"submetrics":null},"metric":"http_reqs"}
 *   {"type":"Point","data":{"time":"2026-11-25T08:40:01.123456Z","value":1,"tags":{"method":"GET",...}},"metric":"http_reqs"}
 *
 * Times are RFC 3339 with up to microseconds, in UTC (k6 writes Go's RFC3339Nano; readers parse both).
 * Lines are batched into chunks and written with backpressure: while the stream is full, chunks wait in memory up
 * to `maxBufferedBytes`; past that, samples are counted as lost and close() reports it (add() never blocks or
 * throws for I/O). Callers that can wait should await `drained()` when `congested` is true.
 */
import { parseMetricKey } from '../thresholds.ts';
import type { MetricDef, Sample, SampleSink, Tags, ThresholdSpec } from '../metrics/types.ts';

/** Options of {@link createNdjsonOutput}. */
export interface NdjsonOutputOptions {
  /** Thresholds by metric key, listed in Metric lines as k6 does (`thresholds`, `submetrics`). */
  thresholds?: Record<string, ThresholdSpec[]>;
  /** Chunk size before a write, bytes (default 64 KiB). */
  chunkBytes?: number;
  /** Most bytes held while the stream is congested before samples are dropped (default 32 MiB). */
  maxBufferedBytes?: number;
  /** Whether close() ends the stream (default true; pass false for process.stdout). */
  end?: boolean;
  /** How often a partial chunk is flushed, ms, so `tail -f` sees progress (default 200; 0 = only when full). */
  flushIntervalMs?: number;
  /**
   * Whether a metric's first sample is preceded by its Metric line (default true). A worker whose Point lines go to
   * a parent's output passes false and hands the parent its new metrics instead ({@link NdjsonOutput.takeNewMetrics},
   * {@link NdjsonOutput.addLines}).
   */
  metricLines?: boolean;
}

/** The NDJSON output: a sample sink with flow control and a close that reports failures. */
export interface NdjsonOutput extends SampleSink {
  /** True while the stream is congested (chunks are waiting in memory). */
  readonly congested: boolean;
  /** Resolves when nothing waits in memory any more. */
  drained(): Promise<void>;
  /** Points written (or queued) so far. */
  readonly points: number;
  /**
   * Appends Point lines formatted elsewhere (by a worker's output made with `metricLines: false`), each metric's
   * Metric line first when this output has not written it yet. Dropped (and counted as lost) like samples when the
   * stream cannot keep up.
   * @param text whole Point lines, each ending in a newline
   * @param metrics the metrics the lines may be the first points of
   */
  addLines(text: string, metrics: readonly MetricDef[]): void;
  /**
   * The metrics whose first sample came since the last call (with `metricLines: false`, whose Metric lines this
   * output did not write): what {@link NdjsonOutput.addLines} of the output the lines go to needs.
   */
  takeNewMetrics(): MetricDef[];
  /**
   * Flushes everything, ends the stream (unless `end: false`) and waits for it to finish.
   * @throws {Error} when the stream failed, or when samples were dropped because it could not keep up
   */
  close(): Promise<void>;
}

/** Formats epoch milliseconds (fractional allowed) as RFC 3339 UTC with microseconds, trailing zeros trimmed. */
function makeTimeFormatter(): (ms: number) => string {
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

function metricLine(def: MetricDef, thresholds: Record<string, ThresholdSpec[]>): string {
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

/**
 * Creates a k6 `--out json` writer over a stream (a file, a gzip stream, stdout).
 * @param out destination stream (compression, if any, is the caller's: pipe a zlib gzip stream in between)
 * @param opts thresholds for Metric lines, buffering limits
 * @returns the output: add() samples, then await close()
 * @example const o = createNdjsonOutput(createWriteStream('points.ndjson')); o.add(sample); await o.close();
 */
export function createNdjsonOutput(out: NodeJS.WritableStream, opts: NdjsonOutputOptions = {}): NdjsonOutput {
  const thresholds = opts.thresholds ?? {};
  const chunkBytes = opts.chunkBytes ?? 64 * 1024;
  const maxBuffered = opts.maxBufferedBytes ?? 32 * 1024 * 1024;
  const formatTime = makeTimeFormatter();
  const seen = new Set<string>();
  let fresh: MetricDef[] = [];
  const tagCache = new WeakMap<Tags, string>();
  let parts: string[] = [];
  let partBytes = 0;
  const queue: string[] = [];
  let queuedBytes = 0;
  let waiting = false;
  let points = 0;
  let lost = 0;
  let failure: Error | undefined;
  let drainWaiters: (() => void)[] = [];

  out.on('error', (err: Error) => {
    failure ??= err;
    waiting = false;
    queue.length = 0;
    queuedBytes = 0;
    for (const w of drainWaiters.splice(0)) w();
  });

  const onDrain = (): void => {
    waiting = false;
    while (queue.length > 0 && !waiting) {
      const chunk = queue.shift()!;
      queuedBytes -= chunk.length;
      writeChunk(chunk);
    }
    if (!waiting) for (const w of drainWaiters.splice(0)) w();
  };

  function writeChunk(chunk: string): void {
    if (failure) return;
    if (!out.write(chunk)) {
      waiting = true;
      out.once('drain', onDrain);
    }
  }

  function flush(): void {
    if (parts.length === 0) return;
    const chunk = parts.join('');
    parts = [];
    partBytes = 0;
    if (waiting) {
      queue.push(chunk);
      queuedBytes += chunk.length;
    } else {
      writeChunk(chunk);
    }
  }

  const timer = (opts.flushIntervalMs ?? 200) > 0 ? setInterval(flush, opts.flushIntervalMs ?? 200) : undefined;
  timer?.unref();

  function tagsJson(tags: Tags): string {
    let s = tagCache.get(tags);
    if (s === undefined) {
      s = JSON.stringify(tags);
      if (typeof tags === 'object' && tags !== null) tagCache.set(tags, s);
    }
    return s;
  }

  return {
    add(sample) {
      if (failure) return;
      if (!Number.isFinite(sample.value)) return; // JSON has no NaN/Infinity; k6 cannot emit them either
      if (waiting && queuedBytes + partBytes > maxBuffered) {
        lost++;
        return;
      }
      let line = '';
      if (!seen.has(sample.metric.name)) {
        seen.add(sample.metric.name);
        if (opts.metricLines === false) fresh.push({ name: sample.metric.name, type: sample.metric.type, contains: sample.metric.contains });
        else line = metricLine(sample.metric, thresholds);
      }
      line += `{"type":"Point","data":{"time":"${formatTime(sample.time)}","value":${sample.value},"tags":${tagsJson(sample.tags)}},"metric":"${sample.metric.name}"}\n`;
      parts.push(line);
      partBytes += line.length;
      points++;
      if (partBytes >= chunkBytes) flush();
    },

    addLines(text, metrics) {
      if (failure || text === '') return;
      let lines = 0;
      for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lines++;
      if (waiting && queuedBytes + partBytes > maxBuffered) {
        lost += lines;
        return;
      }
      for (const def of metrics) {
        if (seen.has(def.name)) continue;
        seen.add(def.name);
        const line = metricLine(def, thresholds);
        parts.push(line);
        partBytes += line.length;
      }
      parts.push(text);
      partBytes += text.length;
      points += lines;
      if (partBytes >= chunkBytes) flush();
    },

    takeNewMetrics() {
      const out = fresh;
      fresh = [];
      return out;
    },

    get congested() {
      return waiting;
    },

    get points() {
      return points;
    },

    drained() {
      if (!waiting) return Promise.resolve();
      return new Promise((resolve) => drainWaiters.push(resolve));
    },

    async close() {
      if (timer) clearInterval(timer);
      flush();
      while (waiting && !failure) await new Promise<void>((resolve) => drainWaiters.push(resolve));
      if (!failure && opts.end !== false) {
        await new Promise<void>((resolve) => {
          out.once('error', () => resolve());
          out.end(() => resolve());
        });
      }
      drainWaiters = [];
      if (failure) throw failure;
      if (lost > 0) throw new Error(`NDJSON output could not keep up: ${lost} samples were dropped (more than ${maxBuffered} bytes waiting)`);
    },
  };
}
