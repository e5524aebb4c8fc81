/**
 * Text rendering of traffic.json and of a placement comparison: per DC and quarter, active devices and total request
 * rates; per country, the serving DC and RTT before and after. Pure: data in, text out.
 */
import type { RoutingComparison } from '../../models/routing/compare.ts';
import type { Traffic } from '../../models/types.ts';
import { millions, textTable } from './table.ts';

const rps = (v: number): string => (v >= 100 ? Math.round(v).toLocaleString('en-US') : v.toFixed(1));

/**
 * Renders the traffic of every DC.
 * @param t traffic.json content
 * @returns text with a trailing newline
 */
export function renderTraffic(t: Traffic): string {
  const out: string[] = [`Traffic by data center (placement ${t.placement}); requests/s, all services; peak = busiest hour x ${t.shape.weeklyPeakFactor} peak day`];
  for (const [dc, quarters] of Object.entries(t.dcs)) {
    const rows = quarters.map((q) => [
      q.quarter, millions(q.activeDevices.p50), rps(q.total.meanRps.p50), rps(q.total.peakRps.p50), rps(q.total.peakRps.p90),
      rps(q.total.flashSaleRps.p50), `${String(q.peakHourUtc).padStart(2, '0')}:00`,
    ]);
    out.push('', `${dc}`, textTable(['quarter', 'devices p50', 'mean p50', 'peak p50', 'peak p90', 'flash-sale p50', 'peak hour UTC'], rows));
  }
  const calibrated = Object.entries(t.demandSources ?? {}).filter(([, d]) => !d.source.startsWith('modeled'));
  if (calibrated.length > 0) {
    out.push('', `Demand not modeled: ${calibrated.map(([s, d]) => `${s} ${d.source}${d.fit ? ` (RMSE ${d.fit.rmseRps} req/s${d.fit.mapePct === null ? '' : `, MAPE ${d.fit.mapePct}%`})` : ''}`).join('; ')}`);
  }
  if (t.violations.length > 0) {
    out.push('', `Residency breaches of ${t.placement}: ${t.violations.map((v) => `${v.country} in ${v.dc} (rule ${v.rule})`).join('; ')}`);
  }
  return `${out.join('\n')}\n`;
}

/**
 * Renders the RTT effect of moving from one placement to another.
 * @param c comparison
 * @returns text with a trailing newline
 */
export function renderComparison(c: RoutingComparison): string {
  const rows = c.countries.map((r) => [
    r.country, r.before.dc, String(r.before.p50), String(r.before.p95), r.after.dc, String(r.after.p50), String(r.after.p95),
  ]);
  return [
    `RTT (ms) per country: ${c.before} -> ${c.after}`,
    textTable(['country', 'dc before', 'p50', 'p95', 'dc after', 'p50', 'p95'], rows),
    `device-weighted mean: p50 ${c.weightedMean.before.p50} -> ${c.weightedMean.after.p50} ms, p95 ${c.weightedMean.before.p95} -> ${c.weightedMean.after.p95} ms; ` +
      `residency breaches ${c.violations.before} -> ${c.violations.after}`,
    '',
  ].join('\n');
}
