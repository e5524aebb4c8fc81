/**
 * Judges `caplab.budgets/v1` budgets against measured per-service figures of each DC (from the NDJSON points'
 * `service` tag): p95/p99 end to end (`http_req_duration`), server side (`http_req_waiting`), error rate, and dropped
 * iterations (k6 tags those by scenario only, so the DC's total is compared). Pure.
 */
import { type Budgets, limitsFor } from '../../scenarios/budgets.ts';
import type { BudgetResult } from './junit.ts';
import type { LoadSeries } from './series.ts';

const LIMITS = [
  ['p95', 'p95', 'ms'],
  ['p99', 'p99', 'ms'],
  ['serverP95', 'serverP95', 'ms'],
  ['serverP99', 'serverP99', 'ms'],
  ['errorRate', 'errorRate', 'ratio'],
] as const;

/**
 * One result per DC, service and limit set: services named in the budgets, plus every measured service when the
 * budgets have defaults. A service with a budget but no requests in a DC gives `measured: null` (not judged: ok false).
 * @param budgets validated budgets
 * @param series per DC, the series read from its points
 * @returns results, DCs and services in name order
 * @example evaluateBudgets(budgets, { singapore: series })[0] // { service: 'contacts', dc: 'singapore', limit: 'p95', ... }
 */
export function evaluateBudgets(budgets: Budgets, series: Readonly<Record<string, LoadSeries>>): BudgetResult[] {
  const out: BudgetResult[] = [];
  const hasDefaults = Object.values(budgets.defaults).some((v) => v !== undefined);
  for (const dc of Object.keys(series).sort()) {
    const s = series[dc]!;
    const measured = new Map(s.services.map((x) => [x.service, x]));
    const named = budgets.budgets.filter((b) => b.dc === undefined || b.dc === dc).map((b) => b.service);
    const services = [...new Set([...named, ...(hasDefaults ? measured.keys() : [])])].sort();
    for (const service of services) {
      const limits = limitsFor(budgets, service, dc);
      const m = measured.get(service);
      for (const [key, field, unit] of LIMITS) {
        const max = limits[key];
        if (max === undefined) continue;
        const v = m && m.requests > 0 ? m[field] : null;
        out.push({ service, dc, limit: key, measured: v, max, unit, ok: v !== null && v < max }); // strict, as budgetsToThresholds writes `p(95)<max`
      }
      if (limits.droppedIterations !== undefined) {
        const dropped = s.points > 0 ? s.windows.reduce((a, w) => a + w.dropped, 0) : null;
        out.push({ service, dc, limit: 'droppedIterations', measured: dropped, max: limits.droppedIterations, unit: 'count', ok: dropped !== null && dropped <= limits.droppedIterations });
      }
    }
  }
  return out;
}
