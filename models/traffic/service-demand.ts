/**
 * The demand of each service in one general form, whatever it comes from: a service catalog's stated rate (modeled;
 * data/catalog.json by default) or a `caplab.demand/v1` file fitted to telemetry (calibrated). The traffic model reads
 * only this.
 */
import type { TrafficDemandSource } from '../types.ts';
import type { DemandFile } from './demand-file.ts';

/**
 * Source of the default demand: the built-in catalog's modeled rates. traffic.json leaves `demandSources` out when
 * every service has it (and the shared curve), so default files keep their bytes.
 */
export const MODELED_SOURCE = 'modeled (data/catalog.json)';

/** Fit quality of a calibrated service, as traffic.json records it (the summary of the demand file's fit). */
export type DemandFitSummary = NonNullable<TrafficDemandSource['fit']>;

/** The demand of one service. */
export interface ServiceDemand {
  /** Requests per active device per day. */
  perDevicePerDay: number;
  /** 24 local-hour weights (any scale, normalised to mean 1 by the model); absent: the shared curve of data/load-shape.json. */
  localHourWeights?: readonly number[];
  /** `modeled (<catalog>)` or `calibrated from <telemetry source>`. */
  source: string;
  /** The fit behind a calibrated rate. */
  fit?: DemandFitSummary;
}

/** Demand per service, in the order traffic.json lists them. */
export type ServiceDemands = Record<string, ServiceDemand>;

/**
 * Overlays a calibrated demand file on a base: its services replace or extend the base's; a service with a fitted
 * curve gets that curve, one without keeps the base's curve (if any) or the shared one.
 * @param base the modeled demand (a catalog's)
 * @param file a validated `caplab.demand/v1` file
 * @returns a new record: the base's services in order, then the file's new ones
 * @example calibrate(demands, file).ota_check.source // 'calibrated from telemetry.csv'
 */
export function calibrate(base: ServiceDemands, file: DemandFile): ServiceDemands {
  const out: ServiceDemands = { ...base };
  const source = `calibrated from ${file.source.what}`;
  for (const [s, d] of Object.entries(file.services)) {
    const curve = d.localHourWeights ?? base[s]?.localHourWeights;
    const dcs = Object.fromEntries(Object.entries(d.dcs).map(([dc, x]) => [dc, {
      observedMeanRps: x.meanRps, fittedMeanRps: x.fittedMeanRps, rmseRps: x.rmseRps, mapePct: x.mapePct, samples: x.samples,
    }]));
    out[s] = {
      perDevicePerDay: d.perDevicePerDay,
      ...(curve ? { localHourWeights: [...curve] } : {}),
      source,
      fit: { rmseRps: d.fit.rmseRps, mapePct: d.fit.mapePct, curve: d.localHourWeights ? 'fitted' : 'modeled', note: d.fit.note, dcs },
    };
  }
  return out;
}
