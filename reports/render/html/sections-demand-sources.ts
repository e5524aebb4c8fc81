/**
 * The demand-sources block of the report's demand section: per service where its demand comes from (modeled or
 * calibrated from telemetry, with the fit's RMSE and MAPE), and for calibrated services a small table of residuals per
 * data center (observed against fitted mean requests/s). Pure.
 */
import { demandSourcesSummary, demandSourceText } from '../demand-text.ts';
import { NONE, int, num, sig } from '../format.ts';
import type { DemandSection } from '../model.ts';
import { table } from './blocks.ts';
import { esc } from './escape.ts';

/**
 * Demand sources and calibration residuals.
 * @param d the demand section of the view model
 * @returns HTML (a heading, a sentence and one or two tables)
 * @example demandSourcesBlock(buildReportModel({ traffic }).demand!)
 */
export function demandSourcesBlock(d: DemandSection): string {
  const pct = (v: number | null): string => (v === null ? NONE : `${sig(v)}%`);
  const sources = table('Requests per device per day and where they come from', ['service', 'per device per day', 'source', 'hourly curve', 'RMSE req/s', 'MAPE'],
    d.sources.map((r) => [r.service, sig(r.perDevicePerDay), demandSourceText(r), r.curve === 'own' ? 'own' : 'shared',
      r.rmseRps === null ? NONE : sig(r.rmseRps), pct(r.mapePct)]), 'demand-sources');
  const calibrated = d.sources.filter((r) => r.dcs.length > 0);
  const residuals = calibrated.length === 0 ? '' : table('Calibration residuals per data center: observed against fitted hourly means',
    ['service', 'DC', 'samples', 'observed mean req/s', 'fitted mean req/s', 'RMSE req/s', 'MAPE'],
    calibrated.flatMap((r) => r.dcs.map((x) => [r.service, x.dc, int(x.samples), num(x.observedMeanRps, 3), num(x.fittedMeanRps, 3), sig(x.rmseRps), pct(x.mapePct)])), 'demand-residuals');
  const notes = [...new Set(calibrated.map((r) => r.note).filter((n): n is string => n !== null))].map((n) => `<p class="note">${esc(n)}</p>`).join('');
  return `<h3>Demand per service</h3><p>${esc(demandSourcesSummary(d.sources))}</p>${sources}${residuals}${notes}`;
}
