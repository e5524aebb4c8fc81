/**
 * Builds the handleSummary data object (k6's exact shape; see summary-schema.ts) from a registry at the end of a run
 * or of a merge. Thresholds are evaluated once more at the full test duration, as k6 does before its summary.
 */
import type { Registry } from '../metrics/registry.ts';
import { summaryValues } from '../metrics/sinks.ts';
import { buildRootGroup } from './root-group.ts';
import type { K6SummaryData, K6SummaryMetric } from './summary-schema.ts';

export type { K6Check, K6Group, K6SummaryData, K6SummaryMetric } from './summary-schema.ts';
export { K6SummaryDataSchema } from './summary-schema.ts';

/** Run state k6 reports in `state`. */
export interface SummaryState {
  /** Test run duration, ms (counters' `rate` is per second of it). */
  testRunDurationMs: number;
  /** Whether stdout is a terminal. */
  isStdOutTTY: boolean;
  /** Whether stderr is a terminal. */
  isStdErrTTY: boolean;
}

/** Summary options k6 reports in `options`. */
export interface SummaryOptions {
  /** Trend stats to report, e.g. `['avg', 'min', 'med', 'max', 'p(90)', 'p(95)']`. */
  summaryTrendStats: string[];
  /** k6 `summaryTimeUnit` (`''`, `s`, `ms` or `us`); `''` when unset. */
  summaryTimeUnit?: string;
  /** k6 `noColor`. */
  noColor: boolean;
}

/**
 * Builds the handleSummary object: every observed metric (and thresholded sub-metric, and k6's
 * `http_req_duration{expected_response:true}` once it has samples) with k6's values for its type, `thresholds`
 * `{ok}` where thresholds exist, and root_group rebuilt from the groups and checks seen.
 * @param registry the run's registry
 * @param state run state (duration in ms, TTY flags)
 * @param options summary options; trend values use `options.summaryTrendStats`
 * @returns the data object, ready for JSON.stringify
 * @throws {Error} when summaryTrendStats has an entry k6 does not know (validated earlier by the spec)
 * @example JSON.stringify(buildSummaryData(reg, { testRunDurationMs: 30_000, isStdOutTTY: false, isStdErrTTY: false }, { summaryTrendStats: ['avg', 'p(95)'], noColor: true }))
 */
export function buildSummaryData(registry: Registry, state: SummaryState, options: SummaryOptions): K6SummaryData {
  const results = registry.evaluateThresholds(state.testRunDurationMs);
  const okByKey = new Map<string, Record<string, { ok: boolean }>>();
  for (const r of results) {
    const m = okByKey.get(r.metric) ?? {};
    // Two equal expressions on one key are one entry in k6's map too; either crossing marks it crossed.
    m[r.threshold] = { ok: (m[r.threshold]?.ok ?? true) && r.ok };
    okByKey.set(r.metric, m);
  }
  const metrics: Record<string, K6SummaryMetric> = {};
  for (const e of registry.entries()) {
    const values = summaryValues(e.sink, options.summaryTrendStats, state.testRunDurationMs);
    for (const [k, v] of Object.entries(values)) {
      if (Number.isNaN(v)) throw new Error(`buildSummaryData: summaryTrendStats entry "${k}" is not avg, min, med, max, count or p(N)`);
    }
    const m: K6SummaryMetric = { type: e.def.type, contains: e.def.contains, values };
    const th = okByKey.get(e.key);
    if (th !== undefined && e.thresholds.length > 0) m.thresholds = th;
    metrics[e.key] = m;
  }
  return {
    root_group: buildRootGroup(registry.groups(), registry.checks()),
    options: {
      summaryTrendStats: [...options.summaryTrendStats],
      summaryTimeUnit: options.summaryTimeUnit ?? '',
      noColor: options.noColor,
    },
    state: { isStdOutTTY: state.isStdOutTTY, isStdErrTTY: state.isStdErrTTY, testRunDurationMs: state.testRunDurationMs },
    metrics,
  };
}
