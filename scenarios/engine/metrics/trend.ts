/**
 * A Trend's storage: an HDR histogram (hdr-histogram-js) instead of k6's sorted array of every value, so memory is
 * bounded (about 140-210 KB per trend whatever the sample count) and merging two trends is exact bucket addition.
 *
 * Precision: values are recorded as integers in thousandths of their unit (microseconds for time metrics) with 3
 * significant digits, so any percentile is within 0.1% of the exact one (and exact below 2.048 units). Count,
 * sum (hence avg), min and max are tracked exactly beside the histogram. Negative values (custom trends may have
 * them) go to a second histogram of magnitudes.
 *
 * Percentiles follow k6's TrendSink.P: rank i = p * (n - 1), linear interpolation between the values at
 * floor(i) and ceil(i), with the values at those ranks read from the histogram.
 */
import { Float64Histogram, type JsHistogram } from 'hdr-histogram-js';

/** Recorded units per value unit: thousandths (µs for ms). */
const SCALE = 1000;
/** Initial highest trackable value (60 s in µs); the histogram grows itself when a larger value comes. */
const INITIAL_HIGHEST = 60_000_000;
/** Significant decimal digits kept by the histogram (0.1% resolution). */
export const TREND_SIGNIFICANT_DIGITS = 3;
/** Largest magnitude recorded in the histogram (larger values are clamped there; min/max/avg stay exact). */
const MAX_RECORDED = 2 ** 52;

function newHistogram(): JsHistogram {
  const h = new Float64Histogram(1, INITIAL_HIGHEST, TREND_SIGNIFICANT_DIGITS);
  h.autoResize = true;
  return h;
}

/** Value at 0-based `rank` among the histogram's recorded values (ascending); the bucket's median value. */
function valueAtRank(h: JsHistogram, rank: number): number {
  let seen = 0;
  for (let i = 0; i < h.countsArrayLength; i++) {
    seen += h.getCountAtIndex(i);
    if (seen > rank) return h.medianEquivalentValue(h.valueFromIndex(i));
  }
  return h.maxValue;
}

/**
 * A trend's state as plain data (structured-clone and JSON safe), for sending a worker's trends to the process that
 * merges them: the exact figures, and each histogram as its non-empty buckets (a value inside the bucket and its
 * count), which rebuild the same buckets exactly.
 */
export interface TrendState {
  count: number;
  sum: number;
  min: number;
  max: number;
  zeros: number;
  /** Non-empty buckets of the positive histogram: [value, count, value, count, ...] in recorded units. */
  pos: number[];
  /** The same for the negative magnitudes. */
  neg: number[];
}

function bucketsOf(h: JsHistogram | undefined): number[] {
  const out: number[] = [];
  if (h === undefined) return out;
  for (let i = 0; i < h.countsArrayLength; i++) {
    const n = h.getCountAtIndex(i);
    if (n > 0) out.push(h.valueFromIndex(i), n);
  }
  return out;
}

function histogramOf(buckets: readonly number[]): JsHistogram | undefined {
  if (buckets.length === 0) return undefined;
  const h = newHistogram();
  for (let i = 0; i < buckets.length; i += 2) h.recordValueWithCount(buckets[i]!, buckets[i + 1]!);
  return h;
}

/** An HDR-backed Trend: exact count, sum, min, max; percentiles within 0.1%. */
export class TrendSink {
  /** Number of values. */
  count = 0;
  /** Sum of values (exact). */
  sum = 0;
  /** Smallest value (exact); 0 when empty, as in k6. */
  min = 0;
  /** Largest value (exact); 0 when empty, as in k6. */
  max = 0;
  private pos: JsHistogram | undefined;
  private neg: JsHistogram | undefined;
  /**
   * Values that record as 0 (|value| < 0.0005 units), counted here instead of in `pos`: http_req_connecting and
   * http_req_tls_handshaking are 0 on almost every request, and a counter costs far less than an HDR record.
   */
  private zeros = 0;

  /**
   * Records one value.
   * @param value the value, in the metric's unit (ms for time metrics)
   */
  add(value: number): void {
    if (!Number.isFinite(value)) return; // k6 would record NaN and poison avg; a sample like that is a bug upstream.
    if (this.count === 0) {
      this.min = value;
      this.max = value;
    } else {
      if (value < this.min) this.min = value;
      if (value > this.max) this.max = value;
    }
    this.count++;
    this.sum += value;
    const scaled = Math.min(Math.round(Math.abs(value) * SCALE), MAX_RECORDED);
    if (scaled === 0) this.zeros++;
    else if (value >= 0) (this.pos ??= newHistogram()).recordValue(scaled);
    else (this.neg ??= newHistogram()).recordValue(scaled);
  }

  /**
   * Adds every value of another trend (exact: histogram buckets add up).
   * @param other the other trend
   */
  merge(other: TrendSink): void {
    if (other.count === 0) return;
    if (this.count === 0) {
      this.min = other.min;
      this.max = other.max;
    } else {
      this.min = Math.min(this.min, other.min);
      this.max = Math.max(this.max, other.max);
    }
    this.count += other.count;
    this.sum += other.sum;
    this.zeros += other.zeros;
    if (other.pos) (this.pos ??= newHistogram()).add(other.pos);
    if (other.neg) (this.neg ??= newHistogram()).add(other.neg);
  }

  /** This trend's state as plain data (see {@link TrendState}). */
  toState(): TrendState {
    return { count: this.count, sum: this.sum, min: this.min, max: this.max, zeros: this.zeros, pos: bucketsOf(this.pos), neg: bucketsOf(this.neg) };
  }

  /**
   * Adds the values a {@link TrendState} holds (as {@link TrendSink.merge} adds another trend's).
   * @param state a state from {@link TrendSink.toState}
   */
  mergeState(state: TrendState): void {
    const other = new TrendSink();
    other.count = state.count;
    other.sum = state.sum;
    other.min = state.min;
    other.max = state.max;
    other.zeros = state.zeros;
    other.pos = histogramOf(state.pos);
    other.neg = histogramOf(state.neg);
    this.merge(other);
  }

  /** Mean (exact); 0 when empty. */
  get avg(): number {
    return this.count === 0 ? 0 : this.sum / this.count;
  }

  /** Value at 0-based rank in ascending order, from the histograms, clamped to [min, max]. */
  private atRank(rank: number): number {
    if (rank <= 0) return this.min;
    if (rank >= this.count - 1) return this.max;
    const negCount = this.neg?.totalCount ?? 0;
    let v: number;
    // Negative magnitudes are stored ascending, so the most negative value is the last of `neg`.
    if (rank < negCount) v = -valueAtRank(this.neg!, negCount - 1 - rank) / SCALE;
    else if (rank < negCount + this.zeros) v = 0; // zeros sit between the negatives and the positives
    else v = valueAtRank(this.pos!, rank - negCount - this.zeros) / SCALE;
    return Math.min(this.max, Math.max(this.min, v));
  }

  /**
   * The p-th percentile the way k6 computes it (linear interpolation between neighbouring ranks).
   * @param pct percentile, 0..100
   * @returns the value; 0 when empty, the only value when there is one
   * @example t.percentile(95)
   */
  percentile(pct: number): number {
    if (this.count === 0) return 0;
    if (this.count === 1) return this.min;
    const i = (pct / 100) * (this.count - 1);
    const lo = Math.floor(i);
    const hi = Math.ceil(i);
    const a = this.atRank(lo);
    if (hi === lo) return a;
    const b = this.atRank(hi);
    return a + (b - a) * (i - lo);
  }

  /** Median (k6 `med` = p(50)). */
  get med(): number {
    return this.percentile(50);
  }

  /** Bytes held by the histograms (for memory accounting). */
  get footprintBytes(): number {
    return (this.pos?.estimatedFootprintInBytes ?? 0) + (this.neg?.estimatedFootprintInBytes ?? 0);
  }
}
