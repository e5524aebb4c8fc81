/**
 * Test helper: a k6 handleSummary document around the given metrics (trends of time unless they say otherwise),
 * for tests of what reads summaries.
 */
import type { K6SummaryData, K6SummaryMetric } from '../../scenarios/engine/outputs/summary-schema.ts';

/**
 * @param metrics metrics by key, each with at least its values
 * @returns the summary, with k6's empty root group, options and state
 */
export function summaryWith(metrics: Record<string, Partial<K6SummaryMetric> & Pick<K6SummaryMetric, 'values'>>): K6SummaryData {
  return {
    root_group: { name: '', path: '', id: 'd41d8cd98f00b204e9800998ecf8427e', groups: [], checks: [] },
    options: { summaryTrendStats: ['p(95)', 'p(99)'], summaryTimeUnit: '', noColor: true },
    state: { isStdOutTTY: false, isStdErrTTY: false, testRunDurationMs: 2000 },
    metrics: Object.fromEntries(Object.entries(metrics).map(([k, m]) => [k, { type: 'trend', contains: 'time', ...m }])),
  };
}
