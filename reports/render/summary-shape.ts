/**
 * Reads a results summary in either k6 shape for the report: the handleSummary object as is, or the older
 * `--summary-export` document lifted back into the handleSummary shape (metric types inferred from their value keys,
 * a rate's `value` renamed `rate`, `thresholds` expression -> crossed turned into `{ok}`), so the renderers read one
 * shape. Pure: parsed JSON in, validated data out.
 */
import type { K6SummaryData, K6SummaryMetric } from '../../scenarios/engine/outputs/summary-schema.ts';
import { detectSummaryKind, readSummaryExport, readSummaryJson } from '../ingest/summary.ts';

const EMPTY_GROUP_ID = 'd41d8cd98f00b204e9800998ecf8427e';

/**
 * Validates a summary of either shape and returns it as handleSummary data.
 * @param value parsed JSON
 * @param source file name for messages
 * @returns handleSummary data; for an export, `state.testRunDurationMs` is derived from a counter's count / rate
 *   (0 when no counter has a rate) and `root_group` is reduced to the root's own checks
 * @throws {ValidationError} listing every shape problem with its JSON path (neither shape, or a broken one)
 * @example readAnySummary(JSON.parse(text), 'results/singapore/summary.json').metrics.http_reqs.values.count
 */
export function readAnySummary(value: unknown, source: string): K6SummaryData {
  if (detectSummaryKind(value) !== 'summary-export') return readSummaryJson(value, source);
  const doc = readSummaryExport(value, source);
  const metrics: Record<string, K6SummaryMetric> = {};
  let durationMs = 0;
  for (const [name, flat] of Object.entries(doc.metrics)) {
    const values: Record<string, number> = {};
    let thresholds: Record<string, { ok: boolean }> | undefined;
    for (const [k, v] of Object.entries(flat)) {
      if (k === 'thresholds' && typeof v === 'object') {
        thresholds = Object.fromEntries(Object.entries(v).map(([expr, crossed]) => [expr, { ok: !crossed }]));
      } else if (typeof v === 'number') values[k] = v;
    }
    let type: K6SummaryMetric['type'];
    if ('passes' in values && 'fails' in values) {
      type = 'rate';
      if ('value' in values) {
        values.rate = values.value!;
        delete values.value;
      }
    } else if ('count' in values && 'rate' in values) {
      type = 'counter';
      if (values.rate! > 0 && durationMs === 0) durationMs = (values.count! / values.rate!) * 1000;
    } else if ('avg' in values || 'med' in values || Object.keys(values).some((k) => k.startsWith('p('))) type = 'trend';
    else type = 'gauge';
    const contains: K6SummaryMetric['contains'] = type === 'trend' && /duration|_time|blocked|connecting|tls|sending|waiting|receiving|lag/.test(name) ? 'time'
      : /^data_/.test(name) ? 'data' : 'default';
    metrics[name] = { type, contains, values, ...(thresholds ? { thresholds } : {}) };
  }
  const checks = Object.values(doc.root_group.checks).map((c) => ({ ...c }));
  return {
    root_group: { name: '', path: '', id: EMPTY_GROUP_ID, groups: [], checks },
    options: { summaryTrendStats: [], summaryTimeUnit: '', noColor: true },
    state: { isStdOutTTY: false, isStdErrTTY: false, testRunDurationMs: durationMs },
    metrics,
  };
}
