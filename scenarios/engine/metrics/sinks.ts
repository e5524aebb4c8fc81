/**
 * Per-metric aggregation state ("sinks", as k6 calls them) for the four metric types, with the two ways they are
 * read: the values k6 puts in a summary (`metrics.<name>.values`) and the value a threshold aggregation compares.
 */
import type { Aggregation } from '../thresholds.ts';
import type { MetricType } from './types.ts';
import { TrendSink, type TrendState } from './trend.ts';

/** Sum of values; k6 reports `count` and `rate` (count per second of test run). */
export class CounterSink {
  /** Metric type. */
  readonly type = 'counter';
  /** Sum of the samples' values. */
  value = 0;
  /** Number of samples. */
  count = 0;
  /** @param value the sample's value */
  add(value: number): void {
    this.value += value;
    this.count++;
  }
  /** @param other adds another counter's state */
  merge(other: CounterSink): void {
    this.value += other.value;
    this.count += other.count;
  }
}

/** Last value (by sample time), min and max; k6 reports `value`, `min`, `max`. */
export class GaugeSink {
  /** Metric type. */
  readonly type = 'gauge';
  /** Value of the latest sample by time (ties: the one added last). */
  value = 0;
  /** Smallest value. */
  min = 0;
  /** Largest value. */
  max = 0;
  /** Number of samples. */
  count = 0;
  /** Time of the sample `value` came from, ms since the epoch. */
  time = -Infinity;
  /**
   * @param value the sample's value
   * @param time the sample's time, ms since the epoch; the latest time wins, so merged files read like one run
   */
  add(value: number, time: number): void {
    if (this.count === 0) {
      this.min = value;
      this.max = value;
    } else {
      if (value < this.min) this.min = value;
      if (value > this.max) this.max = value;
    }
    if (time >= this.time) {
      this.value = value;
      this.time = time;
    }
    this.count++;
  }
  /** @param other adds another gauge's state */
  merge(other: GaugeSink): void {
    if (other.count === 0) return;
    if (this.count === 0) {
      this.min = other.min;
      this.max = other.max;
    } else {
      this.min = Math.min(this.min, other.min);
      this.max = Math.max(this.max, other.max);
    }
    if (other.time >= this.time) {
      this.value = other.value;
      this.time = other.time;
    }
    this.count += other.count;
  }
}

/** Share of non-zero samples; k6 reports `rate`, `passes` (non-zero) and `fails` (zero). */
export class RateSink {
  /** Metric type. */
  readonly type = 'rate';
  /** Samples with a non-zero value. */
  passes = 0;
  /** Samples with value 0. */
  fails = 0;
  /** @param value the sample's value; non-zero counts as a pass, as in k6 */
  add(value: number): void {
    if (value !== 0) this.passes++;
    else this.fails++;
  }
  /** @param other adds another rate's state */
  merge(other: RateSink): void {
    this.passes += other.passes;
    this.fails += other.fails;
  }
  /** Number of samples. */
  get count(): number {
    return this.passes + this.fails;
  }
  /** passes / (passes + fails); 0 when empty. */
  get rate(): number {
    const n = this.passes + this.fails;
    return n === 0 ? 0 : this.passes / n;
  }
}

/** The trend sink, with a type tag like the others. */
export class TrendMetricSink extends TrendSink {
  /** Metric type. */
  readonly type = 'trend';
}

/** Any sink. */
export type Sink = CounterSink | GaugeSink | RateSink | TrendMetricSink;

/**
 * Creates an empty sink for a metric type.
 * @param type metric type
 * @returns the sink
 * @throws {Error} for an unknown type (a programming error)
 */
export function createSink(type: MetricType): Sink {
  switch (type) {
    case 'counter': return new CounterSink();
    case 'gauge': return new GaugeSink();
    case 'rate': return new RateSink();
    case 'trend': return new TrendMetricSink();
    default: throw new Error(`createSink: unknown metric type "${String(type)}"`);
  }
}

/**
 * Merges `from` into `into` (same type).
 * @param into the sink that receives
 * @param from the sink whose state is added
 * @throws {Error} when the types differ
 */
export function mergeSink(into: Sink, from: Sink): void {
  if (into.type !== from.type) throw new Error(`mergeSink: cannot merge a ${from.type} into a ${into.type}`);
  (into as { merge(o: Sink): void }).merge(from);
}

/** A sink's state as plain data (structured-clone and JSON safe): what a worker sends for merging. */
export type SinkState =
  | { type: 'counter'; value: number; count: number }
  | { type: 'gauge'; value: number; min: number; max: number; count: number; time: number }
  | { type: 'rate'; passes: number; fails: number }
  | ({ type: 'trend' } & TrendState);

/**
 * A sink's state as plain data.
 * @param sink the sink
 * @returns its state; {@link mergeSinkState} adds it to a sink of the same type exactly as {@link mergeSink} would
 */
export function sinkState(sink: Sink): SinkState {
  switch (sink.type) {
    case 'counter': return { type: 'counter', value: sink.value, count: sink.count };
    case 'gauge': return { type: 'gauge', value: sink.value, min: sink.min, max: sink.max, count: sink.count, time: sink.time };
    case 'rate': return { type: 'rate', passes: sink.passes, fails: sink.fails };
    case 'trend': return { type: 'trend', ...sink.toState() };
  }
}

/**
 * Adds a state from {@link sinkState} to a sink.
 * @param into the sink that receives
 * @param state the state to add
 * @throws {Error} when the types differ
 */
export function mergeSinkState(into: Sink, state: SinkState): void {
  if (into.type !== state.type) throw new Error(`mergeSinkState: cannot merge a ${state.type} into a ${into.type}`);
  switch (state.type) {
    case 'counter': (into as CounterSink).merge(Object.assign(new CounterSink(), { value: state.value, count: state.count })); break;
    case 'gauge': (into as GaugeSink).merge(Object.assign(new GaugeSink(), { value: state.value, min: state.min, max: state.max, count: state.count, time: state.time })); break;
    case 'rate': (into as RateSink).merge(Object.assign(new RateSink(), { passes: state.passes, fails: state.fails })); break;
    case 'trend': (into as TrendMetricSink).mergeState(state); break;
  }
}

/** Whether a sink has no samples. */
export function isEmpty(sink: Sink): boolean {
  return sink.count === 0;
}

/**
 * The value a threshold aggregation reads from a sink, as k6's Thresholds.Run computes it.
 * @param sink the sink
 * @param aggregation aggregation method (must be supported by the sink's type; see AGGREGATIONS_BY_TYPE)
 * @param percentile for `p`: 0..100
 * @param durationMs test run duration so far, for a counter's `rate` (per second)
 * @returns the value (NaN for an aggregation the type does not support)
 */
export function readAggregation(sink: Sink, aggregation: Aggregation, percentile: number | undefined, durationMs: number): number {
  switch (sink.type) {
    case 'counter':
      if (aggregation === 'count') return sink.value;
      if (aggregation === 'rate') return durationMs > 0 ? sink.value / (durationMs / 1000) : 0;
      return NaN;
    case 'gauge':
      return aggregation === 'value' ? sink.value : NaN;
    case 'rate':
      return aggregation === 'rate' ? sink.rate : NaN;
    case 'trend':
      switch (aggregation) {
        case 'avg': return sink.avg;
        case 'min': return sink.min;
        case 'max': return sink.max;
        case 'med': return sink.med;
        case 'p': return sink.percentile(percentile ?? 0);
        default: return NaN;
      }
  }
}

/**
 * The `values` object k6 puts in a summary for a sink: trend -> one key per summaryTrendStats entry (`avg`, `min`,
 * `med`, `max`, `count`, `p(N)`, spelled as given); counter -> `count`, `rate`; gauge -> `value`, `min`, `max`;
 * rate -> `rate`, `passes`, `fails`.
 * @param sink the sink
 * @param trendStats summaryTrendStats (validated by the caller)
 * @param durationMs test run duration, for a counter's rate
 * @returns the values
 */
export function summaryValues(sink: Sink, trendStats: readonly string[], durationMs: number): Record<string, number> {
  switch (sink.type) {
    case 'counter':
      return { count: sink.value, rate: readAggregation(sink, 'rate', undefined, durationMs) };
    case 'gauge':
      return { value: sink.value, min: sink.min, max: sink.max };
    case 'rate':
      return { rate: sink.rate, passes: sink.passes, fails: sink.fails };
    case 'trend': {
      const out: Record<string, number> = {};
      for (const stat of trendStats) out[stat] = trendStat(sink, stat);
      return out;
    }
  }
}

function trendStat(t: TrendSink, stat: string): number {
  switch (stat) {
    case 'avg': return t.avg;
    case 'min': return t.min;
    case 'med': return t.med;
    case 'max': return t.max;
    case 'count': return t.count;
    default: {
      const p = parseTrendStat(stat);
      return p === undefined ? NaN : t.percentile(p);
    }
  }
}

/**
 * Parses a summaryTrendStats percentile entry such as `p(99.9)`.
 * @param stat the entry
 * @returns the percentile 0..100, or undefined when `stat` is not `p(N)` with 0 <= N <= 100
 */
export function parseTrendStat(stat: string): number | undefined {
  const m = /^p\(\s*(\d+(?:\.\d+)?)\s*\)$/.exec(stat);
  if (!m) return undefined;
  const p = Number(m[1]);
  return p >= 0 && p <= 100 ? p : undefined;
}

/**
 * Checks summaryTrendStats entries as k6 does: each is avg, min, med, max, count or p(N).
 * @param stats the entries
 * @returns one message per bad entry (empty when all are valid)
 */
export function trendStatsProblems(stats: readonly string[]): string[] {
  return stats
    .filter((s) => !['avg', 'min', 'med', 'max', 'count'].includes(s) && parseTrendStat(s) === undefined)
    .map((s) => `summaryTrendStats: "${s}" is not one of avg, min, med, max, count or p(N) with 0 <= N <= 100`);
}
