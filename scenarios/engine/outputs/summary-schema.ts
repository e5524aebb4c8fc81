/**
 * The shape of the object k6 passes to handleSummary() (and writes with `--summary-json`-style handleSummary
 * scripts): its TypeScript types and a zod schema that accepts ours and real k6's alike (unknown extra keys, such
 * as `setup_data` or fields newer k6 versions add, are kept, not rejected).
 */
import { z } from 'zod';
import type { MetricType, ValueType } from '../metrics/types.ts';

/** A check in a group, with its pass/fail counts. */
export interface K6Check {
  /** Check name. */
  name: string;
  /** Group path + `::` + name, e.g. `::outer::status is 200`. */
  path: string;
  /** md5 hex of `path`. */
  id: string;
  /** Times the check passed. */
  passes: number;
  /** Times the check failed. */
  fails: number;
}

/** A group (root: name `''`, path `''`). */
export interface K6Group {
  /** Group name (`''` for the root). */
  name: string;
  /** `::`-joined names from the root, e.g. `::outer::inner` (`''` for the root). */
  path: string;
  /** md5 hex of `path` (root: md5 of the empty string). */
  id: string;
  /** Sub-groups in the order they were first seen. */
  groups: K6Group[];
  /** Checks in the order they were first seen. */
  checks: K6Check[];
}

/** One metric or sub-metric. */
export interface K6SummaryMetric {
  /** Metric type. */
  type: MetricType;
  /** Value type. */
  contains: ValueType;
  /** Aggregates: trend -> summaryTrendStats keys; counter -> count, rate; gauge -> value, min, max; rate -> rate, passes, fails. */
  values: Record<string, number>;
  /** Present only when the metric has thresholds: expression -> `{ ok }`. */
  thresholds?: Record<string, { ok: boolean }>;
}

/** The handleSummary data object. */
export interface K6SummaryData {
  /** Groups and checks. */
  root_group: K6Group;
  /** Summary options. */
  options: { summaryTrendStats: string[]; summaryTimeUnit: string; noColor: boolean };
  /** Run state. */
  state: { isStdOutTTY: boolean; isStdErrTTY: boolean; testRunDurationMs: number };
  /**
   * Metrics by name; sub-metrics by `name{tag:value,...}`: the ones thresholds name, and
   * `http_req_duration{expected_response:true}` (no `thresholds` key unless one names it), which k6 0.31+ always adds.
   */
  metrics: Record<string, K6SummaryMetric>;
}

const CheckSchema = z.looseObject({
  name: z.string(),
  path: z.string(),
  id: z.string().regex(/^[0-9a-f]{32}$/),
  passes: z.number().int().nonnegative(),
  fails: z.number().int().nonnegative(),
});

const GroupSchema: z.ZodType<K6Group> = z.looseObject({
  name: z.string(),
  path: z.string(),
  id: z.string().regex(/^[0-9a-f]{32}$/),
  get groups() {
    return z.array(GroupSchema);
  },
  checks: z.array(CheckSchema),
});

const MetricSchema = z.looseObject({
  type: z.enum(['counter', 'gauge', 'rate', 'trend']),
  contains: z.enum(['default', 'time', 'data']),
  values: z.record(z.string(), z.number()),
  thresholds: z.record(z.string(), z.looseObject({ ok: z.boolean() })).optional(),
});

/**
 * zod schema of k6's handleSummary data object; validates ours and real k6's summary files.
 * @example K6SummaryDataSchema.parse(JSON.parse(text))
 */
export const K6SummaryDataSchema: z.ZodType<K6SummaryData> = z.looseObject({
  root_group: GroupSchema,
  options: z.looseObject({
    summaryTrendStats: z.array(z.string()),
    summaryTimeUnit: z.string(),
    noColor: z.boolean(),
  }),
  state: z.looseObject({
    isStdOutTTY: z.boolean(),
    isStdErrTTY: z.boolean(),
    testRunDurationMs: z.number().nonnegative(),
  }),
  metrics: z.record(z.string(), MetricSchema),
});
