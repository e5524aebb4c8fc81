/**
 * Samples packed for the NDJSON output: a VU's event loop only copies each sample's time, value, metric and tags into
 * typed arrays (a few tens of nanoseconds), and the costly part, formatting k6 Point lines and compressing them, runs
 * elsewhere (the output's writer thread). A batch is one ArrayBuffer, so it moves between threads without a copy and
 * can be spooled to disk and read back as it is.
 *
 * Layout (little-endian): u32 header length H, H bytes of header JSON, zero padding to a multiple of 8, then
 * f64 times[n], f64 values[n], u32 metrics[n], u32 tags[n]. The header says which source the batch comes from (a
 * `--workers` thread, or the parent), how many samples it has, and the metrics and tag sets first seen since the
 * source's previous batch: metric i and tag set j of a source are numbered in order of first appearance.
 */
import type { MetricDef, Sample, SampleSink, Tags } from '../metrics/types.ts';

/** What a batch's header holds. */
export interface BatchHeader {
  /** Which producer made it (tables of metrics and tag sets are per source). */
  source: number;
  /** Number of samples. */
  count: number;
  /** Metrics first seen in this batch, numbered after the source's earlier ones. */
  metrics: MetricDef[];
  /** Tag sets (as JSON objects) first seen in this batch, numbered after the source's earlier ones. */
  tags: string[];
  /** When true, the source's tag table starts afresh before this batch's `tags` (bounds the tables' memory). */
  resetTags?: boolean;
}

/** A batch unpacked: its header and views on its columns. */
export interface DecodedBatch extends BatchHeader {
  times: Float64Array;
  values: Float64Array;
  metricIds: Uint32Array;
  tagIds: Uint32Array;
}

/** Options of {@link createSampleBatcher}. */
export interface SampleBatcherOptions {
  /** Source number written in every batch (default 0). */
  source?: number;
  /** Samples per batch (default 4,096: about 100 KB). */
  batchSize?: number;
  /** Distinct tag sets remembered before the table starts afresh (default 65,536). */
  maxTagSets?: number;
}

/** A sample sink that packs samples into batches. */
export interface SampleBatcher extends SampleSink {
  /** Emits the samples added since the last batch, if any. */
  flush(): void;
  /** Samples added so far (non-finite values are skipped: JSON has no NaN or Infinity, k6 emits none). */
  readonly points: number;
}

/**
 * Creates a batcher that calls `emit` with each full batch, and with the partial one on {@link SampleBatcher.flush}.
 * @param emit receives each batch (an ArrayBuffer it then owns)
 * @param opts source number and sizes
 * @returns the batcher
 * @example const b = createSampleBatcher((buf) => port.postMessage(buf, [buf])); b.add(sample); b.flush();
 */
export function createSampleBatcher(emit: (batch: ArrayBuffer) => void, opts: SampleBatcherOptions = {}): SampleBatcher {
  const size = opts.batchSize ?? 4096;
  const maxTagSets = opts.maxTagSets ?? 65_536;
  const source = opts.source ?? 0;
  const times = new Float64Array(size);
  const values = new Float64Array(size);
  const metricIds = new Uint32Array(size);
  const tagIds = new Uint32Array(size);
  let n = 0;
  let points = 0;
  const metricNo = new Map<string, number>();
  let tagNo = new WeakMap<Tags, number>();
  let tagByJson = new Map<string, number>();
  let newMetrics: MetricDef[] = [];
  let newTags: string[] = [];
  let resetTags = false;

  const flush = (): void => {
    const header: BatchHeader = { source, count: n, metrics: newMetrics, tags: newTags };
    if (resetTags) header.resetTags = true;
    emit(encodeBatch(header, times, values, metricIds, tagIds));
    n = 0;
    newMetrics = [];
    newTags = [];
    resetTags = false;
  };

  const tagId = (tags: Tags): number => {
    let id = tagNo.get(tags);
    if (id !== undefined) return id;
    const json = JSON.stringify(tags);
    id = tagByJson.get(json);
    if (id === undefined) {
      if (tagByJson.size >= maxTagSets) {
        // High-cardinality tags (a URL per user): start the table afresh rather than grow without bound (the reader
        // does the same). Samples already batched refer to the old table, so they go first.
        flush();
        tagByJson = new Map();
        tagNo = new WeakMap();
        resetTags = true;
      }
      id = tagByJson.size;
      tagByJson.set(json, id);
      newTags.push(json);
    }
    tagNo.set(tags, id);
    return id;
  };

  return {
    add(sample: Sample) {
      if (!Number.isFinite(sample.value)) return;
      let m = metricNo.get(sample.metric.name);
      if (m === undefined) {
        m = metricNo.size;
        metricNo.set(sample.metric.name, m);
        newMetrics.push({ name: sample.metric.name, type: sample.metric.type, contains: sample.metric.contains });
      }
      const t = tagId(sample.tags);
      times[n] = sample.time;
      values[n] = sample.value;
      metricIds[n] = m;
      tagIds[n] = t;
      n++;
      points++;
      if (n === size) flush();
    },
    flush() {
      if (n > 0 || newMetrics.length > 0 || newTags.length > 0 || resetTags) flush();
    },
    get points() {
      return points;
    },
  };
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function encodeBatch(header: BatchHeader, times: Float64Array, values: Float64Array, metricIds: Uint32Array, tagIds: Uint32Array): ArrayBuffer {
  const n = header.count;
  const json = encoder.encode(JSON.stringify(header));
  const start = columnsAt(json.length);
  const buf = new ArrayBuffer(start + n * 24);
  new DataView(buf).setUint32(0, json.length, true);
  new Uint8Array(buf, 4, json.length).set(json);
  new Float64Array(buf, start, n).set(times.subarray(0, n));
  new Float64Array(buf, start + n * 8, n).set(values.subarray(0, n));
  new Uint32Array(buf, start + n * 16, n).set(metricIds.subarray(0, n));
  new Uint32Array(buf, start + n * 20, n).set(tagIds.subarray(0, n));
  return buf;
}

/** Where a batch's columns start: after the length word and the header, padded to 8 bytes. */
const columnsAt = (headerBytes: number): number => Math.ceil((4 + headerBytes) / 8) * 8;

/**
 * The number of samples in a batch, from its size alone (the header is not parsed).
 * @param buf the batch's bytes
 * @returns the sample count
 */
export function batchSampleCount(buf: ArrayBuffer): number {
  return (buf.byteLength - columnsAt(new DataView(buf).getUint32(0, true))) / 24;
}

/**
 * Unpacks a batch made by {@link createSampleBatcher}.
 * @param buf the batch's bytes (an ArrayBuffer, or a Uint8Array over one, e.g. read back from a spool file)
 * @returns header and column views (no copy when `buf` is 8-byte aligned)
 * @throws {Error} when the bytes are not a batch
 */
export function decodeBatch(buf: ArrayBuffer | Uint8Array): DecodedBatch {
  let bytes = buf instanceof Uint8Array ? buf : new Uint8Array(buf);
  if (bytes.byteOffset % 8 !== 0) bytes = bytes.slice();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 4) throw new Error(`decodeBatch: ${bytes.byteLength} bytes is not a sample batch`);
  const len = view.getUint32(0, true);
  if (4 + len > bytes.byteLength) throw new Error(`decodeBatch: header of ${len} bytes overruns a ${bytes.byteLength}-byte batch`);
  const header = JSON.parse(decoder.decode(bytes.subarray(4, 4 + len))) as BatchHeader;
  const n = header.count;
  const start = columnsAt(len);
  if (start + n * 24 !== bytes.byteLength) throw new Error(`decodeBatch: ${n} samples do not fit a ${bytes.byteLength}-byte batch`);
  const at = bytes.byteOffset + start;
  return {
    ...header,
    times: new Float64Array(bytes.buffer, at, n),
    values: new Float64Array(bytes.buffer, at + n * 8, n),
    metricIds: new Uint32Array(bytes.buffer, at + n * 16, n),
    tagIds: new Uint32Array(bytes.buffer, at + n * 20, n),
  };
}
