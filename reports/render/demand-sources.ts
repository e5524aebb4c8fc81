/**
 * The demand-sources part of the report's view model: per service, its requests per device per day, whether it is
 * modeled or calibrated from telemetry (and from what), its hourly curve, and for a calibrated service the fit's
 * residual summary, overall and per DC. Built from traffic.json; a file without `demandSources` is all modeled. Pure.
 */
import { MODELED_SOURCE } from '../../models/traffic/service-demand.ts';
import type { Traffic } from '../../models/types.ts';


/** One service's demand and where it came from. */
export interface DemandSourceRow {
  service: string;
  /** Requests per active device per day. */
  perDevicePerDay: number;
  /** `modeled`, `calibrated` (from telemetry) or `other`. */
  kind: 'modeled' | 'calibrated' | 'other';
  /** The source as traffic.json names it, e.g. `calibrated from telemetry.csv`. */
  source: string;
  /** `own` hourly curve or the `shared` one. */
  curve: 'own' | 'shared';
  /** Whether the calibration fitted the curve (`fitted`) or kept the modeled one (`modeled`); null when not calibrated. */
  curveFit: 'fitted' | 'modeled' | null;
  /** Residual summary: RMSE in requests/s, MAPE in %; null when not calibrated (MAPE also when nothing was observed). */
  rmseRps: number | null;
  mapePct: number | null;
  /** Why the curve was not fitted, or null. */
  note: string | null;
  /** Per DC: observed vs fitted mean requests/s and the DC's residuals. */
  dcs: { dc: string; samples: number; observedMeanRps: number; fittedMeanRps: number; rmseRps: number; mapePct: number | null }[];
}

/**
 * Per-service demand sources of a traffic.json.
 * @param t traffic
 * @returns one row per service of `t.demand`, in its order
 * @example demandSourcesOf(traffic).filter((r) => r.kind === 'calibrated').map((r) => r.service)
 */
export function demandSourcesOf(t: Traffic): DemandSourceRow[] {
  return Object.entries(t.demand).map(([service, perDevicePerDay]) => {
    const s = t.demandSources?.[service];
    const source = s?.source ?? MODELED_SOURCE;
    const f = s?.fit;
    return {
      service, perDevicePerDay, source,
      kind: source.startsWith('modeled') ? 'modeled' : source.startsWith('calibrated from ') ? 'calibrated' : 'other',
      curve: s?.curve ?? 'shared',
      curveFit: f?.curve ?? null,
      rmseRps: f?.rmseRps ?? null,
      mapePct: f?.mapePct ?? null,
      note: f?.note ?? null,
      dcs: Object.entries(f?.dcs ?? {}).map(([dc, x]) => ({ dc, samples: x.samples, observedMeanRps: x.observedMeanRps, fittedMeanRps: x.fittedMeanRps, rmseRps: x.rmseRps, mapePct: x.mapePct })),
    };
  });
}
