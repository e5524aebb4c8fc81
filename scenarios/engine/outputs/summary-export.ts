/**
 * k6's older `--summary-export` shape, derived from the handleSummary object the way k6's own summary wrapper does
 * it: `options` and `state` dropped; each metric flattened to its values (a rate's `rate` renamed `value`) plus
 * `thresholds` as expression -> crossed (true = failed); groups and checks keyed by name instead of arrays.
 * CI scripts written for k6 (`jq '.metrics.http_req_duration["p(95)"]'`) read it unchanged.
 */
import type { K6Group, K6SummaryData } from './summary-schema.ts';

/** A group in the export: sub-groups and checks keyed by name. */
export interface SummaryExportGroup {
  /** Group name. */
  name: string;
  /** Group path. */
  path: string;
  /** md5 of the path. */
  id: string;
  /** Sub-groups by name. */
  groups: Record<string, SummaryExportGroup>;
  /** Checks by name. */
  checks: Record<string, { name: string; path: string; id: string; passes: number; fails: number }>;
}

/** The `--summary-export` document. */
export interface SummaryExport {
  /** Groups and checks, keyed by name. */
  root_group: SummaryExportGroup;
  /** Metric name -> flat values (+ `thresholds`: expression -> crossed). */
  metrics: Record<string, Record<string, number | Record<string, boolean>>>;
  /** Other top-level keys of the handleSummary object (e.g. `setup_data`) pass through. */
  [key: string]: unknown;
}

function transformGroup(g: K6Group): SummaryExportGroup {
  const groups: Record<string, SummaryExportGroup> = {};
  for (const sub of g.groups) groups[sub.name] = transformGroup(sub);
  const checks: SummaryExportGroup['checks'] = {};
  for (const c of g.checks) checks[c.name] = { name: c.name, path: c.path, id: c.id, passes: c.passes, fails: c.fails };
  return { name: g.name, path: g.path, id: g.id, groups, checks };
}

/**
 * Converts a handleSummary object into k6's `--summary-export` document.
 * @param data handleSummary data (ours or real k6's)
 * @returns the export document, ready for JSON.stringify
 * @example toSummaryExport(data).metrics.http_req_failed // { passes: 0, fails: 180, value: 0 }
 */
export function toSummaryExport(data: K6SummaryData): SummaryExport {
  const { options: _options, state: _state, root_group, metrics, ...rest } = data as K6SummaryData & Record<string, unknown>;
  const out: SummaryExport['metrics'] = {};
  for (const [name, m] of Object.entries(metrics)) {
    const flat: Record<string, number | Record<string, boolean>> = { ...m.values };
    if (m.thresholds && Object.keys(m.thresholds).length > 0) {
      const crossed: Record<string, boolean> = {};
      for (const [expr, t] of Object.entries(m.thresholds)) crossed[expr] = !t.ok;
      flat.thresholds = crossed;
    }
    if (m.type === 'rate' && 'rate' in flat) {
      flat.value = flat.rate as number;
      delete flat.rate;
    }
    out[name] = flat;
  }
  return { root_group: transformGroup(root_group), metrics: out, ...(JSON.parse(JSON.stringify(rest)) as Record<string, unknown>) };
}
