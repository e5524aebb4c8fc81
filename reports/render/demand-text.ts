/**
 * The words for where demand comes from, the same in the HTML and Markdown reports: per service "modeled" or
 * "calibrated from <source>" with the fit's residual summary, and the one-line summary of all services. Pure.
 */
import { MODELED_SOURCE } from '../../models/traffic/service-demand.ts';
import type { DemandSourceRow } from './demand-sources.ts';
import { sig } from './format.ts';

/**
 * The source of one service's demand.
 * @param r a demand-source row
 * @returns e.g. `modeled` (the built-in catalog), `modeled (my-catalog.yaml)`, or
 *   `calibrated from t.csv (RMSE 0.08 req/s, MAPE 0.1%; hourly curve fitted)`
 * @example demandSourceText({ kind: 'modeled', ... }) // 'modeled'
 */
export function demandSourceText(r: Pick<DemandSourceRow, 'kind' | 'source' | 'rmseRps' | 'mapePct' | 'curveFit'>): string {
  if (r.kind === 'modeled') return r.source === MODELED_SOURCE ? 'modeled' : r.source;
  if (r.rmseRps === null) return r.source;
  const mape = r.mapePct === null ? '' : `, MAPE ${sig(r.mapePct)}%`;
  return `${r.source} (RMSE ${sig(r.rmseRps)} req/s${mape}; hourly curve ${r.curveFit === 'fitted' ? 'fitted' : 'modeled, not enough hours observed'})`;
}

/**
 * One sentence on where all services' demand comes from.
 * @param rows demand-source rows
 * @returns e.g. `Demand per service: contacts_sync, ota_check calibrated from t.csv; the other 6 modeled.`
 */
export function demandSourcesSummary(rows: readonly DemandSourceRow[]): string {
  const bySource = new Map<string, string[]>();
  for (const r of rows) if (r.kind !== 'modeled') bySource.set(r.source, [...(bySource.get(r.source) ?? []), r.service]);
  if (bySource.size === 0) {
    const from = /^modeled \((.*)\)$/.exec(rows[0]?.source ?? '')?.[1] ?? 'data/catalog.json';
    const curves = rows.some((r) => r.curve === 'own') ? 'hourly curves of the catalog or' : 'the shared hourly curve of';
    return `Demand per service: modeled (requests per device per day from ${from}, ${curves} data/load-shape.json).`;
  }
  const modeled = rows.filter((r) => r.kind === 'modeled').length;
  const parts = [...bySource].map(([source, names]) => `${names.join(', ')} ${source.startsWith('calibrated from ') ? source : `from ${source}`}`);
  return `Demand per service: ${parts.join('; ')}${modeled > 0 ? `; the other ${modeled} modeled` : ''}.`;
}
