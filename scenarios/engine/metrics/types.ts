/**
 * The contract between the engine's execution side (executors, HTTP, flows: they produce samples) and its metrics
 * side (registry, thresholds, outputs, merge: they consume samples). Shapes follow k6's metric model: a metric has a
 * type (counter, gauge, rate, trend) and a value type (`contains`: default, time in ms, data in bytes); a sample is
 * one observed value with its tags and time.
 */

/** k6 metric types. */
export type MetricType = 'counter' | 'gauge' | 'rate' | 'trend';

/** What a metric's values measure: plain numbers, durations in milliseconds, or bytes. */
export type ValueType = 'default' | 'time' | 'data';

/** A metric's identity. Built-in ones are in BUILTIN_METRICS; flows may declare custom ones. */
export interface MetricDef {
  /** Name, e.g. `http_req_duration` (k6 names: `[a-zA-Z_][a-zA-Z0-9_]*`, at most 128 chars). */
  name: string;
  /** Metric type. */
  type: MetricType;
  /** Value type. */
  contains: ValueType;
}

/** Tags of a sample (k6 system tags: scenario, group, name, url, method, status, expected_response, proto, check; plus user tags). */
export type Tags = Readonly<Record<string, string>>;

/** One observed value. */
export interface Sample {
  /** The metric it belongs to. */
  metric: MetricDef;
  /** Wall-clock time of the observation, milliseconds since the Unix epoch (may be fractional). */
  time: number;
  /** The value: ms for time metrics, bytes for data, 0/1 for rates (1 = the rate's "pass"), a count for counters. */
  value: number;
  /** Tags. */
  tags: Tags;
}

/** Anything that accepts samples: the metrics registry, an NDJSON output, a tee of both. */
export interface SampleSink {
  /**
   * Takes one sample. Must be cheap (called per request) and must not keep `sample` beyond the call unless copied.
   * @throws {Error} only for programming errors (unknown metric type); never for I/O (outputs buffer and report later)
   */
  add(sample: Sample): void;
}

/** A threshold expression with its options, as k6 accepts them in `options.thresholds`. */
export interface ThresholdSpec {
  /** Expression, e.g. `p(95)<300`, `rate<0.01`, `count>=100`, `avg<200`, `med<=150`, `min>0`, `max<1000`, `value>0`. */
  threshold: string;
  /** Stop the whole test when crossed (exit 99). */
  abortOnFail: boolean;
  /** Do not evaluate for abort before this much time has passed, ms (k6 `delayAbortEval`). */
  delayAbortEvalMs: number;
}

/** Result of evaluating one threshold. */
export interface ThresholdResult {
  /** Metric key as written, e.g. `http_req_duration{scenario:peak,name:contacts_sync}`. */
  metric: string;
  /** The expression. */
  threshold: string;
  /** True when the threshold holds (k6 `ok`). */
  ok: boolean;
  /** Whether it asks to abort when crossed. */
  abortOnFail: boolean;
  /** Whether an abort is due now (crossed, abortOnFail and past its delay). */
  abortNow: boolean;
}

/** The metrics store of one run: every built-in and custom metric, sub-metrics for thresholded tag sets. */
export interface MetricsRegistry extends SampleSink {
  /** Declares a custom metric (from a flow) so it appears in outputs even with no samples. @throws {Error} on a conflicting redeclaration */
  declare(def: MetricDef): void;
  /** Evaluates every threshold on the data so far. @param elapsedMs time since the test started, for delayAbortEval */
  evaluateThresholds(elapsedMs: number): ThresholdResult[];
}
