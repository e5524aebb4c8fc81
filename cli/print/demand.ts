/**
 * Text rendering of a calibrated demand file: per service the requests per device per day, whether the hourly curve
 * was fitted, and the fit's residuals (RMSE in requests/s, MAPE). Pure: data in, text out.
 */
import type { DemandFile } from '../../models/traffic/demand-file.ts';
import { textTable } from './table.ts';

/**
 * Renders the fit of every service.
 * @param d demand.json content
 * @returns text with a trailing newline
 * @example renderDemandFit(demand) // "Demand calibrated from t.csv (csv, ...)\n\nservice  per device per day ..."
 */
export function renderDemandFit(d: DemandFile): string {
  const s = d.source;
  const devices = Object.entries(d.devices).map(([dc, x]) => `${dc} ${Math.round(x.activeDevices).toLocaleString('en-US')} (${x.from})`).join(', ');
  const rows = Object.entries(d.services).map(([name, f]) => [
    name, String(f.perDevicePerDay), f.localHourWeights ? 'fitted' : 'modeled', String(f.fit.rmseRps), f.fit.mapePct === null ? '—' : `${f.fit.mapePct.toFixed(1)}%`,
    Object.keys(f.dcs).join(','),
  ]);
  const notes = [...new Set(Object.values(d.services).map((f) => f.fit.note).filter((n): n is string => n !== null))];
  return [
    `Demand calibrated from ${s.what} (${s.kind}, ${s.from} to ${s.to}, step ${s.stepSeconds} s); placement ${d.placement}${d.quarter ? `, device mix of ${d.quarter}` : ''}`,
    `active devices: ${devices}`,
    '',
    textTable(['service', 'per device per day', 'hourly curve', 'RMSE req/s', 'MAPE', 'DCs'], rows),
    ...notes.map((n) => `note: ${n}`),
    '',
  ].join('\n');
}
