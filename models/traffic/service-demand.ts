/**
 * The demand of each service in one general form, whatever it comes from: data/services.json (modeled), a
 * `caplab.demand/v1` file fitted to telemetry (calibrated), or a service catalog. The traffic model reads only this.
 */
import type { TrafficDemandSource } from '../types.ts';
import type { DemandFile } from './demand-file.ts';
import type { Demand } from './settings.ts';

/** Where the modeled demand comes from, as traffic.json and the report name it. */
export const MODELED_SOURCE = 'modeled (data/services.json)';

/** Fit quality of a calibrated service, as traffic.json records it (the summary of the demand file's fit). */
export type DemandFitSummary = NonNullable<TrafficDemandSource['fit']>;

/** The demand of one service. */
export interface ServiceDemand {
  /** Requests per active device per day. */
  perDevicePerDay: number;
  /** 24 local-hour weights (any scale, normalised to mean 1 by the model); absent: the shared curve of data/load-shape.json. */
  localHourWeights?: readonly number[];
  /** `modeled (data/services.json)`, `calibrated from <source>`, or another origin (a catalog). */
  source: string;
  /** The fit behind a calibrated rate. */
  fit?: DemandFitSummary;
}

/** Demand per service, in the order traffic.json lists them. */
export type ServiceDemands = Record<string, ServiceDemand>;

/**
 * The modeled demand: data/services.json's requests per device per day, and photo uploads from data/usage.json.
 * @param demand the `demand` section of data/services.json
 * @param photosPerDevicePerDay mean photos backed up per device per day (data/usage.json), the demand of `photos_post`
 * @returns one entry per service, all on the shared curve
 * @example modeledDemands({ requestsPerDevicePerDay: { ota_check: 2 } }, 2.5).photos_post.perDevicePerDay // 2.5
 */
export function modeledDemands(demand: Demand, photosPerDevicePerDay: number): ServiceDemands {
  const out: ServiceDemands = {};
  for (const [s, v] of Object.entries(demand.requestsPerDevicePerDay)) out[s] = { perDevicePerDay: v, source: MODELED_SOURCE };
  // Rounded as traffic.json always recorded it, so the modeled output keeps its bytes.
  out.photos_post = { perDevicePerDay: Math.round(photosPerDevicePerDay * 1e4) / 1e4, source: MODELED_SOURCE };
  return out;
}

/**
 * Overlays a calibrated demand file on a base: its services replace or extend the base's; a service with a fitted
 * curve gets that curve, one without keeps the base's curve (if any) or the shared one.
 * @param base the modeled (or catalog) demand
 * @param file a validated `caplab.demand/v1` file
 * @returns a new record: the base's services in order, then the file's new ones
 * @example calibrate(modeledDemands(d, 2.5), file).ota_check.source // 'calibrated from telemetry.csv'
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
